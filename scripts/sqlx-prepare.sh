#!/usr/bin/env bash
# Regenerates .sqlx/, the offline query data every sqlx `query!` macro compiles against, by
# compiling the crate against a scratch database migrated to this checkout's migrations.
#   scripts/sqlx-prepare.sh          rewrite .sqlx/ (commit the result with the query change)
#   scripts/sqlx-prepare.sh --check  fail when the committed .sqlx/ is not what the code needs (CI)
# It needs a Postgres with PostGIS: SQLX_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/postgres.
# The same job as `cargo sqlx prepare [--check]`, without installing sqlx-cli.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

mode=write
case "${1:-}" in
    "") ;;
    --check) mode=check ;;
    *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

admin_url=${SQLX_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
server_url=${admin_url%/*}
scratch=consultdesk_sqlx_prepare_$$
output=$(mktemp -d)
cleanup() {
    psql "$admin_url" -qXc "DROP DATABASE IF EXISTS $scratch WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$output"
}
trap cleanup EXIT

psql "$admin_url" -qXc "CREATE DATABASE $scratch" >/dev/null
# psql rather than the binary's own `migrate`: the binary cannot be built while .sqlx is stale.
for migration in migrations/*.sql; do
    psql "$server_url/$scratch" -qX -v ON_ERROR_STOP=1 --single-transaction -f "$migration" >/dev/null
done

# The macros run when rustc compiles the crate; cargo does not see the environment change, so
# every file holding a query is touched to make it recompile and describe each query afresh.
{ grep -rlE 'query(_as|_scalar)?(_unchecked)?!' src tests bench || true; } | xargs -r touch
SQLX_OFFLINE=false DATABASE_URL="$server_url/$scratch" SQLX_OFFLINE_DIR="$output" \
    cargo check --quiet --all-targets

if [ "$mode" = check ]; then
    if ! diff -r .sqlx "$output" >/dev/null 2>&1; then
        diff -r .sqlx "$output" | head -n 40 >&2 || true
        echo "the committed .sqlx/ does not match the queries in the code: run scripts/sqlx-prepare.sh and commit .sqlx/" >&2
        exit 1
    fi
    echo ".sqlx/ matches the $(ls "$output" | wc -l) queries in the code"
else
    rm -rf .sqlx
    mkdir -p .sqlx
    cp "$output"/*.json .sqlx/ 2>/dev/null || true
    echo "wrote $(ls .sqlx | wc -l) query files to .sqlx/"
fi
