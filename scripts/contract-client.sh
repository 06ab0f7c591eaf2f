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
# shellcheck source=scripts/lib/live-service.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/live-service.sh"
live_service_prepare contract-client
live_service_admin contract-admin@clinic.example
live_service_start
python3 "$root/scripts/contract_client.py" "$base" "$work/.consultdesk/mail" "$admin_email" "$admin_password"
