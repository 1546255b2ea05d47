# Shared by run-app.sh and run-tests.sh (sourced from the repository root, never run on its own):
# progress messages, commands that need root, Debian packages and the project's virtual environment.

# A step the user should see: "==> Installing ...".
say() { printf '\n==> %s\n' "$*"; }

# Run a command as root: directly when we are root, else through sudo.
as_root() {
    if [ "$(id -u)" = 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "This step needs root: run the script as root, or install sudo. Command: $*" >&2
        return 1
    fi
}

# apt_install WHY PACKAGE...: install Debian packages, saying which and why.
apt_install() {
    local why=$1
    shift
    say "Installing $* (Debian packages): $why..."
    as_root apt-get update -q &&
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}

# install_project TARGET [ALSO_ACCEPTED...]: pip-install the project (TARGET is "." or ".[test]")
# into .venv, creating it if needed. Skipped when .venv/.installed-hash shows that this same
# pyproject.toml was already installed from this directory as TARGET or one of ALSO_ACCEPTED
# (delete that file to force a reinstall).
install_project() {
    local target=$1 hash stamp=.venv/.installed-hash wanted
    hash=$(sha256sum pyproject.toml | cut -d' ' -f1)
    if [ -f "$stamp" ]; then
        for wanted in "$@"; do
            if [ "$(cat "$stamp")" = "$hash $PWD $wanted" ]; then
                say "The project is installed in .venv and pyproject.toml is unchanged: nothing to install."
                return 0
            fi
        done
    fi
    if [ ! -x .venv/bin/python ]; then
        if ! command -v python3 >/dev/null 2>&1; then
            apt_install "Python runs the project" python3 python3-venv
        fi
        if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
            echo "Python 3.11 or newer is needed; python3 is $(python3 --version 2>&1)." >&2
            return 1
        fi
        say "Creating the virtual environment .venv (python3 -m venv)..."
        if ! python3 -m venv .venv; then
            rm -rf .venv
            apt_install "python3 -m venv needs it" python3-venv
            python3 -m venv .venv
        fi
    fi
    say "Updating pip in .venv..."
    .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
    say "Installing the project and its dependencies into .venv (pip install -e '$target')..."
    .venv/bin/python -m pip install --disable-pip-version-check -e "$target"
    echo "$hash $PWD $target" >"$stamp"
}
