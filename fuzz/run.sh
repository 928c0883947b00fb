#!/usr/bin/env bash
# Coverage-guided fuzzing of the core with cargo-fuzz (libFuzzer); not run
# in CI. `cargo test` runs the same seeds deterministically
# (meerkat-web-runtime/src/fuzzing/tests.rs).
#
#   cargo install cargo-fuzz            # once
#   fuzz/run.sh <target> [libFuzzer options, e.g. -max_total_time=300]
#
# Targets: json, anthropic, openai_chat, openai_responses, gemini, command,
# mobpack.
# Findings land in fuzz/artifacts/<target>/; replay one with
#   fuzz/run.sh <target> fuzz/artifacts/<target>/crash-…
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: fuzz/run.sh <target> [libFuzzer options]}
shift
# The seed directories of SEED_DIRS in meerkat-web-runtime/src/fuzzing.rs.
case "$target" in
  json) seeds=fixtures/providers ;;
  anthropic) seeds=fixtures/providers/anthropic ;;
  openai_chat) seeds=fixtures/providers/openai/chat ;;
  openai_responses) seeds=fixtures/providers/openai/responses ;;
  gemini) seeds=fixtures/providers/gemini ;;
  command) seeds=fuzz/seeds/command ;;
  mobpack) seeds=fuzz/seeds/mobpack ;;
  *) echo "unknown target $target" >&2; exit 2 ;;
esac
source scripts/toolchain.env
mkdir -p "fuzz/corpus/$target"
# libFuzzer writes new inputs to the first directory and reads the others.
if [[ ${1:-} == fuzz/artifacts/* ]]; then
  exec cargo +"$WASM_TOOLCHAIN" fuzz run "$target" "$@"
fi
exec cargo +"$WASM_TOOLCHAIN" fuzz run "$target" "fuzz/corpus/$target" "$seeds" -- "$@"
