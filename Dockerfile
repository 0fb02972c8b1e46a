# Production image for insights-server: gunicorn (gthread) serving the Django
# app; the same image runs the migrate one-shot, the Celery worker and beat
# (see docker-compose.yml). Configuration comes from the environment:
# DATABASE_URL, CLICKHOUSE_URL, REDIS_URL, SECRET_KEY, ALLOWED_HOSTS, SITE_URL.
# Python 3.12: the HogQL parser (hogql-parser-rs) ships wheels for 3.12+ only.
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so that a code change does not
# reinstall them (this layer is rebuilt only when pyproject.toml changes).
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
RUN pip install --no-deps .

# Static files (admin, Swagger UI) are collected into the image and served by
# whitenoise. The SECRET_KEY here only lets settings load; it is not kept.
RUN SECRET_KEY=build-only-collectstatic-not-a-secret python manage.py collectstatic --noinput -v0

# A writable home: gunicorn >= 25.1 puts its control socket in ~/.gunicorn/.
RUN useradd --system --user-group --uid 10001 --create-home --home-dir /home/app --shell /usr/sbin/nologin app \
    && mkdir -p /app/.data \
    && chown app:app /app/.data
USER app

EXPOSE 8000

# Unlike `make serve` (one worker, because the embedded chDB directory allows
# one process), production talks to a ClickHouse server, so several workers
# are fine. Shell form so that WEB_CONCURRENCY and THREADS are read at start.
CMD ["sh", "-c", "exec gunicorn config.wsgi:application --worker-class gthread --workers ${WEB_CONCURRENCY:-2} --threads ${THREADS:-8} --bind 0.0.0.0:8000 --access-logfile - --timeout 120"]
