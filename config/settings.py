"""Django settings, read from the environment (see README "Configuration")."""

import json
import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("DATA_DIR", BASE_DIR / ".data")).resolve()  # chdb:// URLs need an absolute path


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
# pytest imports this module itself; tests need no SECRET_KEY and use fast password hashing.
TESTING = env_bool("TESTING") or "pytest" in sys.modules

DEFAULT_SECRET_KEY = "insecure-default-secret-key-change-me"
SECRET_KEY_FILE = DATA_DIR / "secret_key"  # written by `make serve` on first start
SECRET_KEY = os.environ.get("SECRET_KEY") or (
    SECRET_KEY_FILE.read_text().strip() if SECRET_KEY_FILE.exists() else DEFAULT_SECRET_KEY
)
if SECRET_KEY == DEFAULT_SECRET_KEY and not (DEBUG or TESTING):
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set the SECRET_KEY environment variable (make serve generates one in .data/), "
        "or DEBUG=1 for local development."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
SITE_URL = os.environ.get("SITE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '8000')}").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "insights_server",
    "persons",
    "queries",
    "ingestion",
    "insights",
    "dashboards",
    "activity",
    "actions",
    "definitions",
    "sharing",
    "exports",
    "web",
    "alerts",
    "cohorts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "insights_server.request_context.RequestContextMiddleware",
    # A NUL character in the URL path: PostgreSQL cannot compare it (a 404, never a 500).
    "insights_server.input_guards.RejectNulInPathMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
# Every route answers with and without the trailing slash itself: never redirect.
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'db.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Threads of one server process write concurrently: wait for the lock instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL;",
    }
if TESTING:
    # Request threads of the live test server must not keep connections open past the test database's life.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CLICKHOUSE_URL = os.environ.get("CLICKHOUSE_URL") or f"chdb://{DATA_DIR / 'clickhouse'}"
CLICKHOUSE_CLUSTER = os.environ.get("CLICKHOUSE_CLUSTER", "")

# Capture acknowledges events once they are in a local spool; a background thread moves them to ClickHouse.
INGESTION_SPOOL_DIR = Path(os.environ.get("INGESTION_SPOOL_DIR", DATA_DIR / "spool"))
INGESTION_BACKGROUND_FLUSH = env_bool("INGESTION_BACKGROUND_FLUSH", default=not TESTING)
# Capture answers 503 with Retry-After (backpressure) while this many events wait in the process's spool.
INGESTION_SPOOL_MAX_EVENTS = int(os.environ.get("INGESTION_SPOOL_MAX_EVENTS", "80000"))
# Spooled events are stored by a process of their own (ingestion/store_process.py), so storing does not share the
# request threads' interpreter lock: on by default with embedded chDB on a machine with more than one core.
# How long the one process that stores events may keep persons between batches (ingestion/person_cache.py): on with
# embedded chDB (only that process stores events), off where several processes do and in tests. 0 turns it off.
INGESTION_PERSON_CACHE_SECONDS = int(
    os.environ.get(
        "INGESTION_PERSON_CACHE_SECONDS", "60" if CLICKHOUSE_URL.startswith("chdb://") and not TESTING else "0"
    )
)
INGESTION_STORE_PROCESS = env_bool(
    "INGESTION_STORE_PROCESS",
    default=not TESTING and CLICKHOUSE_URL.startswith("chdb://") and (os.cpu_count() or 1) > 1,
)

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "insights"}}
if os.environ.get("INSIGHTS_STORE_PROCESS_CACHE") == "owner":
    # The store process of an owner whose cache is process-local uses that cache (ingestion/owner_cache.py).
    CACHES = {"default": {"BACKEND": "ingestion.owner_cache.OwnerCache"}}
# How long a process may reuse a resolved API key, user, team and membership (insights_server/access_cache.py).
# Writes invalidate at once through a generation in the Django cache, which only Redis shares between processes:
# without it, only the embedded default (chDB: one process owns the data) may cache. 0 turns the cache off.
ACCESS_CACHE_SECONDS = int(
    os.environ.get("ACCESS_CACHE_SECONDS", "30" if REDIS_URL or CLICKHOUSE_URL.startswith("chdb://") else "0")
)

