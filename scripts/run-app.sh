#!/usr/bin/env bash
# Installs the project into a virtual environment and starts the dashboard on the embedded default
# store (SQLite), seeded with the bundled synthetic sample on first run.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -q --disable-pip-version-check -e .
exec .venv/bin/python -m streamlit run app.py --server.headless true "$@"
