#!/usr/bin/env bash
# The one test command (README, .ci/run): set up, build, then run every
# suite (cargo test, Vitest, Playwright) and print one "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

./scripts/setup.sh || exit 1
npm run build || { echo "0 passed, 1 failed (build)"; exit 1; }

mkdir -p .reports
rm -f .reports/*.json .reports/*.log

echo "== cargo clippy (the core may not panic: unwrap/expect/panic are denied)"
if cargo clippy --all-targets --color never -- -D warnings; then echo ok >.reports/clippy.status; else echo failed >.reports/clippy.status; fi
echo "== cargo test"
cargo test --color never 2>&1 | tee .reports/cargo.log
echo "== vitest"
npx vitest run --reporter=default --reporter=json --outputFile.json=.reports/vitest.json
echo "== playwright"
PLAYWRIGHT_JSON_OUTPUT_NAME=.reports/playwright.json npx playwright test --reporter=list,json

node scripts/summarize.mjs .reports
