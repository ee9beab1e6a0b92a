"""Settings come from the environment and a malformed value stops the process at start, naming it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _start_django(**env):
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"}}
    environment.update({"DJANGO_SETTINGS_MODULE": "presidency.settings", "DEBUG": "1"})
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
                               "print(settings.DATABASES['default']['ENGINE'])"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60,
    )


@pytest.mark.parametrize("url", ["mysql://root@localhost/db", "not a url", "postgres://localhost:notaport/db"])
def test_a_malformed_database_url_is_refused_at_start(url):
    result = _start_django(DATABASE_URL=url)
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_sqlite_is_the_default_database():
    result = _start_django()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.sqlite3"


def test_postgres_url_selects_postgresql():
    result = _start_django(DATABASE_URL="postgres://postgres@127.0.0.1:5432/test")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.postgresql"


def test_production_refuses_to_start_without_a_secret_key():
    result = _start_django(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(("name", "value"), [("DEBUG", "maybe"), ("REDIS_URL", "http://localhost:6379"),
                                             ("AGENDA_DATE_SLACK_DAYS", "ninety")])
def test_malformed_values_are_refused_by_name(name, value):
    result = _start_django(**{name: value})
    assert result.returncode != 0
    assert name in result.stderr


def test_sqlite_runs_immediate_transactions_in_wal_mode(db):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: checks the embedded default's settings")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_the_embedded_broker_connects_without_kombus_hostname_warning():
    """`make run` printed kombu's "No hostname was supplied" for the filesystem broker's bare URL."""
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"}}
    environment.update({"DJANGO_SETTINGS_MODULE": "presidency.settings", "DEBUG": "1"})
    code = ("import logging; logging.basicConfig(); import django; django.setup(); "
            "from presidency.celery import app; connection = app.connection_for_write(); connection._info(); "
            "print(connection.transport_cls)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "filesystem"
    assert "hostname" not in result.stderr


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "PY": sys.executable, **env}
    return subprocess.run([str(ROOT / "manage"), *args], cwd="/", env=environment, capture_output=True, text=True,
                          timeout=60)


def test_the_manage_wrapper_runs_from_anywhere_with_make_runs_settings():
    result = _manage("shell", "-c", "from django.conf import settings; print(settings.DEBUG)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True"  # no "SECRET_KEY must be set when DEBUG is off"


def test_the_manage_wrapper_leaves_a_production_environment_alone():
    result = _manage("shell", "-c", "from django.conf import settings; print(settings.DEBUG)",
                     SECRET_KEY="x" * 60, ALLOWED_HOSTS="tracker.example")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_the_manage_wrapper_says_what_to_do_without_the_venv():
    result = _manage("check", PY="/nonexistent/python")
    assert result.returncode == 1
    assert "run 'make run'" in result.stderr
