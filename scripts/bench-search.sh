#!/usr/bin/env bash
# Search benchmark (issue 3): latency p50/p99 and throughput of
#   GET /v1/practitioners?near=LAT,LNG&radius_km=25&limit=20
# against the same query run straight in SQL (search::practitioners_near on a pool made by
# db::pool), both in the same run, over 100,000 generated practitioners
# (`consultdesk seed-demo --practitioners 100000` data); then EXPLAIN (ANALYZE, BUFFERS) of the query
# (it must use practitioners_location_gist) and the cost of JIT on it (the app's connections have JIT off).
# Targets: API p99 under 10 ms at 16 concurrent clients, API throughput >= 60% of raw SQL's.
#
# Usage: scripts/bench-search.sh
# Environment:
#   DATABASE_URL         a Postgres server with PostGIS, with the right to create databases; the
#                        bench makes and keeps its own database there (consultdesk_bench_100k), so
#                        the second run skips seeding. Unset: an embedded Postgres in target/bench-pg.
#   BENCH_PRACTITIONERS  generated practitioners (default 100000)
#   BENCH_CLIENTS        concurrent clients per path (default 16)
#   BENCH_SECONDS        measured seconds per path (default 10), split over...
#   BENCH_ROUNDS         ...this many rounds alternating SQL and API (default 2), so a neighbour's
#                        load on a shared machine weighs on both paths alike
#   RUST_LOG             unset (default): the app logs nothing, as the figures assume. Set it (e.g.
#                        info, what `serve` logs by default) to include logging's cost; logs go to
#                        stderr, so send that to a file: scripts/bench-search.sh 2>bench.log
#
# The bench client, the app and Postgres share the machine: on a small one, the client's own CPU
# counts against the API figures (and the SQL ones), so read the ratio as a lower bound.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# `cargo bench` builds with the release profile.
exec cargo bench --bench search "$@"
