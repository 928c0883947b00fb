//! Mobpack tests: archives are built here (see `support`), never checked in.

mod garbage;
mod reading;
mod refusals;
pub mod support;
mod trusting;

use crate::error::CoreError;

/// The error of reading `bytes`, which must be refused with `code`.
pub fn refused(bytes: &[u8], code: &str) -> CoreError {
    let error = super::read(bytes).expect_err("the pack must be refused");
    assert_eq!(error.code, code, "{}", error.message);
    error
}

/// `INVALID_MOBPACK`, with a message containing each of `parts`.
#[track_caller]
pub fn invalid(bytes: &[u8], parts: &[&str]) {
    let error = refused(bytes, "INVALID_MOBPACK");
    for part in parts {
        assert!(error.message.contains(part), "{:?} lacks {part:?}", error.message);
    }
}
