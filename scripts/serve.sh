#!/usr/bin/env bash
# Run insights-server locally: install/refresh .venv, migrate, create the demo
# organization/user/API key (printed by setup_demo), then serve with gunicorn
# on 127.0.0.1:${PORT:-8000}. Data lives in .data/ (SQLite + embedded chDB)
# unless DATABASE_URL / CLICKHOUSE_URL say otherwise.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/venv.sh
# The same folder config/settings.py reads (DATA_DIR, default .data beside the code).
DATA_DIR="${DATA_DIR:-$(pwd)/.data}"
export DATA_DIR
mkdir -p "$DATA_DIR"

if [[ -z "${SECRET_KEY:-}" ]]; then
    if [[ ! -s "$DATA_DIR/secret_key" ]]; then
        (umask 077 && .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))' >"$DATA_DIR/secret_key")
        chmod 600 "$DATA_DIR/secret_key"
    fi
    SECRET_KEY=$(cat "$DATA_DIR/secret_key")
    export SECRET_KEY
fi
export PORT="${PORT:-8000}"

.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py collectstatic --noinput -v0
# A ClickHouse server that is down must not keep the API from starting: /_health reports it, capture keeps
# spooling events, and the tables are created by the next start (or `manage.py migrate_clickhouse`).
if ! .venv/bin/python manage.py migrate_clickhouse; then
    echo "serve.sh: ClickHouse is not reachable; starting anyway (queries answer 503 until it is)" >&2
fi
.venv/bin/python manage.py setup_demo
.venv/bin/python manage.py setup_demo_dashboard

# Exactly one worker process: the embedded chDB data directory (.data/clickhouse)
# can be opened by only one process at a time, so concurrency comes from threads
# inside that single process (gthread), not from more workers.
exec .venv/bin/gunicorn config.wsgi:application \
    --worker-class gthread \
    --workers 1 \
    --threads "${THREADS:-8}" \
    --bind "127.0.0.1:${PORT}" \
    --access-logfile - \
    --timeout 120
