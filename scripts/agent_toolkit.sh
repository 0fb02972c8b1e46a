#!/usr/bin/env bash
# Node.js and the official @posthog/agent-toolkit for tests/test_agent_toolkit.py, installed when missing.
# Node comes from apt-get (as root; otherwise it must be on PATH); the toolkit, pinned by
# tests/agent_toolkit/package.json, goes to .data/node/ and is reinstalled only when that file changes.
# On failure the reason is written to .data/node/INSTALL_FAILED (the test reports it) and the exit status is 1.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

NODE_DIR=.data/node
FAILED="$NODE_DIR/INSTALL_FAILED"
mkdir -p "$NODE_DIR"

log() { echo "agent_toolkit.sh: $*" >&2; }
fail() { log "$*"; printf '%s\n' "$*" >"$FAILED"; exit 1; }

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        log "node/npm not found; installing nodejs and npm with apt-get"
        apt-get update -qq || fail "apt-get update failed"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null \
            || fail "apt-get install nodejs npm failed"
    else
        fail "node and npm not found; install Node.js 18+ (e.g. apt-get install nodejs npm)"
    fi
fi

major=$(node -p 'process.versions.node.split(".")[0]')
[[ "$major" -ge 18 ]] || fail "Node.js $(node --version) is too old: the toolkit needs 18+ (global fetch)"

hash=$(sha256sum tests/agent_toolkit/package.json | cut -c1-16)
stamp="$NODE_DIR/.installed-$hash"
if [[ ! -f "$stamp" || ! -f "$NODE_DIR/node_modules/@posthog/agent-toolkit/package.json" ]]; then
    log "installing @posthog/agent-toolkit into $NODE_DIR"
    cp tests/agent_toolkit/package.json "$NODE_DIR/package.json"
    if ! out=$(cd "$NODE_DIR" && npm install --no-audit --no-fund --ignore-scripts --loglevel=error 2>&1); then
        fail "npm install of @posthog/agent-toolkit failed: $(printf '%s' "$out" | tail -n 20)"
    fi
    rm -f "$NODE_DIR"/.installed-*
    touch "$stamp"
fi
rm -f "$FAILED"
