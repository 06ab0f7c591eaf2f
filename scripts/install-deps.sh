#!/usr/bin/env bash
# Installs the system packages consultdesk needs on Debian/Ubuntu: the PostgreSQL server programs
# (for the embedded database used when DATABASE_URL is unset), PostGIS for every installed server
# version, and Chromium with its WebDriver (the browser test, tests/api/browser.rs). Idempotent:
# silent and changes nothing when everything is already present.
set -euo pipefail

if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo); fi
# Wait for a concurrent apt/dpkg (e.g. unattended-upgrades) instead of failing on its lock.
APT=(apt-get -q -o DPkg::Lock::Timeout=300)
apt_updated=false

apt_install() {
    if ! command -v apt-get >/dev/null; then
        echo "install-deps: apt-get not found; install these yourself: $*" >&2
        exit 1
    fi
    echo "install-deps: installing $*"
    if ! $apt_updated; then
        "${SUDO[@]}" "${APT[@]}" update
        apt_updated=true
    fi
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive "${APT[@]}" install -y "$@"
}

# The same search as src/embedded_pg.rs: initdb, pg_ctl and postgres on PATH, or in one of
# Debian's per-version directories.
have_server_programs() {
    if command -v initdb >/dev/null && command -v pg_ctl >/dev/null && command -v postgres >/dev/null; then
        return 0
    fi
    local bin
    for bin in /usr/lib/postgresql/*/bin; do
        if [ -x "$bin/initdb" ] && [ -x "$bin/pg_ctl" ] && [ -x "$bin/postgres" ]; then
            return 0
        fi
    done
    return 1
}

if ! have_server_programs; then
    apt_install postgresql
fi

# PostGIS is built per server major version; the migrations need it in whichever one runs.
for bin in /usr/lib/postgresql/*/bin; do
    [ -x "$bin/postgres" ] || continue
    version=$(basename "$(dirname "$bin")")
    if [ ! -f "/usr/share/postgresql/$version/extension/postgis.control" ]; then
        apt_install "postgresql-$version-postgis-3"
    fi
done

# The browser test drives Debian's Chromium through chromedriver at these paths.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    apt_install chromium chromium-driver
fi

# axe-core, which the browser tests inject into each page to find accessibility faults (npm,
# pinned in tests/browser/package-lock.json; needs Node.js and npm).
if [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
    if ! command -v npm >/dev/null; then
        apt_install nodejs npm
    fi
    echo "install-deps: installing axe-core (npm ci in tests/browser)"
    (cd "$(dirname "${BASH_SOURCE[0]}")/../tests/browser" && npm ci --no-audit --no-fund --loglevel=error)
fi
