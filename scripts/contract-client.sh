#!/usr/bin/env bash
# The contract-only client (scripts/contract_client.py, Python's standard library only) against a
# live `consultdesk serve`: the manage link and page (issue 15) and the front desk's console (issue
# 16), driven as docs/API.md describes them, knowing nothing else of the service. Emails are read
# from the .eml files `serve` writes when SMTP_URL is unset.
#
# Usage: scripts/contract-client.sh
# Environment: DATABASE_URL as for scripts/schemathesis.sh (unset: the embedded Postgres, in a fresh
# working directory); KEEP_WORKDIR=1 keeps the working directory (server log, emails).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

target_dir=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
cargo build --quiet --bin consultdesk
bin=$target_dir/debug/consultdesk

mkdir -p "$target_dir/tmp"
work=$(mktemp -d "$target_dir/tmp/contract-client.XXXXXX")
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
        psql "$admin_url" -q -c "DROP DATABASE IF EXISTS \"$db_name\" WITH (FORCE)" >/dev/null 2>&1 || true
    fi
    if [ "${KEEP_WORKDIR:-}" = 1 ] || [ "$status" -ne 0 ]; then
        echo "kept $work (server log, emails)" >&2
    else
        rm -rf "$work"
    fi
    exit "$status"
}
trap cleanup EXIT

if [ -n "$admin_url" ]; then
    db_name=consultdesk_contract_$$
    psql "$admin_url" -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$db_name\"" >/dev/null
    DATABASE_URL=$(python3 - "$admin_url" "$db_name" <<'PY'
import sys, urllib.parse
url = urllib.parse.urlsplit(sys.argv[1])
print(urllib.parse.urlunsplit(url._replace(path="/" + sys.argv[2])))
PY
)
    export DATABASE_URL
else
    unset DATABASE_URL
fi

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
export BIND_ADDR=127.0.0.1:$port PUBLIC_BASE_URL=$base RUST_LOG=${RUST_LOG:-info,sqlx=warn}
unset SMTP_URL

cd "$work"
admin_email=contract-admin@clinic.example
admin_password=$(head -c 24 /dev/urandom | base64)
printf '%s\n' "$admin_password" |
    "$bin" staff add --email "$admin_email" --name "Contract Admin" --role admin >"$work/setup.log" 2>&1 ||
    { cat "$work/setup.log" >&2; exit 1; }
"$bin" serve >"$work/server.log" 2>&1 &
server_pid=$!
deadline=$((SECONDS + 60))
until curl -fsS -o /dev/null "$base/readyz" 2>/dev/null; do
    kill -0 "$server_pid" 2>/dev/null || { tail -n 30 "$work/server.log" >&2; exit 1; }
    [ "$SECONDS" -lt "$deadline" ] || { echo "not ready within 60 s" >&2; tail -n 30 "$work/server.log" >&2; exit 1; }
    sleep 0.5
done
python3 "$root/scripts/contract_client.py" "$base" "$work/.consultdesk/mail" "$admin_email" "$admin_password"
