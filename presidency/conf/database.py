"""Settings of the database: the primary (DATABASE_URL, SQLite by default), an optional read replica, kept-open
connections and their health checks, the answer to an outage and the retries of a conflicting write.

Imported by presidency/settings.py; every value is read from the environment through presidency/env.py.
"""

from __future__ import annotations

from pathlib import Path

from presidency.env import env_database, env_int, env_str

_BASE_DIR = Path(__file__).resolve().parent.parent.parent

# Connections are kept open between requests (opening one costs a PostgreSQL server ~7 ms of a 2-core
# machine, more than a whole API read; docs/performance.md); CONN_HEALTH_CHECKS below checks them first.
DATABASES = {
    "default": env_database(
        "DATABASE_URL",
        default=f"sqlite:///{_BASE_DIR / 'db.sqlite3'}",
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
    DATABASES["default"]["TEST"] = {"NAME": str(_BASE_DIR / "var" / "test.sqlite3")}

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
