"""Typed reads of the environment that refuse malformed values at start.

Settings are read once, when Django starts; a value that cannot be parsed stops the process with a message
that names the variable, instead of surfacing later as a confusing runtime error.
"""

from __future__ import annotations

import datetime as dt
import os
from urllib.parse import urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false, yes/no), got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_date(name: str) -> dt.date | None:
    """An ISO date (2023-06-15), or None when unset."""
    raw = env_str(name)
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an ISO date such as 2023-06-15, got {raw!r}") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


_DATABASE_SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql"}


def env_database(name: str, default: str, *, conn_max_age: int = 0) -> dict:
    """Parse a database URL; only SQLite and PostgreSQL are supported."""
    raw = env_str(name) or default
    scheme = urlparse(raw).scheme
    if scheme not in _DATABASE_SCHEMES:
        raise ImproperlyConfigured(
            f"{name} must be a sqlite:/// or postgres:// URL, got {raw!r}"
        )
    try:
        config = dj_database_url.parse(raw, conn_max_age=conn_max_age)
    except Exception as exc:  # dj-database-url raises several types on bad input
        raise ImproperlyConfigured(f"{name} is malformed ({exc}): {raw!r}") from None
    if config["ENGINE"] != "django.db.backends.sqlite3" and not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} must name a database, got {raw!r}")
    return config


def env_redis_url(name: str) -> str:
    raw = env_str(name)
    if raw and urlparse(raw).scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(f"{name} must be a redis:// URL, got {raw!r}")
    return raw
