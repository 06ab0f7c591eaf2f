#!/usr/bin/env bash
# The contract-only client (scripts/contract_client.py, Python's standard library only) against a
# live `consultdesk serve`: the manage link and page (issue 15) and the front desk's console (issue
# 16), driven as docs/API.md describes them, knowing nothing else of the service; then the website's
# forms (issue 17, scripts/widget_client.py): a clinic's page on another origin (a local "website"
# at http://localhost:SITE_PORT, the one origin in CORS_ORIGINS) whose <consultdesk-finder>,
# <consultdesk-booking> and <consultdesk-callback> are driven in headless Chromium through
# chromedriver's WebDriver API. Emails are read from the .eml files `serve` writes when SMTP_URL is
# unset.
#
# Usage: scripts/contract-client.sh
# Environment: DATABASE_URL as for scripts/schemathesis.sh (unset: the embedded Postgres, in a fresh
# working directory); KEEP_WORKDIR=1 keeps the working directory (server log, emails).
set -euo pipefail
# shellcheck source=scripts/lib/live-service.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/live-service.sh"
live_service_prepare contract-client
live_service_admin contract-admin@clinic.example
# The clinic's website for the widgets: another origin than the service's http://127.0.0.1:$port
# (another host name), the only one allowed to call the public API from a browser.
site_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export CORS_ORIGINS=http://localhost:$site_port
live_service_start
python3 "$root/scripts/contract_client.py" "$base" "$work/.consultdesk/mail" "$admin_email" "$admin_password"
python3 "$root/scripts/widget_client.py" "$base" "$work/.consultdesk/mail" "$admin_email" "$admin_password" "$site_port"