AUTH_USER_MODEL = "insights_server.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_NAME = "posthog_csrftoken"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_TZ = True
USE_I18N = False

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# Throttling of personal-API-key requests, off by default as in a self-hosted PostHog.
RATE_LIMIT_ENABLED = env_bool("RATE_LIMIT_ENABLED")
THROTTLE_RATES = {
    "burst": os.environ.get("THROTTLE_RATE_BURST", "480/minute"),
    "sustained": os.environ.get("THROTTLE_RATE_SUSTAINED", "4800/hour"),
    "clickhouse_burst": os.environ.get("THROTTLE_RATE_CLICKHOUSE_BURST", "240/minute"),
    "clickhouse_sustained": os.environ.get("THROTTLE_RATE_CLICKHOUSE_SUSTAINED", "1200/hour"),
    "query": os.environ.get("THROTTLE_RATE_QUERY", "120/hour"),
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "insights_server.auth.PersonalAPIKeyAuthentication",
        "insights_server.auth.SessionAuthentication",
        "sharing.auth.SharingAccessTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "insights_server.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["insights_server.parsers.BoundedJSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "insights_server.throttling.BurstRateThrottle",
        "insights_server.throttling.SustainedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": THROTTLE_RATES,
    "EXCEPTION_HANDLER": "insights_server.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "insights_server.openapi.ErrorDocumentingAutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "insights-server API",
    "DESCRIPTION": "A self-hostable, PostHog-compatible Insights REST API.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name per choice set used by several fields (drf-spectacular warns otherwise): action step matching, the
    # dashboard restriction level, and the effective levels (21, 37) an insight shows for its dashboards.
    "ENUM_NAME_OVERRIDES": {
        "MatchingEnum": "actions.api.MATCHING_CHOICES",
        "RestrictionLevelEnum": "dashboards.models.RestrictionLevel",
        "EffectiveLevelEnum": [(21, 21), (37, 37)],
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "insights_server.openapi.name_project_path_parameters",
        "insights.api.schema.document_basic_renderings",
    ],
}

# Async queries: Celery workers when Redis is there; otherwise threads of the process that owns chDB.
QUERY_ASYNC_BACKEND = os.environ.get("QUERY_ASYNC_BACKEND", "celery" if REDIS_URL else "thread")
QUERY_ASYNC_THREADS = int(os.environ.get("QUERY_ASYNC_THREADS", "4"))
# The size of one insight query, refused with a 400 before any work (queries/runners/common/limits.py).
QUERY_MAX_INTERVALS = int(os.environ.get("QUERY_MAX_INTERVALS", "50000"))
QUERY_MAX_SERIES = int(os.environ.get("QUERY_MAX_SERIES", "100"))
QUERY_MAX_VALUES = int(os.environ.get("QUERY_MAX_VALUES", "2000000"))
# How long a rotated share token keeps working (PostHog: 5 minutes).
SHARING_TOKEN_GRACE_PERIOD_SECONDS = int(os.environ.get("SHARING_TOKEN_GRACE_PERIOD_SECONDS", "300"))
# Concurrent computations per project for personal-API-key requests (queries/execution/concurrency.py).
QUERY_API_CONCURRENCY_PER_TEAM = int(os.environ.get("QUERY_API_CONCURRENCY_PER_TEAM", "3"))
QUERY_API_CONCURRENCY_WAIT_SECONDS = float(os.environ.get("QUERY_API_CONCURRENCY_WAIT_SECONDS", "30"))
# Per-project overrides, PostHog's API_QUERIES_PER_TEAM: a JSON object such as {"2": 10}.
API_QUERIES_PER_TEAM = json.loads(os.environ.get("API_QUERIES_PER_TEAM") or "{}")

# Optional OpenAI-compatible endpoint for the insight assistant actions; unset means deterministic answers only.
INSIGHTS_LLM_URL = os.environ.get("INSIGHTS_LLM_URL") or None
INSIGHTS_LLM_API_KEY = os.environ.get("INSIGHTS_LLM_API_KEY") or None
INSIGHTS_LLM_MODEL = os.environ.get("INSIGHTS_LLM_MODEL") or None

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# Periodic work (alert checks and upkeep, dynamic cohorts due for a calculation) is registered in config/periodic.py:
# Celery beat runs it with Celery (config/celery.py), otherwise the in-process scheduler of the web process
# (config/scheduler.py); IN_PROCESS_SCHEDULER=0 turns the latter off.
IN_PROCESS_SCHEDULER = env_bool("IN_PROCESS_SCHEDULER", default=True)

# Alert notifications. Email goes through Django's backend: SMTP when EMAIL_HOST is set, else the console.
ALERTS_EMAIL_ENABLED = env_bool("ALERTS_EMAIL_ENABLED")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "insights@localhost")
# Webhook destinations (alerts/webhooks.py): private, loopback and reserved targets are refused unless allowed
# (link-local and metadata addresses always are); bounded retries with exponential backoff, short timeouts.
ALERTS_WEBHOOK_ALLOW_PRIVATE = env_bool("ALERTS_WEBHOOK_ALLOW_PRIVATE")
ALERTS_WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("ALERTS_WEBHOOK_MAX_ATTEMPTS", "3"))
ALERTS_WEBHOOK_BACKOFF_SECONDS = float(os.environ.get("ALERTS_WEBHOOK_BACKOFF_SECONDS", "1"))
ALERTS_WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("ALERTS_WEBHOOK_TIMEOUT_SECONDS", "5"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}
