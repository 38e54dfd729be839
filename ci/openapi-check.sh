#!/usr/bin/env bash
# The OpenAPI document checked against a running server (docs/openapi.md):
#   1. openapi-spec-validator validates the served /api/v1/openapi.json;
#   2. openapi-python-client generates a client from it, which ci/client_flow.py drives through
#      token -> register -> search -> book -> cancel;
#   3. schemathesis fuzzes every operation (hooks: ci/schemathesis_hooks.py, configuration:
#      ci/schemathesis.toml) and fails on a server error, a response the document does not
#      describe, or a "schema validation mismatch" warning.
# The tools come from PyPI, pinned in ci/requirements.txt, into a virtual environment under the
# Cargo target directory. The server is the debug `tahoon` binary with demo data on a temporary
# SQLite database. Set OPENAPI_CHECK_EXAMPLES to change schemathesis's examples per operation;
# arguments are passed on to `st run` (such as `--seed N`).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}

log() { printf '\n== %s\n' "$*"; }

# --- Tools ------------------------------------------------------------------------------------
venv="$target/openapi-venv"
stamp="$venv/requirements.sha256"
wanted=$(sha256sum ci/requirements.txt | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  log "installing the OpenAPI tools (ci/requirements.txt) into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r ci/requirements.txt
  echo "$wanted" >"$stamp"
fi
export PATH="$venv/bin:$PATH"
# No bytecode caches in the repository (ci/ holds the hooks module).
export PYTHONDONTWRITEBYTECODE=1

# --- A server with demo data ----------------------------------------------------------------
cargo build --quiet --bin tahoon
work=$(mktemp -d)
cleanup() {
  if [ -n "${server:-}" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
port=$((20000 + RANDOM % 20000))
operator_token="thn_op_ci_$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
# The fuzzer signs in far more often than any partner: the token routes' guessing limits (per
# client address and per access key) are raised for it; the partner's own quota is raised below.
printf 'token_rate_limit_per_address = 1000000\ntoken_rate_limit_per_access_key = 1000000\n' >"$work/tahoon.toml"
"$target/debug/tahoon" serve --demo --listen "127.0.0.1:$port" --operator-token "$operator_token" \
  --config "$work/tahoon.toml" \
  --database-url "sqlite://$work/tahoon.db" --secrets-file "$work/tahoon.secrets.toml" \
  >"$work/demo.txt" 2>"$work/server.log" &
server=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do curl -fsS "$base/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fsS "$base/healthz" >/dev/null || { cat "$work/server.log" >&2; echo "FATAL: the server did not start" >&2; exit 1; }
# The demo prints each organization's credentials once: the first (standard) one is the partner,
# the second one the organization the operator's fuzzed calls may change.
credential() { grep -m"$2" "$1:" "$work/demo.txt" | tail -1 | awk '{print $2}'; }
access_key=$(credential accessKey 1)
shared_key=$(credential sharedApiKey 1)
decoy=$(credential organizationId 2)
[ -n "$access_key" ] && [ -n "$shared_key" ] && [ -n "$decoy" ] || { echo "FATAL: no demo credentials" >&2; exit 1; }
# Thousands of requests a minute from one partner: beyond the demo's quota of 100 (429 stays
# documented on every partner operation, and the API tests exercise it).
partner=$(credential organizationId 1)
curl -fsS -X PATCH -H "Authorization: Bearer $operator_token" -H 'Content-Type: application/json' \
  -d '{"rateLimitPerMinute": 1000000}' "$base/api/v1/admin/organizations/$partner" >/dev/null

# --- 1. The document is valid ---------------------------------------------------------------
log "openapi-spec-validator $(pip show openapi-spec-validator | awk '/^Version/{print $2}')"
curl -fsS "$base/api/v1/openapi.json" -o "$work/openapi.json"
openapi-spec-validator "$work/openapi.json"

# --- 2. A generated client runs a partner's journey -----------------------------------------
log "openapi-python-client $(pip show openapi-python-client | awk '/^Version/{print $2}'): generate, then token -> register -> search -> book -> cancel"
openapi-python-client generate --path "$work/openapi.json" --output-path "$work/client" --meta none \
  >"$work/generate.log" 2>&1 || { cat "$work/generate.log" >&2; exit 1; }
if grep -qi "warning\|error" "$work/generate.log"; then
  cat "$work/generate.log" >&2
  echo "FATAL: openapi-python-client did not generate every part of the client" >&2
  exit 1
fi
mkdir -p "$work/pythonpath" && mv "$work/client" "$work/pythonpath/tahoon_api_client"
PYTHONPATH="$work/pythonpath" python ci/client_flow.py "$base" "$access_key" "$shared_key"

# --- 3. Fuzzing finds no server error and no response outside the document ------------------
log "schemathesis $(pip show schemathesis | awk '/^Version/{print $2}')"
# schemathesis and Hypothesis keep their state in the working directory: the temporary one.
(
  cd "$work"
  TAHOON_ST_BASE_URL="$base" TAHOON_ST_ACCESS_KEY="$access_key" TAHOON_ST_SHARED_KEY="$shared_key" \
  TAHOON_ST_OPERATOR_TOKEN="$operator_token" TAHOON_ST_DECOY_ORGANIZATION_ID="$decoy" \
  SCHEMATHESIS_HOOKS=schemathesis_hooks PYTHONPATH="$root/ci" \
    st --no-color --config-file "$root/ci/schemathesis.toml" run "$base/api/v1/openapi.json" \
      --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
      --max-examples "${OPENAPI_CHECK_EXAMPLES:-20}" \
      --baseline "$root/ci/schemathesis-baseline.json" "$@"
)
