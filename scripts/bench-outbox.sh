#!/usr/bin/env bash
# Outbox benchmark (issue 5): emails per second the email worker drains from a 10,000-row outbox
# into a local SMTP sink (a minimal server inside the bench that answers 250 to everything),
# against the same sink fed directly by a minimal lettre loop (pooled AsyncSmtpTransport, a
# comparable message built for each email), both in the same run and at the same concurrency:
# SMTP_POOL_SIZE (8) emails in flight on a pool of 8 connections. Prints both rates and the ratio.
# Target: the worker at least 80% of the loop.
#
# The worker's figure includes everything it does per email: claiming in batches with
# FOR UPDATE SKIP LOCKED, reading the clinic, signing the unsubscribe link, rendering the templates,
# building the MIME message and recording the SMTP answer in the row.
#
# Usage: scripts/bench-outbox.sh
# Environment:
#   DATABASE_URL   a Postgres server (with PostGIS) where the bench may create a database; it makes a
#                  fresh one per run, migrates it and drops it at the end. Unset: the machine's
#                  Postgres at postgres://postgres@127.0.0.1:5432/postgres, as for bench/run.
#   BENCH_EMAILS   emails per path (default 10000)
#   BENCH_SINK     quick | delayed | both (default both). lettre 0.11.23 sends a message's body and
#                  its final dot as two writes without TCP_NODELAY, so against a Linux server that
#                  delays its ACKs (40 ms) every message waits 40 ms (lettre PR #1159 fixes it
#                  upstream). `delayed`: the sink ACKs like any Linux SMTP server, as production
#                  sees it; `quick`: the sink sets TCP_QUICKACK before each body, so the figures show
#                  the code's own cost.
#   BENCH_BATCH_SIZE  rows the worker claims per round (default: the worker's default, 50)
#   RUST_LOG       unset (default): nothing is logged. Set it (e.g. info, what the worker logs by
#                  default) to include logging's cost; logs go to stderr.
#
# The sink, the worker, lettre and Postgres share the machine: on a small one, read the ratio as
# what this machine gives, not as a property of the code alone.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# `cargo bench` builds with the release profile.
exec cargo bench --bench outbox "$@"
