#!/usr/bin/env bash
# Contract fuzzing (issue 7): Schemathesis, from PyPI, against a live `consultdesk serve` and the
# committed `openapi.yaml`. Every operation; generated bodies, parameters and headers; staff and admin
# operations with a real admin token. Fails on any failure of the five checks below.
#
#   schemathesis 4.32.5 (pinned; installed into target/schemathesis-venv)
#   checks: not_a_server_error, status_code_conformance, content_type_conformance,
#           response_schema_conformance, response_headers_conformance
#   --seed 1 --max-examples 100 --workers 2 --request-timeout 30 --generation-database none
#   phases: examples, coverage, fuzzing (the stateful phase is skipped: it chains links, of which the
#           document declares none, and would only add minutes)
#   DELETE /v1/staff/sessions/current runs in a second, separate pass with its own token, so
#   signing out cannot revoke the admin token the first pass uses.
#   Took about TODO on 2 cores (debug build already there; a first run adds the venv and the build).
#
# Usage: scripts/schemathesis.sh
# Environment:
#   DATABASE_URL          a Postgres server (with PostGIS) where the run may create a database: it
#                         makes a fresh one and drops it at the end. Unset: the embedded Postgres,
#                         in a fresh temporary working directory (so `.consultdesk/` is new).
#   SCHEMATHESIS_SEED     default 1
#   SCHEMATHESIS_EXAMPLES examples per operation, default 100
#   KEEP_WORKDIR=1        keep the temporary directory (server log, emails, JUnit report)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
started=$SECONDS

schemathesis_version=4.32.5
seed=${SCHEMATHESIS_SEED:-1}
examples=${SCHEMATHESIS_EXAMPLES:-100}
checks=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance
sign_out_path=/v1/staff/sessions/current

target_dir=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
venv=$target_dir/schemathesis-venv

# --- Schemathesis, in its own virtual environment -------------------------------------------------
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -qx "schemathesis, version $schemathesis_version"; then
    echo "installing schemathesis $schemathesis_version into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$schemathesis_version"
fi
python=$venv/bin/python

# --- The binary ------------------------------------------------------------------------------------
cargo build --quiet --bin consultdesk
bin=$target_dir/debug/consultdesk

# --- A fresh working directory and database --------------------------------------------------------
mkdir -p "$target_dir/tmp"
work=$(mktemp -d "$target_dir/tmp/schemathesis.XXXXXX")
# The embedded Postgres runs as an unprivileged user when we are root: it must traverse this.
chmod 755 "$work"
admin_url=${DATABASE_URL:-}
db_name=
server_pid=

cleanup() {
    local status=$?
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [ -n "$db_name" ]; then
        psql "$admin_url" -q -v ON_ERROR_STOP=1 \
            -c "DROP DATABASE IF EXISTS \"$db_name\" WITH (FORCE)" >/dev/null 2>&1 ||
            echo "warning: could not drop the database $db_name" >&2
    fi
    if [ "${KEEP_WORKDIR:-}" = 1 ] || [ "$status" -ne 0 ]; then
        echo "kept $work (server log, emails, report)" >&2
    else
        rm -rf "$work"
    fi
    exit "$status"
}
trap cleanup EXIT

if [ -n "$admin_url" ]; then
    db_name=consultdesk_schemathesis_$$
    psql "$admin_url" -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$db_name\"" >/dev/null
    # The same server and credentials, another database.
    DATABASE_URL=$("$python" - "$admin_url" "$db_name" <<'EOF'
import sys, urllib.parse
url = urllib.parse.urlsplit(sys.argv[1])
print(urllib.parse.urlunsplit(url._replace(path="/" + sys.argv[2])))
EOF
)
    export DATABASE_URL
    echo "database: $db_name (fresh, dropped at the end)"
else
    unset DATABASE_URL
    echo "database: the embedded Postgres under $work/.consultdesk"
fi

port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
export BIND_ADDR=127.0.0.1:$port PUBLIC_BASE_URL=$base
# High limits: the run sends thousands of public requests from one address.
export PUBLIC_RATE_LIMIT=1000000/s PUBLIC_READ_RATE_LIMIT=1000000/s
# No SMTP: emails are written under $work/.consultdesk/mail.
unset SMTP_URL CORS_ORIGINS
export RUST_LOG=${RUST_LOG:-info,sqlx=warn}

cd "$work"
# With the embedded Postgres, these start and stop it themselves, so they run before `serve`.
admin_email=schemathesis-admin@clinic.example
admin_password=$(head -c 24 /dev/urandom | base64)
printf '%s\n' "$admin_password" |
    "$bin" staff add --email "$admin_email" --name "Schemathesis Admin" --role admin >"$work/setup.log" 2>&1 ||
    { cat "$work/setup.log" >&2; exit 1; }
"$bin" seed-demo >>"$work/setup.log" 2>&1 || { cat "$work/setup.log" >&2; exit 1; }

"$bin" serve >"$work/server.log" 2>&1 &
server_pid=$!
deadline=$((SECONDS + 60))
until curl -fsS -o /dev/null "$base/readyz" 2>/dev/null; do
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "consultdesk serve exited before it was ready:" >&2
        tail -n 30 "$work/server.log" >&2
        exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
        echo "consultdesk serve was not ready within 60 s:" >&2
        tail -n 30 "$work/server.log" >&2
        exit 1
    fi
    sleep 0.5
done
echo "consultdesk serve ready at $base"

sign_in() {
    curl -fsS "$base/v1/staff/sessions" -H 'content-type: application/json' \
        -d "$("$python" -c 'import json, sys; print(json.dumps({"email": sys.argv[1], "password": sys.argv[2]}))' \
            "$admin_email" "$admin_password")" |
        "$python" -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}
token=$(sign_in)
sign_out_token=$(sign_in)

run_schemathesis() {
    local name=$1 token=$2
    shift 2
    echo "==> schemathesis: $name"
    "$venv/bin/schemathesis" run "$root/openapi.yaml" \
        --url "$base" \
        --checks "$checks" \
        --seed "$seed" \
        --max-examples "$examples" \
        --phases examples,coverage,fuzzing \
        --workers 1 \
        --request-timeout 30 \
        --generation-database none \
        --header "Authorization: Bearer $token" \
        --no-color \
        --report junit --report-junit-path "$work/report-$name.xml" \
        "$@"
}

failed=()
run_schemathesis all-but-sign-out "$token" --exclude-path "$sign_out_path" || failed+=(all-but-sign-out)
run_schemathesis sign-out "$sign_out_token" --include-path "$sign_out_path" || failed+=(sign-out)

kill -TERM "$server_pid"
server_status=0
wait "$server_pid" || server_status=$?
server_pid=
internal_errors=$(grep -cE 'internal error|panicked' "$work/server.log" || true)

echo "==> summary"
echo "schemathesis $schemathesis_version, seed $seed, $examples examples per operation, $((SECONDS - started)) s in all"
echo "server: exit $server_status after SIGTERM; $internal_errors internal error(s) logged"
if [ "${#failed[@]}" -gt 0 ] || [ "$server_status" -ne 0 ] || [ "$internal_errors" -ne 0 ]; then
    echo "FAILED: ${failed[*]:-}" >&2
    grep -E 'internal error|panicked' "$work/server.log" | head -n 20 >&2 || true
    exit 1
fi
echo "passed: zero failures"
