#!/usr/bin/env bash
# Builds pkg/ (the wasm and its glue) with wasm-pack, the seed's own build
# command, on a pinned nightly that rebuilds the standard library for size:
# -Zbuild-std with optimize_for_size and the immediate-abort panic strategy
# takes 11.6 KB (8%) off the gzip wasm against stable's prebuilt std
# (142.3 -> 130.7 KB, measured on the mobs commit). The core never panics by
# policy (clippy denies unwrap/expect/panic), so nothing is lost: a panic was
# already an abort. `cargo test` and clippy stay on stable.
#
# One cargo build of the crate (features `runtime,mobpack`, see its
# Cargo.toml) gives three wasm files (scripts/wasm-split.mjs):
#   pkg/meerkat_web_runtime*  the agent core every app loads at start
#   pkg/meerkat_web_runtime_mobs.wasm  its mob part, linked before the
#                             first mob
#   pkg/meerkat_web_runtime_pack.wasm  its pack part (the mobpack reader),
#                             linked when a pack is first opened
set -euo pipefail
cd "$(dirname "$0")/.."
# npm's binaryen first: never Debian's wasm-opt (see toolchain.md).
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
source scripts/toolchain.env
export RUSTUP_TOOLCHAIN="$WASM_TOOLCHAIN"
# Legacy mangling keeps the names bench/size-modules.mjs reads (the nightly
# default, v0, is not demangled there); the shipped wasm carries no names.
export RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Csymbol-mangling-version=legacy"
STD=(-Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size)

# wasm-opt's flags: wasm-pack's own (Cargo.toml's wasm-pack profile, where
# they are explained), for the passes run here.
mapfile -t WASM_OPT < <(sed -n 's/^wasm-opt = \[\(.*\)\]$/\1/p' meerkat-web-runtime/Cargo.toml | tr ',' '\n' | tr -d ' "')
WASM_OPT+=(--enable-reference-types)

wasm-pack build meerkat-web-runtime --target web --out-dir ../pkg --release \
  -- --no-default-features --features runtime,mobpack "${STD[@]}"
# The mob part (mobs, flows, comms) becomes a wasm of its own, linked by the
# runtime before an app's first mob: chat-only apps never download it; so
# does the pack part, linked when an app first opens a pack. The
# cut needs the function names wasm-opt drops, so it starts again from
# cargo's output, through the same wasm-bindgen (whose glue must be
# wasm-pack's), and replaces pkg/'s whole core with the three.
split_in=$(mktemp -d)
wasm-bindgen target/wasm32-unknown-unknown/release/meerkat_web_runtime.wasm --target web --out-dir "$split_in"
cmp -s "$split_in/meerkat_web_runtime.js" pkg/meerkat_web_runtime.js || { echo "wasm-split: the glue differs from wasm-pack's" >&2; exit 1; }
node scripts/wasm-split.mjs "$split_in/meerkat_web_runtime_bg.wasm" \
  pkg/meerkat_web_runtime_bg.wasm pkg/meerkat_web_runtime_mobs.wasm pkg/meerkat_web_runtime_pack.wasm -- "${WASM_OPT[@]}"
rm -rf "$split_in"

