#!/usr/bin/env bash
# Builds pkg/ (the wasm and its glue) with wasm-pack, the seed's own build
# command, on a pinned nightly that rebuilds the standard library for size:
# -Zbuild-std with optimize_for_size and the immediate-abort panic strategy
# takes 11.6 KB (8%) off the gzip wasm against stable's prebuilt std
# (142.3 -> 130.7 KB, measured on the mobs commit). The core never panics by
# policy (clippy denies unwrap/expect/panic), so nothing is lost: a panic was
# already an abort. `cargo test` and clippy stay on stable.
#
# Three wasm files come from the one crate (see its Cargo.toml features):
#   pkg/meerkat_web_runtime*  the agent core (feature `runtime`)
#   pkg/meerkat_web_runtime_mobs.wasm  its mob part, linked on first use
#                             (scripts/wasm-split.mjs)
#   pkg/meerkat_mobpack*      the pack reader, loaded only when a pack is
#                             opened (feature `mobpack`; its own target dir
#                             so the two builds keep their caches)
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

# wasm-opt (npm's binaryen, see toolchain.md), run here rather than by
# wasm-pack because the core is split first, by function names:
# -Os gzips smaller than -Oz here (the shipped size is the gzip size).
# --low-memory-unused lets wasm-opt fold `ptr + constant` into load/store
# offsets: it only differs when an address computation wraps around 2^32
# into the first 1 KB, which Rust pointer arithmetic never does. Together
# -1.3 KB gzip.
# --one-caller-inline-max-function-size=100: a function with one caller is
# inlined only when small (binaryen's default inlines them all, at any
# size). Chromium compiles wasm lazily, a function on its first call: the
# default made the command entry point one 46 KB function (the dispatch
# with every op's handler inlined), compiled whole by the first command of
# every Worker; with the limit the first command is 1.3 ms instead of
# 3.5 ms, and the wasm gzips 0.46 KB smaller.
WASM_OPT=(-Os --low-memory-unused --enable-bulk-memory --enable-nontrapping-float-to-int
  --enable-reference-types --one-caller-inline-max-function-size=100)

wasm-pack build meerkat-web-runtime --target web --out-dir ../pkg --release \
  -- --no-default-features --features runtime "${STD[@]}"
# The mob part (mobs, flows, comms) becomes a wasm of its own, linked by the
# runtime before an app's first mob: chat-only apps never download it.
node scripts/wasm-split.mjs pkg/meerkat_web_runtime_bg.wasm \
  pkg/meerkat_web_runtime_bg.wasm pkg/meerkat_web_runtime_mobs.wasm -- "${WASM_OPT[@]}"

reader_out=$(mktemp -d)
trap 'rm -rf "$reader_out"' EXIT
CARGO_TARGET_DIR="$PWD/target/mobpack" wasm-pack build meerkat-web-runtime --target web --out-dir "$reader_out" \
  --out-name meerkat_mobpack --release -- --no-default-features --features mobpack "${STD[@]}"
wasm-opt "$reader_out"/meerkat_mobpack_bg.wasm -o pkg/meerkat_mobpack_bg.wasm "${WASM_OPT[@]}"
cp "$reader_out"/meerkat_mobpack.js "$reader_out"/meerkat_mobpack.d.ts \
  "$reader_out"/meerkat_mobpack_bg.wasm.d.ts pkg/
