#!/usr/bin/env bash
# Booking benchmark (issue 4): throughput and latency p50/p99 of
#   POST /v1/bookings
# against the raw SQL transaction its handler performs (the same statements by hand with sqlx on a
# pool made by db::pool: practitioner + zone, weekly hours, busy intervals, patient upsert, 4 consent
# events, the booking, the booking read back, the booking_requested email, the open-request locks and
# count; no HTTP, JSON, validation, slot check or rendering), both in the same run, reported as ratios
# API/SQL. Every request of both paths comes from one client address, so each path's bookings queue
# one behind the other for the open-request count and the commit (MAX_OPEN_REQUESTS is raised so none
# is refused): the figures are those of one very busy client, not of many.
#
# Every request books a distinct free slot (one clinic, BENCH_PRACTITIONERS practitioners open every
# day 00:00-23:59 in 15-minute slots, the next BENCH_DAYS days, dealt half to each path), so every
# answer must be a 201; at the end the rows are counted (new bookings = requests made). Per-round
# req/s of both paths are printed too, to show how much a busy shared machine moves the figures.
#
# Usage: scripts/bench-bookings.sh
# Environment:
#   DATABASE_URL         a Postgres server with PostGIS, with the right to create databases; the
#                        bench creates a fresh database there (consultdesk_bench_bookings_<uuid>) and
#                        drops it at the end. Unset: an embedded Postgres in target/bench-pg.
#   BENCH_PRACTITIONERS  practitioners (default 200)
#   BENCH_DAYS           days of free slots ahead (default 28: 200 x 28 x 95 = 532,000 slots)
#   BENCH_HISTORY        past (completed) bookings, with their patients, consents and sent emails,
#                        written and analysed before measuring (default 20000). Not 0 in earnest: on
#                        empty tables the path whose connections plan first keeps plans made for
#                        empty tables (sequential scans of patients in the foreign-key checks) and
#                        slows down as the tables fill, which measures the order, not the paths
#   BENCH_CLIENTS        concurrent clients per path (default 16)
#   BENCH_SECONDS        measured seconds per path (default 10), split over...
#   BENCH_ROUNDS         ...this many rounds alternating SQL and API (default 2), so a neighbour's
#                        load on a shared machine weighs on both paths alike
#   RUST_LOG             unset (default): the app logs nothing, as the figures assume. Set it (e.g.
#                        info, what `serve` logs by default) to include logging's cost; logs go to
#                        stderr, so send that to a file: scripts/bench-bookings.sh 2>bench.log
#
# The bench client, the app and Postgres share the machine: on a small one, the client's own CPU
# (building and sending the JSON, reading the answer) counts against the API figures, so read the
# ratios as a lower bound.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# `cargo bench` builds with the release profile.
exec cargo bench --bench bookings "$@"
