#!/usr/bin/env bash
# Installs what building and testing @rkat/web needs, idempotently: each
# step checks first and skips what is already there.
#   rustup target wasm32-unknown-unknown, the pinned nightly with rust-src
#   that builds the wasm, wasm-bindgen-cli (the exact version
#   Cargo.lock pins), wasm-pack, Debian's chromium, npm ci (brings wasm-opt
#   from npm's binaryen: Debian's binaryen 108 corrupts wasm-bindgen output).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }

command -v node >/dev/null || die "Node.js 20.19+ is required (apt-get install nodejs, or https://nodejs.org)"
command -v npm >/dev/null || die "npm is required"
command -v cargo >/dev/null && command -v rustup >/dev/null ||
  die "Rust via rustup is required: see https://rustup.rs, then re-run this script"

if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "rust target wasm32-unknown-unknown: present"
else
  say "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# The shipped wasm is built on a pinned nightly with its own std (see
# scripts/build-wasm.sh); tests and clippy run on stable.
source scripts/toolchain.env
if rustup run "$WASM_TOOLCHAIN" rustc --print sysroot >/dev/null 2>&1 &&
  [ -d "$(rustup run "$WASM_TOOLCHAIN" rustc --print sysroot)/lib/rustlib/src/rust/library" ]; then
  say "rust $WASM_TOOLCHAIN with rust-src: present"
else
  say "installing rust $WASM_TOOLCHAIN with rust-src (builds the wasm's std for size)"
  rustup toolchain install "$WASM_TOOLCHAIN" --profile minimal -c rust-src -t wasm32-unknown-unknown
fi

# The CLI must match the wasm-bindgen crate in Cargo.lock exactly.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
[ -n "$want" ] || die "cannot read the wasm-bindgen version from Cargo.lock"
have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [ "$have" = "$want" ]; then
  say "wasm-bindgen-cli $want: present"
else
  say "installing wasm-bindgen-cli $want (about 2 minutes on 2 cores)"
  # No --locked: the registry here lacks one version its lockfile names.
  cargo install wasm-bindgen-cli --version "$want"
fi

if command -v wasm-pack >/dev/null; then
  say "wasm-pack: present"
else
  say "installing wasm-pack (about 1.5 minutes)"
  cargo install wasm-pack --version 0.15.1
fi

if [ -x /usr/bin/chromium ]; then
  say "chromium: present"
else
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    die "Debian's chromium is needed for the browser tests: run 'sudo apt-get install chromium' and re-run"
  fi
  say "installing chromium from Debian"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

stamp=node_modules/.rkat-lock-sha
lock_sha=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_sha" ]; then
  say "node_modules: up to date"
else
  say "npm ci"
  npm ci --no-audit --no-fund
  echo "$lock_sha" >"$stamp"
fi
say "done"
