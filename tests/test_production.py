"""Production defaults: secure headers, deploy checks, login throttling, request ids, readiness."""

import json
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from tests import factories

ROOT = Path(__file__).resolve().parent.parent


def _production_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update({"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50),
                "ALLOWED_HOSTS": "tracker.example.org", "DJANGO_SETTINGS_MODULE": "presidency.settings"})
    env.update(extra)
    return env


def test_check_deploy_is_clean_with_production_settings():
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=_production_env(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_are_strict():
    code = ("import django; django.setup(); from django.conf import settings as s; "
            "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0, "
            "s.LOG_FORMAT, s.CONTENT_SECURITY_POLICY['DIRECTIVES']['script-src'])")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_production_env(),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True True True True json [\"'self'\"]"


def test_responses_carry_security_headers(client, db):
    response = client.get("/accounts/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    directives = dict(d.strip().split(" ", 1) for d in response["Content-Security-Policy"].split(";") if d.strip())
    assert directives["script-src"] == "'self'"  # no inline script, no eval, no other origin
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"


def test_every_response_has_a_request_id_and_keeps_a_sane_incoming_one(client, db):
    generated = client.get("/health/")["X-Request-ID"]
    assert len(generated) == 32
    assert client.get("/health/", headers={"X-Request-ID": "proxy-abc-12345"})["X-Request-ID"] == "proxy-abc-12345"
    assert client.get("/health/", headers={"X-Request-ID": "bad id\n"})["X-Request-ID"] != "bad id\n"


def test_json_log_lines_carry_the_request_id():
    from pythonjsonlogger.json import JsonFormatter

    from tracker.observability import RequestIdFilter, _request_id

    formatter = JsonFormatter("%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s")
    record = logging.LogRecord("tracker", logging.INFO, __file__, 1, "activity moved", None, None)
    token = _request_id.set("abc123def456")
    try:
        RequestIdFilter().filter(record)
    finally:
        _request_id.reset(token)
    line = json.loads(formatter.format(record))
    assert (line["request_id"], line["message"]) == ("abc123def456", "activity moved")


def test_readiness_is_ok_with_the_database_and_a_recent_worker(client, db):
    from tracker.jobs import heartbeat

    heartbeat.beat("worker@test")
    response = client.get("/health/ready/")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"
    assert response.json()["checks"]["worker"] == "ok"


def test_readiness_names_a_missing_worker(client, db):
    response = client.get("/health/ready/")
    assert response.status_code == 503
    assert response.json()["down"] == ["worker"]
    assert "no worker" in response.json()["checks"]["worker"]


def test_readiness_names_a_stale_worker(client, db):
    import datetime as dt

    from django.utils import timezone

    from tracker.models import WorkerHeartbeat

    WorkerHeartbeat.objects.create(worker="worker@old", seen_at=timezone.now() - dt.timedelta(minutes=10))
    assert "no heartbeat for 600 s (since" in client.get("/health/ready/").json()["checks"]["worker"]


def test_readiness_names_redis_when_it_is_down(client, db):
    from tracker.jobs import heartbeat

    heartbeat.beat("worker@test")
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
        response = client.get("/health/ready/")
    assert response.status_code == 503
    assert response.json()["down"] == ["redis"]


@pytest.mark.django_db
def test_login_is_locked_after_repeated_wrong_passwords(client):
    factories.UserFactory(username="clerk", password="right-password-2023")
    with override_settings(AXES_ENABLED=True):
        for _ in range(5):
            client.post("/accounts/login/", {"username": "clerk", "password": "wrong"})
        response = client.post("/accounts/login/", {"username": "clerk", "password": "right-password-2023"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_error_answers_logged_after_the_middleware_keep_their_request_id():
    from types import SimpleNamespace

    from tracker.observability import RequestIdFilter

    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Service Unavailable: /x", None, None)
    record.request = SimpleNamespace(request_id="0123456789abcdef")  # django.request passes the request
    RequestIdFilter().filter(record)
    assert record.request_id == "0123456789abcdef"


def test_weak_passwords_are_refused_by_the_validators(db):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    user = factories.UserFactory(username="clerk")
    for weak in ("short1", "password123", "12345678901", "clerk2023"):
        with pytest.raises(ValidationError):
            validate_password(weak, user)
    validate_password("Minsk-presidency-2023-agenda", user)  # a long, uncommon passphrase passes


@pytest.mark.django_db
def test_a_session_ends_after_twelve_hours_or_when_the_browser_closes(client):
    factories.UserFactory(username="clerk", password="right-password-2023")
    client.post("/accounts/login/", {"username": "clerk", "password": "right-password-2023"})
    assert client.session.get_expiry_age() == 12 * 60 * 60
    assert client.session.get_expire_at_browser_close()
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["/", "/board/", "/timeline/", "/calendar/", "/reports/", "/reports/year/",
                                  "/activities/{pk}/", "/accounts/login/"])
def test_pages_carry_no_inline_script_the_policy_would_block(client, coordinator, activity, page):
    import re

    client.force_login(coordinator)
    html = client.get(page.format(pk=activity.pk)).content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all(" src=" in tag or "application/json" in tag for tag in scripts), scripts  # data is no script
    assert not re.search(r"\son[a-z]+\s*=", html)  # inline event handlers are inline script too
    assert "hx-on" not in html and "javascript:" not in html


def test_a_worker_task_s_log_lines_carry_the_task_id():
    import logging

    from celery import shared_task

    from tracker.observability import RequestIdFilter

    seen = []

    class Keep(logging.Handler):
        def emit(self, record):
            seen.append(record.request_id)

    handler = Keep()
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("tracker.test_task_ids")
    logger.addHandler(handler)

    @shared_task(name="tests.log_something")
    def log_something():
        logger.warning("inside a task")

    try:
        logger.warning("outside a task")
        log_something.apply(task_id="task-1234-abcd")  # run as the worker runs it
    finally:
        logger.removeHandler(handler)
    assert seen == ["-", "task-1234-abcd"]
