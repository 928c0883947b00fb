//! Gemini streamGenerateContent: not implemented yet.

use super::Provider;

/// The implementation, once there is one.
pub fn provider() -> Option<&'static dyn Provider> {
    None
}
