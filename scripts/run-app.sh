#!/usr/bin/env bash
# Starts the dashboard on http://localhost:8501. First installs what it needs: Debian's chromium
# (for the PDF board pack; optional) and .venv with the project (only when pyproject.toml changed).
# A local store that never held data is seeded with the bundled synthetic sample before the server
# starts. Extra arguments go to `streamlit run`, e.g. `bash scripts/run-app.sh --server.port 8600`.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

if ! command -v chromium >/dev/null 2>&1; then
    apt_install "the PDF board pack is printed with it; the app runs without it" \
        chromium fonts-liberation ||
        echo "Could not install chromium: PDF board packs will be unavailable (HTML still works)." >&2
fi

install_project . ".[test]"

# The same rule as the app (app_support.get_store): only the default local store, and only when
# IMPACT_SEED_SAMPLE is not 0. Done here so that the first page does not wait for it.
if [ -z "${DATABASE_URL:-}" ] && [ "${IMPACT_SEED_SAMPLE:-1}" != 0 ]; then
    say "Opening the local store ${IMPACT_HOME:-.impact}/impact.sqlite (the synthetic sample is" \
        "added on the first run only)..."
    .venv/bin/python -m evaluation store seed --if-empty
fi

say "Starting the dashboard (Streamlit; Ctrl+C stops it)..."
# Until a first run of app.py reaches st.navigation, Streamlit lists every file of pages/ in the
# sidebar. app.py always builds its own navigation, so say so before the server starts: the first
# visitor never sees that list. (Streamlit itself clears this flag the same way once app.py runs.)
launch='import sys
try:
    from streamlit.runtime.pages_manager import PagesManager
    PagesManager.uses_pages_directory = False
except ImportError:
    pass
from streamlit.web.cli import main
sys.argv[0] = "streamlit"
sys.exit(main())'
exec .venv/bin/python -c "$launch" run app.py --server.headless true "$@"
