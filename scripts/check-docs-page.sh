#!/usr/bin/env bash
# Renders /docs in headless Chromium (installed from Debian's packages when missing) against a
# freshly started server and checks that the rendered page lists the API's routes. Nothing is
# fetched from the internet: Swagger UI is served by the binary itself.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  echo "installing chromium from Debian's packages"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

work=$(mktemp -d)
cleanup() { [ -n "${server:-}" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

cargo build --quiet --bin tahoon
port=$((20000 + RANDOM % 20000))
(cd "$work" && exec "$OLDPWD/target/debug/tahoon" serve --listen "127.0.0.1:$port" >"$work/server.log" 2>&1) &
server=$!
for _ in $(seq 1 50); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$work/profile" --virtual-time-budget=15000 \
  --dump-dom "http://127.0.0.1:$port/docs/" >"$work/dom.html" 2>"$work/chromium.log"

missing=0
for route in /api/v1/auth/token /api/v1/auth/refresh /api/v1/auth/revoke /api/v1/diagnostics/signature /api/v1/careprovider/getcareproviderslistwithschedule /api/v1/admin/careproviders/import /api/v1/user/register /api/v1/sessionbooking/booksession /healthz /readyz; do
  if ! grep -q "data-path=\"$route\"" "$work/dom.html"; then
    echo "docs page does not show $route" >&2
    missing=1
  fi
done
if [ "$missing" -ne 0 ]; then
  echo "--- rendered DOM (head) ---" >&2; head -c 2000 "$work/dom.html" >&2
  exit 1
fi
echo "docs page renders $(grep -o 'data-path="[^"]*"' "$work/dom.html" | sort -u | wc -l) routes in headless Chromium"
