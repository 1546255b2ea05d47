#!/usr/bin/env bash
# Sets up everything the tests need on a Debian machine, then runs pytest with the given arguments
# (the whole suite when there are none). Run as root, or as a user who may use sudo.
#   1. Debian's chromium (the browser tests drive it through Playwright);
#   2. a local PostgreSQL server with the database `test`, reachable by the tests as
#      postgres@127.0.0.1:5432 without a password (skipped when IMPACT_TEST_POSTGRES_URL is set);
#   3. .venv with the project and its test extras (skipped when pyproject.toml is unchanged);
#   4. axe-core from the npm registry into .cache/axe (git-ignored) for the accessibility checks
#      of the browser tests (Debian's nodejs and npm first when npm is missing).
# What already works is left as it is: on a prepared machine nothing is installed or changed.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

PG_PORT=5432
HBA_MARK="# maths-hubs-impact tests:"

# Can the tests connect? (the same address, user and database as tests/conftest.py)
pg_reachable() {
    command -v psql >/dev/null 2>&1 &&
        PGCONNECT_TIMEOUT=5 psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d test -w -Atqc 'select 1' \
            >/dev/null 2>&1
}

# Run a command as the postgres system user (Debian lets it in over the local socket).
as_postgres() {
    if [ "$(id -u)" = 0 ]; then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && sudo -u postgres "$@")
    fi
}

setup_postgres() {
    if [ -n "${IMPACT_TEST_POSTGRES_URL:-}" ]; then
        say "The store tests use IMPACT_TEST_POSTGRES_URL: no local PostgreSQL set-up."
        return 0
    fi
    say "Checking the PostgreSQL test database (postgres@127.0.0.1:$PG_PORT/test)..."
    if pg_reachable; then
        echo "It answers: nothing to set up."
        return 0
    fi

    if ! command -v pg_ctlcluster >/dev/null 2>&1; then
        apt_install "the store tests also run against a real PostgreSQL server" postgresql
    fi

    local version name status
    read -r version name status < <(pg_lsclusters -h | awk -v port="$PG_PORT" \
        '$3 == port { print $1, $2, $4; exit }') || true
    if [ -z "${version:-}" ]; then
        if [ -n "$(pg_lsclusters -h)" ]; then
            echo "PostgreSQL has clusters, but none on port $PG_PORT (pg_lsclusters). Start one" \
                "there, or set IMPACT_TEST_POSTGRES_URL to the server the tests should use." >&2
            return 1
        fi
        version=$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)
        name=main
        status=down
        say "Creating the PostgreSQL cluster $version/$name on port $PG_PORT (pg_createcluster)..."
        as_root pg_createcluster "$version" "$name" --port "$PG_PORT"
    fi
    if [ "$status" != online ]; then
        say "Starting PostgreSQL $version/$name" \
            "(pg_ctlcluster --skip-systemctl-redirect $version $name start)..."
        as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$name" start
    fi
    for _ in $(seq 30); do
        pg_isready -q -h 127.0.0.1 -p "$PG_PORT" && break
        sleep 1
    done

    local exists
    exists=$(as_postgres psql -p "$PG_PORT" -Atqc "select 1 from pg_database where datname = 'test'")
    if [ "$exists" != 1 ]; then
        say "Creating the test database 'test' (createdb test, as the postgres user)..."
        as_postgres createdb -p "$PG_PORT" test
    fi

    if ! pg_reachable; then
        local hba
        hba=$(as_postgres psql -p "$PG_PORT" -Atqc 'show hba_file')
        if ! as_root grep -qF "$HBA_MARK" "$hba"; then
            say "Letting the tests into database 'test' as postgres without a password, from" \
                "this machine only: adding two lines at the top of $hba and reloading..."
            local rules tmp
            rules="$HBA_MARK password-less access to database test, from this machine only
host    test    postgres    127.0.0.1/32    trust
host    test    postgres    ::1/128         trust
"
            printf '%s' "$rules"
            tmp=$(mktemp)
            { printf '%s' "$rules"; as_root cat "$hba"; } >"$tmp"
            as_root tee "$hba" <"$tmp" >/dev/null # keeps the file's owner and mode
            rm -f "$tmp"
            as_postgres psql -p "$PG_PORT" -Atqc 'select pg_reload_conf()' >/dev/null
        fi
        for _ in $(seq 10); do
            pg_reachable && break
            sleep 1
        done
    fi

    if ! pg_reachable; then
        echo "The tests still cannot connect to postgres@127.0.0.1:$PG_PORT/test:" >&2
        PGCONNECT_TIMEOUT=5 psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d test -w -c 'select 1' \
            >/dev/null || true
        return 1
    fi
    echo "The test database is ready."
}

if ! command -v chromium >/dev/null 2>&1; then
    apt_install "the browser tests drive it" chromium fonts-liberation
fi
setup_postgres
install_project ".[test]"

AXE_DIR=.cache/axe
if [ ! -f "$AXE_DIR/node_modules/axe-core/axe.min.js" ]; then
    if ! command -v npm >/dev/null 2>&1; then
        apt_install "npm installs axe-core, the accessibility checker of the browser tests" \
            nodejs npm
    fi
    say "Installing axe-core 4 from the npm registry into $AXE_DIR (npm install)..."
    mkdir -p "$AXE_DIR"
    npm install --prefix "$AXE_DIR" --no-audit --no-fund --no-save axe-core@4
fi

# Three worker processes (pytest-xdist) for the 2-core machine the suite is timed on: one per core,
# and a third because the worker running the browser tests mostly waits for Chromium and the
# streamlit server. --dist loadfile hands out whole test files, so a module's expensive fixtures
# (seeded stores, the browser tests' servers, analysed samples) are built once, not once on each
# worker: on the same code that took 15% less CPU and 8% less time than handing out single tests.
# PYTEST_WORKERS sets the number (0: all in this process, e.g. for --pdb); arguments given here
# come after these and win.
WORKERS=${PYTEST_WORKERS:-3}
say "Running the tests: pytest -n $WORKERS --dist loadfile $* (one dot per test passed)..."
set +e
.venv/bin/python -m pytest -n "$WORKERS" --dist loadfile "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests: treating that as a failure." >&2
    exit 1
fi
exit "$status"
