#!/usr/bin/env bash
# Whole-suite test command: starts a throw-away PostgreSQL and Redis on free
# loopback ports, points the test run at them, runs pytest (extra arguments
# are passed through), then stops both servers and removes every file they
# left. Exits with pytest's status; "no tests collected" (5) counts as failure.
#
#   scripts/test.sh                 # whole suite
#   scripts/test.sh -k api -x       # any pytest arguments
#   SKIP_VENV=1 scripts/test.sh     # do not run scripts/venv.sh first
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { echo "test.sh: $*" >&2; }
die() { log "$*"; exit 1; }

is_root() { [[ "$(id -u)" -eq 0 ]]; }

# --- a. virtualenv ----------------------------------------------------------
if [[ -z "${SKIP_VENV:-}" ]]; then
    scripts/venv.sh
fi

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# --- cleanup, armed before anything is started --------------------------------
TMP=""
PG_BIN=""
PG_STARTED=""
REDIS_STARTED=""

as_pg() {
    if is_root; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# shellcheck disable=SC2317  # only ever invoked through the trap below
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [[ -n "$PG_STARTED" ]]; then
        as_pg "$PG_BIN/pg_ctl" stop -D "$TMP/pgdata" -m immediate -w >/dev/null 2>&1 || true
    fi
    if [[ -n "$REDIS_STARTED" && -f "$TMP/redis.pid" ]]; then
        local pid
        pid=$(cat "$TMP/redis.pid" 2>/dev/null || true)
        if [[ -n "$pid" ]]; then
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 1 50); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
            done
            if kill -0 "$pid" 2>/dev/null; then
                kill -9 "$pid" 2>/dev/null || true
            fi
        fi
    fi
    if [[ -n "$TMP" && -d "$TMP" ]]; then
        rm -rf "$TMP"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

TMP=$(mktemp -d "${TMPDIR:-/tmp}/insights-test.XXXXXX")

# --- b. PostgreSQL ------------------------------------------------------------
find_pg_bin() {
    local d
    if command -v pg_config >/dev/null 2>&1; then
        d=$(pg_config --bindir 2>/dev/null || true)
        # pg_config may come from libpq-dev alone, without a server beside it.
        if [[ -n "$d" && -x "$d/initdb" && -x "$d/pg_ctl" ]]; then
            echo "$d"
            return 0
        fi
    fi
    # Newest version under /usr/lib/postgresql (Debian/Ubuntu layout).
    d=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    if [[ -x "$d/initdb" && -x "$d/pg_ctl" ]]; then
        echo "$d"
        return 0
    fi
    return 1
}

if ! PG_BIN=$(find_pg_bin); then
    if is_root && command -v apt-get >/dev/null 2>&1; then
        log "PostgreSQL server not found; installing it with apt-get"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
        PG_BIN=$(find_pg_bin) || die "PostgreSQL still not found after apt-get install postgresql"
    else
        die "PostgreSQL server binaries (initdb, pg_ctl) not found; install PostgreSQL (e.g. apt-get install postgresql) or put pg_config on PATH"
    fi
fi

if is_root; then
    id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' user to run PostgreSQL as"
    chown postgres: "$TMP"
    as_pg test -w "$TMP" || die "user postgres cannot write to $TMP (set TMPDIR to a directory it can reach)"
fi

PG_PORT=$(free_port)
as_pg "$PG_BIN/initdb" -D "$TMP/pgdata" -A trust -U postgres -E UTF8 --no-locale --no-sync >"$TMP/initdb.log" 2>&1 \
    || { cat "$TMP/initdb.log" >&2; die "initdb failed"; }
cat >>"$TMP/pgdata/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$TMP'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
CONF
PG_STARTED=1
as_pg "$PG_BIN/pg_ctl" start -D "$TMP/pgdata" -l "$TMP/postgres.log" -w -t 60 >/dev/null \
    || { cat "$TMP/postgres.log" >&2; die "PostgreSQL did not start"; }
"$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 30 || die "PostgreSQL is not accepting connections"

# --- b2. headless Chromium for the browser tests of the pages ------------------------
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
    if is_root && command -v apt-get >/dev/null 2>&1; then
        log "chromium not found; installing Debian's chromium with apt-get (browser tests)"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
            || die "could not install chromium; the browser tests need it"
    else
        die "chromium not found; install it (e.g. 'sudo apt-get install chromium') and rerun"
    fi
fi

# --- c. Redis -----------------------------------------------------------------
if ! command -v redis-server >/dev/null 2>&1; then
    if is_root && command -v apt-get >/dev/null 2>&1; then
        log "redis-server not found; installing it with apt-get"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
        # Where the host lets packages start services, apt has just started a
        # system Redis on 6379; the tests use their own, so stop that one.
        invoke-rc.d redis-server stop >/dev/null 2>&1 || true
    else
        die "redis-server not found; install Redis (e.g. 'sudo apt-get install redis-server') and rerun"
    fi
fi

REDIS_PORT=$(free_port)
REDIS_STARTED=1
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
    --daemonize yes --pidfile "$TMP/redis.pid" --dir "$TMP" --logfile "$TMP/redis.log" \
    || die "redis-server failed to start"
for _ in $(seq 1 100); do
    if [[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null || true)" == "PONG" ]]; then
        break
    fi
    sleep 0.1
done
[[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null || true)" == "PONG" ]] \
    || { cat "$TMP/redis.log" >&2 || true; die "Redis did not answer PING"; }

# --- c2. Node.js and @posthog/agent-toolkit (tests/test_agent_toolkit.py) -----
# Installed when missing and cached in .data/node/; a failure does not stop the run: that test fails with
# the reason (.data/node/INSTALL_FAILED) instead of being skipped.
scripts/agent_toolkit.sh || log "agent toolkit not installed; tests/test_agent_toolkit.py will fail with the reason"

# --- d. environment for the tests ---------------------------------------------
export DATABASE_URL="postgres://postgres@127.0.0.1:${PG_PORT}/insights"
export REDIS_URL="redis://127.0.0.1:${REDIS_PORT}/0"
export TEST_TMPDIR="$TMP"
export SECRET_KEY="test-secret-key-not-for-production"

"$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres insights || die "could not create database 'insights'"

# --- e. pytest ----------------------------------------------------------------
status=0
.venv/bin/python -m pytest "$@" || status=$?

if [[ "$status" -eq 5 ]]; then
    log "pytest collected no tests (exit status 5); a run with no tests is not a pass"
    status=1
fi

# --- f. the EXIT trap stops PostgreSQL and Redis and removes $TMP -------------
exit "$status"
