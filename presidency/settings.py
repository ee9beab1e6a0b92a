"""Settings for the Presidency Agenda Tracker, every value read from the environment: the core here, each
domain's own values in presidency/conf/ (api, auth, database, documents, integration, jobs, people,
schedule), imported below.

Embedded default (nothing set): SQLite in the project folder, no Redis, DEBUG on a developer machine.
Production: DATABASE_URL=postgres://..., REDIS_URL=redis://..., SECRET_KEY, DEBUG=0, ALLOWED_HOSTS.
The test suite's policy (cheap hashes, no lockout, in-memory broker, ...) is tests/settings.py.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from presidency.conf.api import (  # noqa: F401  (settings Django reads)
    API_ID_CACHE_SECONDS,
    API_IDEMPOTENCY_LEASE_SECONDS,
    API_IDEMPOTENCY_TTL_HOURS,
    API_KEY_CACHE_SECONDS,
    API_MAX_BODY_BYTES,
    API_MAX_PAGE_SIZE,
    API_PAGE_SIZE,
    API_PREPARED_STATEMENTS,
    API_STATEMENT_CACHE_SECONDS,
    API_THROTTLE_RATES,
    REQUEST_TIME_LIMIT_SECONDS,
    REST_FRAMEWORK,
    SPECTACULAR_SETTINGS,
)
from presidency.conf.auth import (  # noqa: F401
    AUTH_PASSWORD_VALIDATORS,
    AUTHENTICATION_BACKENDS,
    AXES_CLIENT_IP_CALLABLE,
    AXES_COOLOFF_TIME,
    AXES_ENABLED,
    AXES_FAILURE_LIMIT,
    AXES_LOCKOUT_PARAMETERS,
    AXES_RESET_ON_SUCCESS,
    LOGIN_REDIRECT_URL,
    LOGIN_URL,
    LOGOUT_REDIRECT_URL,
    SESSION_COOKIE_AGE,
    SESSION_EXPIRE_AT_BROWSER_CLOSE,
    TRUSTED_PROXY_COUNT,
    TRUSTED_PROXY_IPS,
)
from presidency.conf.database import (  # noqa: F401
    DATABASE_CONFLICT_ATTEMPTS,
    DATABASE_ROUTERS,
    DATABASES,
    OUTAGE_RETRY_AFTER_SECONDS,
    REPLICA_PIN_SECONDS,
)
from presidency.conf.documents import (  # noqa: F401
    DOCUMENTS_MAX_BYTES,
    DOCUMENTS_S3_BUCKET,
    DOCUMENTS_STORAGE,
    DOCUMENTS_X_ACCEL_REDIRECT_PREFIX,
    MEDIA_ROOT,
    MEDIA_URL,
)
from presidency.conf.integration import (  # noqa: F401
    EVENT_RETENTION_DAYS,
    WEBHOOK_ALLOWED_NETWORKS,
    WEBHOOK_DELIVERY_RETENTION_DAYS,
    WEBHOOK_DISABLE_AFTER_HOURS,
    WEBHOOK_RESOLVER,
    WEBHOOK_SECRET_OVERLAP_HOURS,
)
from presidency.conf.jobs import (  # noqa: F401
    AT_RISK_HORIZON_DAYS,
    AT_RISK_MARGIN,
    CELERY_BEAT_SCHEDULE,
    EMAIL_CLAIM_TIMEOUT_SECONDS,
    RAID_HIGH_SCORE,
    REMINDER_DAYS_BEFORE,
    REMINDER_OVERDUE_WINDOW_DAYS,
    SITE_URL,
    WEBHOOK_LEASE_SECONDS,
    WEBHOOK_RETRY_BASE_SECONDS,
    WEBHOOK_RETRY_MAX_DELAY_SECONDS,
    WEBHOOK_RETRY_WINDOW_HOURS,
    WEBHOOK_SWEEP_SECONDS,
    WEBHOOK_TIMEOUT_SECONDS,
    WORKER_HEARTBEAT_SECONDS,
)
from presidency.conf.people import (  # noqa: F401
    COMMENTS_PER_PAGE,
    INBOX_POLL_SECONDS,
    NOTIFICATION_EMAIL_LEASE_SECONDS,
    NOTIFICATION_EMAIL_MAX_ATTEMPTS,
    NOTIFICATION_EMAIL_RETRY_SECONDS,
)
from presidency.conf.schedule import SCHEDULE_FORECAST_FLOOR_HUNDREDTHS, SCHEDULE_FORECAST_UPDATES  # noqa: F401
from presidency.env import (
    env_bool,
    env_date,
    env_int,
    env_list,
    env_redis_url,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # runtime files of the embedded mode (SQLite test DB, broker folders)

DEBUG = env_bool("DEBUG", default=False)

_DEV_SECRET = "dev-only-insecure-secret-key-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = _DEV_SECRET

# The demo's "today" (make run: a day inside the 2023 presidency), so the demo shows the presidency as it
# unfolds instead of everything overdue. Honoured only with DEBUG (tracker/clock.py); production refuses it.
DEMO_TODAY = env_date("DEMO_TODAY")
if DEMO_TODAY and not DEBUG:
    raise ImproperlyConfigured("DEMO_TODAY is for the demo only (DEBUG=1); unset it in production")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "tracker.admin_site.TrackerAdminConfig",  # django.contrib.admin, branded and grouped
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "simple_history",
    "import_export",
    "axes",
    "csp",
    "tracker",
]

MIDDLEWARE = [
    "tracker.observability.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "tracker.api.middleware.ApiProblemMiddleware",  # /api/ only: body size limit, problem details for every error
    # Below the API's middleware so that its process_exception runs first: a lost database is a 503, not a 500.
    "tracker.outage.DatabaseOutageMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tracker.db_router.ReplicaRoutingMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tracker.presidency_choice.PresidencyChoiceMiddleware",  # the header's choice of presidency (session)
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "presidency.urls"
WSGI_APPLICATION = "presidency.wsgi.application"
ASGI_APPLICATION = "presidency.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tracker.clock.demo_context",
            ],
        },
    },
]

# --- Database: presidency/conf/database.py ---------------------------------------------------------------

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache ----------------------------------------------------------------------------------------
REDIS_URL = env_redis_url("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "tracker",
            "OPTIONS": {
                # Redis down must not take pages or the API down: cache reads miss, writes are dropped,
                # throttling counts from zero. Short timeouts keep a dead server from holding requests.
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Cached pages and roll-ups (tracker/caching.py) need a cache every process shares, so they follow Redis.
AGENDA_CACHE = env_bool("AGENDA_CACHE", default=bool(REDIS_URL))

# --- Auth: presidency/conf/auth.py ----------------------------------------------------------------------

# --- Internationalisation --------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ru", "Русский")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Minsk")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Admin import and export (django-import-export) -------------------------------------------------------
# Formula-like cells are neutralised by tracker/exports.py (the library's own setting only drops a leading
# "="); characters XLSX cannot hold are replaced instead of failing the export for everyone.
IMPORT_EXPORT_ESCAPE_ILLEGAL_CHARS_ON_EXPORT = True
# The admin's history shows old versions but cannot revert to one: a revert would skip the version check
# (ActivityAdmin.history_form_view refuses the POST too).
SIMPLE_HISTORY_REVERT_DISABLED = True
# An import file larger than this is refused before it is read; an XLSX (a zip) is also refused when its
# members would unpack to more than IMPORT_MAX_UNPACKED_BYTES or number more than IMPORT_MAX_ARCHIVE_MEMBERS.
IMPORT_MAX_FILE_BYTES = env_int("IMPORT_MAX_FILE_BYTES", 5 * 1024 * 1024, minimum=1024)
IMPORT_MAX_UNPACKED_BYTES = env_int("IMPORT_MAX_UNPACKED_BYTES", 50 * 1024 * 1024, minimum=1024)
IMPORT_MAX_ARCHIVE_MEMBERS = env_int("IMPORT_MAX_ARCHIVE_MEMBERS", 100, minimum=10)

# --- Email ----------------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "tracker@presidency.local")

# --- Agenda rules ---------------------------------------------------------------------------------------
# Dates within this many days outside a presidency's period are accepted (preparatory work, follow-up).
AGENDA_DATE_SLACK_DAYS = env_int("AGENDA_DATE_SLACK_DAYS", 92, minimum=0)
# An activity is "due soon" on the board when its deadline is this close.
AGENDA_DUE_SOON_DAYS = env_int("AGENDA_DUE_SOON_DAYS", 14, minimum=0)

# --- Background jobs: Celery, reminders, digests, snapshots, webhook delivery (docs/operations.md) -------
# With REDIS_URL, Redis is the broker. Without it (embedded mode, `make run`), kombu's filesystem transport
# under var/broker/ needs no server.
# Nothing is lost when the broker is: the database holds every job's state and a periodic sweep catches up.
BROKER_DIR = Path(env_str("CELERY_BROKER_DIR") or VAR_DIR / "broker")
# The host is meaningless to the in-process transports, but without one kombu warns "No hostname was supplied".
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or REDIS_URL or "filesystem://localhost/"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),  # one folder: producers and the worker share the queue
        "control_folder": str(BROKER_DIR / "control"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
        "polling_interval": 0.2,  # seconds between looks at the folder (the default, 1 s, is sluggish)
    }
else:
    # Short socket timeouts: enqueueing after a commit must fail fast when Redis is down (the sweep delivers
    # later), never hold a web request. The visibility timeout must exceed the longest task (minutes).
    if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        CELERY_BROKER_TRANSPORT = "presidency.broker:Transport"  # survives Redis restarts; see broker.py
    # max_retries 0: a publisher gives up at once instead of retrying the connection for seconds.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": 2, "socket_timeout": 5, "max_retries": 0,
        # A task taken by a worker that died is handed out again after this many seconds (a new worker
        # looks when it starts). Longer than the longest task (the digests' 16 minutes); tests shorten it.
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=1),
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True  # jobs write their outcome to the database; nobody waits on results
CELERY_TASK_ACKS_LATE = True  # a task whose worker dies is redelivered; every task is safe to run twice
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 15 * 60  # defaults; each task sets its own tighter limits
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# The jobs' own settings (schedule, sweeps, reminders, risk flags, webhook delivery): presidency/conf/jobs.py.

# /health/ready/ (tracker/health.py): each dependency check's time limit (set in milliseconds; the answer
# comes within it); who sees the checks' error text: callers sending X-Health-Token with this value, and
# callers from these networks that came through no proxy.
HEALTH_CHECK_TIMEOUT_SECONDS = env_int("HEALTH_CHECK_TIMEOUT_MS", 800, minimum=50) / 1000
HEALTH_DETAIL_TOKEN = env_str("HEALTH_DETAIL_TOKEN")
HEALTH_DETAIL_NETWORKS = env_list("HEALTH_DETAIL_NETWORKS", ["127.0.0.0/8", "::1/128"])
try:
    HEALTH_DETAIL_NETWORKS = [str(ipaddress.ip_network(net, strict=False)) for net in HEALTH_DETAIL_NETWORKS]
except ValueError as exc:
    raise ImproperlyConfigured(f"HEALTH_DETAIL_NETWORKS: {exc}") from None


# --- Security: on by default, relaxed only by DEBUG ---------------------------------------------------------
# Production defaults are strict; development (plain http on localhost) relaxes them.
_STRICT = not DEBUG
# TLS usually ends at a proxy in front of gunicorn; it tells us so with X-Forwarded-Proto.
if env_bool("SECURE_PROXY_SSL_HEADER", default=_STRICT):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=_STRICT)
SECURE_REDIRECT_EXEMPT = [r"^health/"]  # probes speak plain HTTP inside the network
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=_STRICT)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=_STRICT)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if _STRICT:
    # `check --deploy` cannot see the HSTS preload decision; it is a per-domain choice made by the operator.
    SILENCED_SYSTEM_CHECKS = ["security.W021"] if not SECURE_HSTS_PRELOAD else []

# Content Security Policy: no inline script anywhere; every script and style comes from our own origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Bars and the timeline position elements with style="width: N%"; an attribute cannot run script.
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- REST API: presidency/conf/api.py ----------------------------------------------------------------------
# --- Logging: JSON lines in production, with the request id on every line -----------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
LOG_FORMAT = env_str("LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, got {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "tracker.observability.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Web board --------------------------------------------------------------------------------------------
# English dates in the organisation's style (30 September 2023); Russian uses Django's own formats.
FORMAT_MODULE_PATH = ["tracker.web.formats"]

# --- Documents, people, schedule, integration: presidency/conf/ ------------------------------------------------
# Documents are stored through their own STORAGES alias (file system by default, S3 when configured).
STORAGES["documents"] = DOCUMENTS_STORAGE
