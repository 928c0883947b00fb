#!/usr/bin/env bash
# The README's one command to see the demo: installs what is missing, builds
# the wasm core and the TypeScript, starts rkat-web-proxy (the simulated
# provider, or a forwarding proxy when ANTHROPIC_API_KEY is set) and serves
# the demo app. Ctrl-C stops everything.
#
#   ./scripts/demo.sh                  # http://127.0.0.1:5173/
#   DEMO_PORT=8080 ./scripts/demo.sh   # another port for the demo
#   PROXY_PORT=3200 ./scripts/demo.sh  # another port for the proxy (passed to the page as ?proxy=)
#   DEMO_DEV=1 ./scripts/demo.sh       # Vite dev server (hot reload) instead of build + preview
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

DEMO_PORT=${DEMO_PORT:-5173}
PROXY_PORT=${PROXY_PORT:-3100}
say() { printf 'demo: %s\n' "$*"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

./scripts/setup.sh
say "building (wasm core + TypeScript)"
npm run build

health() {
  node -e '
    fetch(process.argv[1], { signal: AbortSignal.timeout(1000) })
      .then((r) => r.json()).then((b) => process.exit(b && b.ok === true ? 0 : 1), () => process.exit(1));
  ' "http://127.0.0.1:${PROXY_PORT}/health"
}

proxy_pid=""
server_pid=""
stop() { # pid, what
  if [ -n "$1" ] && kill -0 "$1" 2>/dev/null; then
    say "stopping $2 (pid $1)"
    kill -TERM "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
  fi
}
cleanup() {
  stop "$server_pid" "the demo server"
  stop "$proxy_pid" "the proxy"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if health; then
  say "a proxy already answers on 127.0.0.1:${PROXY_PORT}: using it"
else
  if [ -n "${ANTHROPIC_API_KEY:-}" ]; then
    say "starting rkat-web-proxy on 127.0.0.1:${PROXY_PORT} (forwarding to Anthropic with your ANTHROPIC_API_KEY)"
  else
    say "starting rkat-web-proxy on 127.0.0.1:${PROXY_PORT} (simulated provider: no key, no network)"
  fi
  PORT="$PROXY_PORT" node proxy/cli.mjs &
  proxy_pid=$!
  for _ in $(seq 1 50); do
    health && break
    kill -0 "$proxy_pid" 2>/dev/null || die "the proxy exited during startup (is port ${PROXY_PORT} taken?)"
    sleep 0.2
  done
  health || die "the proxy did not answer on http://127.0.0.1:${PROXY_PORT}/health"
fi

query=""
[ "$PROXY_PORT" = 3100 ] || query="?proxy=http://127.0.0.1:${PROXY_PORT}/anthropic"
url="http://127.0.0.1:${DEMO_PORT}/${query}"

# The server runs in the background so that a signal to this script is
# handled at once (bash runs traps only between foreground commands), and
# without npx in between (npm exec does not pass SIGTERM on to vite).
if [ "${DEMO_DEV:-}" = 1 ]; then
  say "open ${url}   (Vite dev server; Ctrl-C to stop)"
  ./node_modules/.bin/vite --host 127.0.0.1 --port "$DEMO_PORT" --strictPort &
  server_pid=$!
else
  say "building the demo app (demo/dist)"
  npx vite build
  echo
  say "open ${url}   (Ctrl-C to stop the demo and the proxy)"
  say "mobs (research team, north/south ambassadors, the signed example pack): ${url}#mobs"
  say "sign-in (a chat whose credential comes from a login, through an external auth resolver): ${url}#signin"
  [ "$PROXY_PORT" != 3100 ] || say "the docs' samples (main thread, proxy at localhost:3100) run at http://127.0.0.1:${DEMO_PORT}/seed.html and /seed-auth.html"
  echo
  ./node_modules/.bin/vite preview --host 127.0.0.1 --port "$DEMO_PORT" --strictPort &
  server_pid=$!
fi
status=0
wait "$server_pid" || status=$?
server_pid=""
exit "$status"
