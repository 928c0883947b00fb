//! meerkat-web-runtime: the sans-IO agent core of `@rkat/web`.
//!
//! No I/O, no clock, no randomness: the host passes time (`now_ms`) and
//! entropy in, carries out the effects the core emits (HTTP requests, tool
//! calls) and feeds their outcomes back. See `runtime` for the command
//! entry and `bindings` for the wasm surface.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::todo))]

pub mod agent;
pub mod config;
pub mod effects;
pub mod error;
pub mod events;
pub mod fields;
pub mod ids;
pub mod json;
pub mod provider;
pub mod runtime;
pub mod schema;
pub mod session;
pub mod sorted_map;
pub mod tools;
pub mod transcript;
pub mod usage;

#[cfg(target_arch = "wasm32")]
mod bindings;

#[cfg(test)]
mod test_support;

pub use error::{CoreError, ErrorCode};
pub use runtime::Runtime;

/// Carried by the wasm and checked against the TypeScript package version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
