"""Settings for the Presidency Agenda Tracker: one file, every value read from the environment.

Embedded default (nothing set): SQLite in the project folder, no Redis, DEBUG on a developer machine.
Production: DATABASE_URL=postgres://..., REDIS_URL=redis://..., SECRET_KEY, DEBUG=0, ALLOWED_HOSTS.
The test suite's policy (cheap hashes, no lockout, in-memory broker, ...) is tests/settings.py.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from presidency.env import (
    env_bool,
    env_database,
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

# --- Database -------------------------------------------------------------------------------------------
# Connections are kept open between requests (opening one costs a PostgreSQL server ~7 ms of a 2-core
# machine, more than a whole API read; docs/performance.md); CONN_HEALTH_CHECKS below checks them first.
DATABASES = {
    "default": env_database(
        "DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 300, minimum=0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock when a transaction starts, so concurrent writers queue up behind the
    # busy timeout instead of failing with "database is locked" half-way; WAL lets readers run meanwhile.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    # A file, not :memory:, so tests with several threads or processes share one database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}

# A read replica (PostgreSQL streaming replica) takes the board's reads when configured; see tracker/db_router.py.
if env_str("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = env_database(
        "DATABASE_REPLICA_URL", default="", conn_max_age=DATABASES["default"]["CONN_MAX_AGE"]
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["tracker.db_router.PrimaryReplicaRouter"]
# A kept-open connection is checked before a request uses it, so the first request after a PostgreSQL
# restart reconnects instead of failing (tracker/outage.py answers 503 to the requests caught in flight).
for _alias in DATABASES:
    DATABASES[_alias]["CONN_HEALTH_CHECKS"] = True
OUTAGE_RETRY_AFTER_SECONDS = env_int("OUTAGE_RETRY_AFTER_SECONDS", 5, minimum=1)
# A write that PostgreSQL ends as a deadlock or serialisation failure is run again, up to this many times in
# all, before the caller gets a 503 (tracker/dbretry.py).
DATABASE_CONFLICT_ATTEMPTS = env_int("DATABASE_CONFLICT_ATTEMPTS", 3, minimum=1)
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 10, minimum=0)

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

# --- Auth -----------------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a login from a user/IP pair that guessed wrong too often.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)
# The client's address as the trusted proxies report it (tracker/client_ip.py), for the lockout and the API's
# anonymous throttle. TRUSTED_PROXY_COUNT: how many proxies in front of gunicorn append to X-Forwarded-For
# (0, the default: trust none, REMOTE_ADDR is the client). TRUSTED_PROXY_IPS: optionally, the proxies'
# addresses or networks; X-Forwarded-For is then read only on requests coming from them.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
TRUSTED_PROXY_IPS = env_list("TRUSTED_PROXY_IPS", [])
for _network in TRUSTED_PROXY_IPS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"TRUSTED_PROXY_IPS holds {_network!r}, not an address or network") from None
AXES_CLIENT_IP_CALLABLE = "tracker.client_ip.client_address"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12, minimum=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

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

# --- Webhooks -------------------------------------------------------------------------------------------
# Private, loopback and link-local targets are refused unless this is on (development only).
WEBHOOK_ALLOW_PRIVATE_URLS = env_bool("WEBHOOK_ALLOW_PRIVATE_URLS", default=DEBUG)

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

# Seconds between sweeps of the outbox and of webhook deliveries due for a retry.
WEBHOOK_SWEEP_SECONDS = env_int("WEBHOOK_SWEEP_SECONDS", 60, minimum=1)
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 30, minimum=1)
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


def _beat_schedule() -> dict:
    from celery.schedules import crontab

    def job(task: str, schedule, expires: int) -> dict:
        # expires: a run that waited out a broker outage is dropped, not piled up behind the next one
        return {"task": f"tracker.tasks.{task}", "schedule": schedule, "options": {"expires": expires}}

    heartbeat, sweep = WORKER_HEARTBEAT_SECONDS, WEBHOOK_SWEEP_SECONDS
    return {
        "worker-heartbeat": job("worker_heartbeat", float(heartbeat), heartbeat),
        "webhooks-sweep": job("webhooks_sweep", float(sweep), sweep),
        "flag-at-risk-and-overdue": job("flag_at_risk_and_overdue", crontab(minute=0), 3000),
        "deadline-reminders": job("send_deadline_reminders", crontab(minute=10, hour="7-19"), 3000),
        "weekly-digests": job("send_weekly_digests", crontab(minute=30, hour="7-11", day_of_week="mon"), 3000),
        "daily-snapshot": job("take_daily_snapshot", crontab(minute=55, hour=23), 3000),
        "purge-idempotency-keys": job("purge_idempotency_keys", crontab(minute=20, hour=3), 3000),
        "review-reminders": job("send_review_reminders", crontab(minute=40, hour="7-19"), 3000),
    }


CELERY_BEAT_SCHEDULE = _beat_schedule()

# At risk: an open activity due within AT_RISK_HORIZON_DAYS whose progress is more than AT_RISK_MARGIN
# percentage points behind the straight line from its start date to its due date.
AT_RISK_HORIZON_DAYS = env_int("AT_RISK_HORIZON_DAYS", 30, minimum=0)
AT_RISK_MARGIN = env_int("AT_RISK_MARGIN", 25, minimum=0)
# Risk log: a likelihood x impact score from this up (of 25) is "high": on the dashboard and in stocktakes.
RAID_HIGH_SCORE = env_int("RAID_HIGH_SCORE", 15, minimum=1)
# Deadline reminders: days before the due date, and the overdue reminder's window after it has passed.
REMINDER_DAYS_BEFORE = [int(d) for d in env_list("REMINDER_DAYS_BEFORE", ["14", "7", "1"])]
REMINDER_OVERDUE_WINDOW_DAYS = env_int("REMINDER_OVERDUE_WINDOW_DAYS", 7, minimum=1)
# A claimed email still unsent after this long (its worker died) is sent by a later run.
EMAIL_CLAIM_TIMEOUT_SECONDS = env_int("EMAIL_CLAIM_TIMEOUT_SECONDS", 15 * 60, minimum=1)
# Links in emails point here.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Webhook delivery: per-request timeout, the lease a worker holds on a delivery it is sending, and retries
# with exponential backoff and jitter (first delay, largest delay) for at least WEBHOOK_RETRY_WINDOW_HOURS.
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 5, minimum=1)
WEBHOOK_LEASE_SECONDS = env_int("WEBHOOK_LEASE_SECONDS", 60, minimum=1)
WEBHOOK_RETRY_BASE_SECONDS = env_int("WEBHOOK_RETRY_BASE_SECONDS", 30, minimum=1)
WEBHOOK_RETRY_MAX_DELAY_SECONDS = env_int("WEBHOOK_RETRY_MAX_DELAY_SECONDS", 4 * 3600, minimum=1)
WEBHOOK_RETRY_WINDOW_HOURS = env_int("WEBHOOK_RETRY_WINDOW_HOURS", 25, minimum=1)


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

# --- REST API (tracker/api/) -----------------------------------------------------------------------------
# Largest request body under /api/ (bytes); larger ones get 413 before being read. 500 bulk items fit easily.
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 4 * 1024 * 1024, minimum=1024)
API_PAGE_SIZE = env_int("API_PAGE_SIZE", 50, minimum=1)
API_MAX_PAGE_SIZE = env_int("API_MAX_PAGE_SIZE", 200, minimum=1)
# Idempotency-Key records are kept at least this long (tracker.api.idempotency.purge_expired deletes older ones);
# a request that claimed a key and died is taken over after the lease.
API_IDEMPOTENCY_TTL_HOURS = env_int("API_IDEMPOTENCY_TTL_HOURS", 24, minimum=24)
# The request time limit (gunicorn's WEB_TIMEOUT kills a request that runs longer, and its transaction
# never commits). An Idempotency-Key claimed by a request that ended without releasing it (its database
# went away) is free again after the lease, which is therefore no longer than that limit.
REQUEST_TIME_LIMIT_SECONDS = env_int("WEB_TIMEOUT", 30, minimum=1)
API_IDEMPOTENCY_LEASE_SECONDS = env_int("API_IDEMPOTENCY_LEASE_SECONDS", max(10, REQUEST_TIME_LIMIT_SECONDS),
                                        minimum=10)
# Requests per caller, counted in the default cache (Redis when REDIS_URL is set). "" switches a limit off.
API_THROTTLE_RATES = {
    "client": env_str("API_THROTTLE_CLIENT", "600/minute"),
    "user": env_str("API_THROTTLE_USER", "600/minute"),
    "anon": env_str("API_THROTTLE_ANON", "60/minute"),
}
for _scope, _rate in API_THROTTLE_RATES.items():
    if _rate and not re.fullmatch(r"\d+/(s|sec|second|m|min|minute|h|hour|d|day)", _rate):
        raise ImproperlyConfigured(f"API_THROTTLE_{_scope.upper()} must look like 600/minute, got {_rate!r}")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tracker.api.authentication.BearerKeyAuthentication",  # first, so that missing credentials answer 401
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["tracker.api.access.AgendaAccess"],
    "DEFAULT_THROTTLE_CLASSES": ["tracker.api.access.CallerRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["tracker.api.renderers.OrjsonRenderer"],
    "DEFAULT_PARSER_CLASSES": ["tracker.api.parsers.SafeJSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "tracker.api.pagination.JsonOnlyNegotiation",
    "DEFAULT_FILTER_BACKENDS": ["tracker.api.pagination.StrictFilterBackend"],
    "DEFAULT_METADATA_CLASS": "tracker.api.pagination.ApiMetadata",
    "DEFAULT_PAGINATION_CLASS": "tracker.api.pagination.ApiPagination",
    "DEFAULT_SCHEMA_CLASS": "tracker.api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "tracker.api.errors.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Presidency Agenda Tracker API",
    "DESCRIPTION": (
        "Read the agenda and report progress from other systems. Authenticate with `Authorization: Bearer <key>`. "
        "Every error is RFC 9457 problem details. Writes honour `If-Match` (ETag = version; stale: 412) and POSTs "
        "honour `Idempotency-Key`. See docs/api.md."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",  # served from our own static files: works offline
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # A Bearer key typed into Swagger UI lives only as long as the page: never in localStorage.
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": False},
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "tracker.workflow.Status",
        "ActivityKindEnum": "tracker.models.agenda.Activity.Kind",
        "BodyKindEnum": "tracker.models.reference.Body.Kind",
        "RatingEnum": "tracker.models.delivery.Rating",
        "RiskKindEnum": "tracker.models.delivery.RaidEntry.Kind",
        "RiskStatusEnum": "tracker.models.delivery.RaidEntry.Status",
        "StocktakeStatusEnum": "tracker.models.delivery.Stocktake.Status",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "tracker.api.schema.strict_request_bodies",
        "tracker.api.schema.shared_problem_examples",
    ],
    "TAGS": [
        {"name": "activities", "description": "The agenda's activities: read, write, report progress."},
        {"name": "sync", "description": "Upserts by the other system's own reference, one or many at a time."},
        {"name": "milestones", "description": "An activity's checklist."},
        {"name": "agenda", "description": "Presidencies and priorities, with roll-up figures."},
        {"name": "reference", "description": "Member states and responsible bodies."},
        {"name": "webhooks", "description": "Event subscriptions (coordinators only)."},
    ],
}

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

# --- Performance (issue 18) -------------------------------------------------------------------------------
# How long a worker keeps an API key's lookup (client row and bodies) before reading it again: a key revoked
# in another process is refused within this many seconds (this process forgets at once). 0 turns it off.
API_KEY_CACHE_SECONDS = env_int("API_KEY_CACHE_SECONDS", default=5, minimum=0)
# How long a worker reuses the compiled statement of an API list's first page asked for with the same
# parameters (tracker/selectors/arrays.py StatementCache). 0 turns it off.
API_STATEMENT_CACHE_SECONDS = env_int("API_STATEMENT_CACHE_SECONDS", default=10, minimum=0)
