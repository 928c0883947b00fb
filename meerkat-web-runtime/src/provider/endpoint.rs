//! Where a provider is reached and with what credential, and the
//! provider-level request knobs a session may set.

/// A credential: never printed, never serialized back out.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl core::fmt::Debug for Secret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Resolved credentials and endpoint of one provider.
#[derive(Clone, Debug, Default)]
pub struct Endpoint {
    pub api_key: Option<Secret>,
    pub base_url: Option<String>,
}

/// Extended-thinking settings of a session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThinkingConfig {
    pub budget_tokens: u32,
}
