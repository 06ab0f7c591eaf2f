#!/usr/bin/env bash
# Checks that the committed openapi.yaml is a document website developers can use (issue 13):
#   1. it validates as OpenAPI (openapi-spec-validator from PyPI, pinned, in target/openapi-check-venv);
#   2. openapi-typescript (npm, pinned in scripts/openapi-check/package-lock.json) turns it into
#      TypeScript types, and a small file using them compiles under `tsc --strict`.
# That the file matches the code is the `openapi` api test's job; this checks the file itself.
#
# Usage: scripts/check-openapi.sh [path/to/openapi.yaml]   (default: openapi.yaml at the root)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
document=$(realpath "${1:-openapi.yaml}")

validator_version=0.9.0
target_dir=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
venv=$target_dir/openapi-check-venv

# --- 1. openapi-spec-validator ----------------------------------------------------------------------
if ! "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('openapi-spec-validator') != '$validator_version')" 2>/dev/null; then
    echo "installing openapi-spec-validator $validator_version into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "openapi-spec-validator==$validator_version"
fi
echo "==> openapi-spec-validator $validator_version"
# On failure it prints the whole document; the first lines say what is wrong.
"$venv/bin/openapi-spec-validator" "$document" > "$target_dir/openapi-spec-validator.log" 2>&1 ||
    { cut -c1-600 "$target_dir/openapi-spec-validator.log" | head -n 20 >&2; exit 1; }
cat "$target_dir/openapi-spec-validator.log"

# --- 2. openapi-typescript, then tsc --strict ---------------------------------------------------------
cd scripts/openapi-check
if [ ! -x node_modules/.bin/openapi-typescript ] || [ ! -x node_modules/.bin/tsc ] ||
    [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "installing openapi-typescript and typescript (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
fi
mkdir -p generated
echo "==> openapi-typescript $(node_modules/.bin/openapi-typescript --version 2>/dev/null | tail -n 1)"
node_modules/.bin/openapi-typescript "$document" --output generated/api.ts
echo "==> tsc --strict"
node_modules/.bin/tsc --strict --noEmit --target es2022 --module es2022 --moduleResolution bundler \
    --skipLibCheck false uses-the-types.ts generated/api.ts
echo "openapi.yaml: valid, and its TypeScript types compile under --strict"
