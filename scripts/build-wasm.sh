#!/usr/bin/env bash
# Builds pkg/ (the wasm and its glue) with wasm-pack, the seed's own build
# command, on a pinned nightly that rebuilds the standard library for size:
# -Zbuild-std with optimize_for_size and the immediate-abort panic strategy
# takes 11.6 KB (8%) off the gzip wasm against stable's prebuilt std
# (142.3 -> 130.7 KB, measured on the mobs commit). The core never panics by
# policy (clippy denies unwrap/expect/panic), so nothing is lost: a panic was
# already an abort. `cargo test` and clippy stay on stable.
#
# Two wasm files come from the one crate (see its Cargo.toml features):
#   pkg/meerkat_web_runtime*  the agent core (feature `runtime`)
#   pkg/meerkat_mobpack*      the pack reader, loaded only when a pack is
#                             opened (feature `mobpack`; its own target dir
#                             so the two builds keep their caches)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
source scripts/toolchain.env
export RUSTUP_TOOLCHAIN="$WASM_TOOLCHAIN"
# Legacy mangling keeps the names bench/size-modules.mjs reads (the nightly
# default, v0, is not demangled there); the shipped wasm carries no names.
export RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Csymbol-mangling-version=legacy"
STD=(-Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size)

wasm-pack build meerkat-web-runtime --target web --out-dir ../pkg --release \
  -- --no-default-features --features runtime "${STD[@]}"

reader_out=$(mktemp -d)
trap 'rm -rf "$reader_out"' EXIT
CARGO_TARGET_DIR="$PWD/target/mobpack" wasm-pack build meerkat-web-runtime --target web --out-dir "$reader_out" \
  --out-name meerkat_mobpack --release -- --no-default-features --features mobpack "${STD[@]}"
cp "$reader_out"/meerkat_mobpack.js "$reader_out"/meerkat_mobpack.d.ts \
  "$reader_out"/meerkat_mobpack_bg.wasm "$reader_out"/meerkat_mobpack_bg.wasm.d.ts pkg/
