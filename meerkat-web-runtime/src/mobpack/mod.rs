//! Mobpacks: a mob shipped as one file, read and checked in the core.

pub mod toml;
