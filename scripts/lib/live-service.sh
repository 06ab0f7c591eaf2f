# Sourced by the scripts that drive a live `consultdesk serve` over HTTP (scripts/schemathesis.sh,
# scripts/contract-client.sh): the debug binary, a fresh working directory and database, an admin
# made with the CLI, the service started and waited for, and everything stopped and removed on exit
# (kept when the run failed, or with KEEP_WORKDIR=1).
#
#   live_service_prepare NAME   sets root, target_dir, bin, work, port, base; a fresh database
#                               `consultdesk_NAME_<pid>` on DATABASE_URL's server (dropped at the
#                               end), or the embedded Postgres under $work when DATABASE_URL is
#                               unset; exports BIND_ADDR and PUBLIC_BASE_URL; SMTP_URL unset (emails
#                               are .eml files under $work/.consultdesk/mail); cd's into $work.
#   live_service_admin          makes an admin with `staff add`: sets admin_email, admin_password.
#   live_service_start          starts `serve` (log: $work/server.log) and waits for /readyz.
# Callers use `set -euo pipefail`.

live_service_prepare() {
    local name=$1
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    cd "$root"
    target_dir=$(cargo metadata --format-version 1 --no-deps |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
    cargo build --quiet --bin consultdesk
    bin=$target_dir/debug/consultdesk
    mkdir -p "$target_dir/tmp"
    work=$(mktemp -d "$target_dir/tmp/$name.XXXXXX")
    # The embedded Postgres runs as an unprivileged user when we are root: it must traverse this.
    chmod 755 "$work"
    live_admin_url=${DATABASE_URL:-}
    live_db_name=
    server_pid=
    trap live_service_cleanup EXIT
    if [ -n "$live_admin_url" ]; then
        live_db_name=consultdesk_${name//-/_}_$$
        psql "$live_admin_url" -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$live_db_name\"" >/dev/null
        # The same server and credentials, another database.
        DATABASE_URL=$(python3 - "$live_admin_url" "$live_db_name" <<'PY'
import sys, urllib.parse
url = urllib.parse.urlsplit(sys.argv[1])
print(urllib.parse.urlunsplit(url._replace(path="/" + sys.argv[2])))
PY
)
        export DATABASE_URL
        echo "database: $live_db_name (fresh, dropped at the end)"
    else
        unset DATABASE_URL
        echo "database: the embedded Postgres under $work/.consultdesk"
    fi
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    base=http://127.0.0.1:$port
    export BIND_ADDR=127.0.0.1:$port PUBLIC_BASE_URL=$base
    export RUST_LOG=${RUST_LOG:-info,sqlx=warn}
    unset SMTP_URL
    cd "$work"
}

live_service_cleanup() {
    local status=$?
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [ -n "$live_db_name" ]; then
        psql "$live_admin_url" -q -v ON_ERROR_STOP=1 \
            -c "DROP DATABASE IF EXISTS \"$live_db_name\" WITH (FORCE)" >/dev/null 2>&1 ||
            echo "warning: could not drop the database $live_db_name" >&2
    fi
    if [ "${KEEP_WORKDIR:-}" = 1 ] || [ "$status" -ne 0 ]; then
        echo "kept $work (server log, emails, reports)" >&2
    else
        rm -rf "$work"
    fi
    exit "$status"
}

live_service_admin() {
    admin_email=${1:-live-admin@clinic.example}
    admin_password=$(head -c 24 /dev/urandom | base64)
    printf '%s\n' "$admin_password" |
        "$bin" staff add --email "$admin_email" --name "Live Admin" --role admin >>"$work/setup.log" 2>&1 ||
        { cat "$work/setup.log" >&2; exit 1; }
}

live_service_start() {
    "$bin" serve >"$work/server.log" 2>&1 &
    server_pid=$!
    local deadline=$((SECONDS + 60))
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
}
