#!/usr/bin/env bash
# Installs the project into a virtual environment and starts the dashboard on the embedded default
# store (SQLite), seeded with the bundled synthetic sample on first run.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Debian Chromium prints the PDF board pack; the app itself runs without it.
if ! command -v chromium >/dev/null 2>&1; then
    { as_root apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends \
            chromium fonts-liberation >/dev/null; } ||
        echo "Could not install chromium: PDF board packs will be unavailable (HTML still works)." >&2
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -q --disable-pip-version-check -e .
exec .venv/bin/python -m streamlit run app.py --server.headless true "$@"
