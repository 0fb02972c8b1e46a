#!/usr/bin/env bash
# Make sure .venv exists and holds the project installed with its dev extras.
# Re-installs only when pyproject.toml changed since the last successful
# install (tracked by the stamp file .venv/.installed-<sha256 of pyproject.toml>).
# Called by scripts/serve.sh and scripts/test.sh.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ ! -f pyproject.toml ]]; then
    echo "venv.sh: pyproject.toml not found in $(pwd); cannot install the project" >&2
    exit 1
fi

if [[ ! -x .venv/bin/python ]]; then
    echo "venv.sh: creating .venv" >&2
    python3 -m venv .venv
fi

hash=$(python3 -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' pyproject.toml)
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
