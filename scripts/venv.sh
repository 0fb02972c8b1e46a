#!/usr/bin/env bash
# Make sure .venv exists, runs Python >= 3.12 and holds the project installed with its dev extras.
# The interpreter is the first of python3.12, python3.13, python3 on PATH that runs and is new enough,
# then pyenv's ~/.pyenv/versions/3.12*, 3.13* (PYTHON=/path/to/python overrides the search): 3.12 first
# because the Docker image and CI run it. A .venv on an
# older Python is recreated. Re-installs only when pyproject.toml changed since the last successful
# install (tracked by the stamp file .venv/.installed-<sha256 of pyproject.toml>).
# Called by scripts/serve.sh and scripts/test.sh.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

MIN_MINOR=12  # Python 3.12: hogql-parser-rs ships cp312-abi3 wheels only.

if [[ ! -f pyproject.toml ]]; then
    echo "venv.sh: pyproject.toml not found in $(pwd); cannot install the project" >&2
    exit 1
fi

# True when "$1" runs (a pyenv shim for a version not selected exits non-zero) and is Python >= 3.MIN_MINOR.
new_enough() {
    "$1" -c "import sys; sys.exit(0 if sys.version_info >= (3, $MIN_MINOR) else 1)" >/dev/null 2>&1
}

find_python() {
    local candidate
    if [[ -n "${PYTHON:-}" ]]; then
        new_enough "$PYTHON" && { echo "$PYTHON"; return 0; }
        echo "venv.sh: PYTHON=$PYTHON is not a Python >= 3.$MIN_MINOR" >&2
        return 1
    fi
    for candidate in python3.12 python3.13 python3; do
        if command -v "$candidate" >/dev/null 2>&1 && new_enough "$candidate"; then
            command -v "$candidate"
            return 0
        fi
    done
    # pyenv's versions, newest patch first, whether or not one is selected (its shims run selected ones only).
    local root="${PYENV_ROOT:-$HOME/.pyenv}/versions"
    for candidate in $(printf '%s\n' "$root"/3.12*/bin/python | sort -rV) \
        $(printf '%s\n' "$root"/3.13*/bin/python | sort -rV); do
        if [[ -x "$candidate" ]] && new_enough "$candidate"; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

if [[ ! -x .venv/bin/python ]] || ! new_enough .venv/bin/python; then
    if ! python=$(find_python); then
        cat >&2 <<MSG
venv.sh: no Python 3.$MIN_MINOR or newer found (looked for python3.12, python3.13 and python3 on PATH,
and under ${PYENV_ROOT:-$HOME/.pyenv}/versions/). insights-server needs Python >= 3.$MIN_MINOR. Install one:
  Debian 13 / Ubuntu 24.04:  sudo apt-get install python3 python3-venv
  older Debian/Ubuntu:       pyenv install 3.12   (https://github.com/pyenv/pyenv#installation)
  macOS:                     brew install python@3.12
or point PYTHON at one: PYTHON=/path/to/python3.12 $0
MSG
        exit 1
    fi
    if [[ -x .venv/bin/python ]]; then
        echo "venv.sh: .venv runs $(.venv/bin/python -V 2>&1); recreating it with $python" >&2
        rm -rf .venv
    fi
    echo "venv.sh: creating .venv with $python ($("$python" -V 2>&1))" >&2
    "$python" -m venv .venv
fi

hash=$(.venv/bin/python -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' pyproject.toml)
stamp=".venv/.installed-${hash}"

if [[ ! -f "$stamp" ]]; then
    echo "venv.sh: pyproject.toml changed, installing '.[dev]' into .venv" >&2
    # pip's -q does not silence the build backend's warnings: keep the output
    # and show it only when the install fails.
    if ! out=$(.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]' 2>&1); then
        printf '%s\n' "$out" >&2
        echo "venv.sh: pip install -e '.[dev]' failed" >&2
        exit 1
    fi
    rm -f .venv/.installed-*
    touch "$stamp"
fi
