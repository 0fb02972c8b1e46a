#!/usr/bin/env bash
# Run insights-server locally: install/refresh .venv, migrate, create the demo
# organization/user/API key (printed by setup_demo), then serve with gunicorn
# on 127.0.0.1:${PORT:-8000}. Data lives in .data/ (SQLite + embedded chDB)
# unless DATABASE_URL / CLICKHOUSE_URL say otherwise.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/venv.sh
mkdir -p .data

if [[ -z "${SECRET_KEY:-}" ]]; then
    if [[ ! -s .data/secret_key ]]; then
        (umask 077 && .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))' >.data/secret_key)
        chmod 600 .data/secret_key
    fi
    SECRET_KEY=$(cat .data/secret_key)
    export SECRET_KEY
fi
export PORT="${PORT:-8000}"

.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py collectstatic --noinput -v0
if .venv/bin/python manage.py help migrate_clickhouse >/dev/null 2>&1; then
    .venv/bin/python manage.py migrate_clickhouse
fi
.venv/bin/python manage.py setup_demo

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
