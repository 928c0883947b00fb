//! meerkat-web-runtime: the sans-IO agent core of `@rkat/web`.
//!
//! No I/O, no clock, no randomness: the host passes time (`now_ms`) and
//! entropy in, carries out the effects the core emits (HTTP requests, tool
//! and hook calls, timers) and feeds their outcomes back. See `runtime` for
//! the command entry and `bindings` for the wasm surface.
//!
//! The modules below are its layers, lowest first: a module uses only
//! modules listed above it.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::todo))]

// Foundations: JSON, ids, errors, small containers, the schema validator,
// what this build offers.
pub mod capabilities;
pub mod error;
pub mod fields;
pub mod ids;
pub mod json;
pub mod schema;
pub mod sorted_map;
pub mod text;

// Mobpacks: archives read into checked parts (the mob definition itself is
// checked by `mob`, when the mob is created). The `mobpack` feature (see
// Cargo.toml); in the wasm, the core's pack part, linked only by apps that
// open packs.
#[cfg(feature = "mobpack")]
pub mod mobpack;

// Data: the conversation, usage, hook points, events, results, effects.
pub mod effects;
pub mod events;
pub mod hooks;
pub mod results;
pub mod transcript;
pub mod usage;

// Wire formats: the providers, with their endpoints and secrets.
pub mod provider;

// Registries and configuration; the message bus between agents (below
// the engine, whose comms tools use it).
pub mod comms;
pub mod config;
pub mod skills;
pub mod tools;

// Leases from the host's external auth resolver, per realm binding.
pub mod auth;

// State and the engine that drives it.
pub mod agent;
pub mod session;

// Mobs: members, lifecycle, flows (above the engine they drive).
pub mod mob;

// The command table over all of it.
pub mod runtime;

#[cfg(target_arch = "wasm32")]
mod bindings;

// Entry points of the fuzz targets in `fuzz/` (never in the wasm).
#[cfg(all(any(test, fuzzing), feature = "runtime", feature = "mobpack"))]
pub mod fuzzing;

#[cfg(test)]
mod test_support;

pub use error::{CoreError, ErrorCode};
pub use runtime::Runtime;

/// Carried by the wasm and checked against the TypeScript package version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
