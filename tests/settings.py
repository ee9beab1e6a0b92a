"""The test suite's settings: presidency/settings.py (production and development) with the test policy on
top. pytest uses this module (pyproject.toml); the servers and workers the tests start get it through
DJANGO_SETTINGS_MODULE, and each value below still yields to its environment variable, so a test can run a
production-shaped process (tests/faults/support.py turns throttles and the login lockout back on)."""

from __future__ import annotations

import os

# Settings refuse to start without a key when DEBUG is off; tests need none of their own.
os.environ.setdefault("SECRET_KEY", "test-only-insecure-secret-key")

from presidency.env import env_bool, env_list, env_str
from presidency.settings import *  # noqa: F403
from presidency.settings import API_THROTTLE_RATES, LOGGING, REDIS_URL, STORAGES

# Cached pages: off, as tests often set data up without signals; the caching tests turn it on.
AGENDA_CACHE = env_bool("AGENDA_CACHE", default=False)
# The login lockout: off; the tests of lockout turn it on.
AXES_ENABLED = env_bool("AXES_ENABLED", default=False)
# Tests create many users; the production hasher's deliberate slowness buys nothing there.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Plain static files: no collectstatic before a test run.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
# Webhook receivers in tests listen on 127.0.0.1.
WEBHOOK_ALLOWED_NETWORKS = env_list("WEBHOOK_ALLOWED_NETWORKS", ["127.0.0.0/8", "::1/128"])
# The in-memory broker, unless a test points elsewhere.
if not env_str("CELERY_BROKER_URL") and not REDIS_URL:
    CELERY_BROKER_URL = "memory://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
# Plain http on localhost: the security that needs TLS stays off unless a test asks for it.
if not env_bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=False)
SILENCED_SYSTEM_CHECKS: list[str] = []
# Rate limits far out of reach; the tests of 429 set their own.
API_THROTTLE_RATES = {
    scope: env_str(f"API_THROTTLE_{scope.upper()}", "100000/minute") for scope in API_THROTTLE_RATES
}
# Readable log lines, unless a test reads JSON.
LOG_FORMAT = env_str("LOG_FORMAT", "plain")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT
# Uploaded documents go to a temporary folder, never into the checkout's var/media.
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

from presidency.settings import DOCUMENTS_S3_BUCKET  # noqa: E402

MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or tempfile.mkdtemp(prefix="tracker-test-media-"))
if not DOCUMENTS_S3_BUCKET:
    STORAGES["documents"] = {"BACKEND": "django.core.files.storage.FileSystemStorage",
                             "OPTIONS": {"location": str(MEDIA_ROOT / "documents")}}
# Webhook names resolve from the tests' own table (tests/dns.py): no lookup leaves the machine.
WEBHOOK_RESOLVER = env_str("WEBHOOK_RESOLVER", "tests.dns.resolve")
