#!/usr/bin/env bash
# Makes a fresh checkout runnable: Debian packages (as root) and node_modules in step with the lockfile.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh >/dev/null
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "bootstrap: installing npm packages (npm ci)…" >&2
  npm ci --no-audit --no-fund >&2
fi
