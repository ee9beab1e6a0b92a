"""Settings of the REST API (tracker/api/): body and page limits, idempotency, throttles, DRF and the schema.

Imported by presidency/settings.py; every value is read from the environment through presidency/env.py.
"""

from __future__ import annotations

import re

from django.core.exceptions import ImproperlyConfigured

from presidency.env import env_bool, env_int, env_str

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
        # The links' kind is its own enum in the schema (drf-spectacular would otherwise guess a name).
        "DependencyKindEnum": "tracker.models.schedule.Dependency.Kind",
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
        {"name": "webhooks",
         "description": "Event subscriptions: coordinators (all), keys with the webhooks scope (their own)."},
        {"name": "events", "description": "The events feed: catch up on everything after a cursor."},
    ],
}

# How long a worker keeps an API key's lookup (client row and bodies) before reading it again: a key revoked
# in another process is refused within this many seconds (this process forgets at once). 0 turns it off.
API_KEY_CACHE_SECONDS = env_int("API_KEY_CACHE_SECONDS", default=5, minimum=0)
# How long a worker reuses the compiled statement of an API list's first page asked for with the same
# parameters (tracker/selectors/arrays.py StatementCache). 0 turns it off.
API_STATEMENT_CACHE_SECONDS = env_int("API_STATEMENT_CACHE_SECONDS", default=10, minimum=0)

# --- The API list's parameters read without the FilterSet's form (issue 18, tracker/api/list_params.py) ---
# How long a worker keeps the ids of priorities, bodies, states and presidencies that list filters name,
# instead of a query per request. An unknown id reads them again; a row deleted in another process is
# still accepted (an empty page) for at most this long. 0 reads them on every request.
API_ID_CACHE_SECONDS = env_int("API_ID_CACHE_SECONDS", default=10, minimum=0)
# Whether the API's one-activity read is a prepared statement on PostgreSQL (planned once per connection;
# tracker/selectors/cursors.py row_cursor). Turn it off behind a pooler in transaction mode (PgBouncer
# before 1.21), which cannot keep a session's prepared statements.
API_PREPARED_STATEMENTS = env_bool("API_PREPARED_STATEMENTS", default=True)
