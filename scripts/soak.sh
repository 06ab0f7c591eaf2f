#!/usr/bin/env bash
# Soak test (issue 7): the release `consultdesk serve` under steady mixed traffic for SOAK_SECONDS
# (default 600) while its email worker delivers to a capturing SMTP server; loopback only, stops by
# itself. The driver is bench/soak.rs (a `harness = false` bench: it runs only with --bench).
#
# What it does:
#   1. builds the release binary (and the driver);
#   2. creates its own database (consultdesk_soak_<uuid>) on DATABASE_URL's server, migrates and
#      seeds it (`consultdesk seed-demo`), creates an admin (`consultdesk staff add`);
#   3. starts the capturing SMTP server (the tests' tests/api/smtp.rs) and `consultdesk serve` on a
#      free 127.0.0.1 port (per-IP rate limits raised: every request comes from one address);
#   4. drives SOAK_RATE requests per second, open loop: practitioner and clinic searches, slot
#      lookups, callback forms, bookings on free slots, staff actions (list, read, confirm and
#      cancel bookings; list and update callback requests); samples the service's RSS every 10 s;
#   5. waits for the outbox to drain, stops the service with SIGTERM, and checks: every 201 has its
#      row and every 200 staff action shows in its row; every due email was delivered exactly once
#      (one copy per Message-ID, outbox `sent` == distinct delivered, nothing `sending`, `failed`
#      or `queued` past due); no 5xx and no broken exchange; the rate held; memory flat (average
#      RSS over the last window at most SOAK_RSS_TOLERANCE above the first window after warm-up;
#      windows of 60 s, or a quarter of the run when shorter); serve exits 0;
#   6. prints requests by endpoint and status with latency p50/p99, the emails, the RSS series;
#      drops its database; exits non-zero if any check failed.
#
# Usage: scripts/soak.sh                 # 10 minutes
#        SOAK_SECONDS=120 scripts/soak.sh
# Environment:
#   DATABASE_URL        a Postgres server with PostGIS on loopback where the soak may create a
#                       database (default postgres://postgres@127.0.0.1:5432/postgres)
#   SOAK_SECONDS        traffic duration, at least 60 (default 600)
#   SOAK_RATE           requests per second, all endpoints together (default 50)
#   SOAK_RSS_TOLERANCE  allowed RSS growth, as a fraction (default 0.20)
#   SOAK_LOG            the service's RUST_LOG (default info); its log is target/soak/serve.log
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

cargo build --release --bin consultdesk
# `cargo bench` builds with the release profile; --bench is what lets the driver run.
exec cargo bench --bench soak "$@"
