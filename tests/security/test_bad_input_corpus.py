"""A corpus of malformed input, sent to every write door: each answer is a 4xx (a problem body naming the
field on the API; the form again, a message or a redirect on the web) and nothing is written.

The doors are not listed here: they are every write (POST, PUT, PATCH) of the access matrices
(tests/security/test_access_matrix.py and tests/api/test_auth_matrix.py), whose coverage test already
fails when a URL pattern appears that nobody checks. So a new write endpoint joins this corpus as soon as
it joins the matrix; `test_every_api_write_method_is_in_the_corpus` also checks the URL patterns directly.

Each door's valid example body is mutated field by field according to the example value's type (text,
number, date, list, flag), and the whole body is replaced by broken JSON, deep nesting, lone surrogates,
bodies of the wrong shape, unknown and read-only fields, an oversize body and odd headers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from tests.api.conftest import callers  # noqa: F401  (fixture used by the access matrix's doors)
from tests.api.test_auth_matrix import ENDPOINTS as API_MATRIX
from tests.security.test_access_matrix import API, WEB, doors  # noqa: F401  (doors: the matrix's fixture)

pytestmark = pytest.mark.django_db

WRITE_METHODS = ("post", "put", "patch")
HUGE = 10**30


@dataclass(frozen=True)
class WriteDoor:
    name: str
    method: str
    build: Callable[[dict], tuple[str, dict]]  # fixtures -> (url, a valid body)
    writes: bool = True  # the valid body is accepted (the forms below that only read are checked without it)


def _api_doors() -> list[WriteDoor]:
    found = [WriteDoor(name, method, lambda f, build=build: build(_matrix_fixtures(f)))
             for name, (_expected, method, build) in API_MATRIX.items() if method in WRITE_METHODS]
    for route, door_list in API.items():
        for n, door in enumerate(door_list):
            if door.method in WRITE_METHODS and door.expected["coordinator"] < 300:
                found.append(WriteDoor(f"{route}#{n}", door.method,
                                       lambda f, door=door: (door.url(f), door.data(f) if door.data else {})))
    return found


def _web_doors() -> list[WriteDoor]:
    found = []
    for route, door_list in WEB.items():
        for n, door in enumerate(door_list):
            if door.method in WRITE_METHODS and door.data and door.expected["coordinator"] in (200, 302):
                found.append(WriteDoor(f"{route}#{n}", door.method,
                                       lambda f, door=door: (door.url(f), door.data(f))))
    # Forms the matrices only read (GET): the same corpus is posted to them.
    found += [
        WriteDoor("login", "post", lambda f: ("/accounts/login/", {"username": "coordinator",
                                                                  "password": "wrong-password"}), writes=False),
        WriteDoor("password_reset", "post", lambda f: ("/accounts/password_reset/",
                                                       {"email": "nobody@example.org"}), writes=False),
        WriteDoor("password_change", "post", lambda f: ("/accounts/password_change/", {
            "old_password": "wrong", "new_password1": "Another-pass-2023", "new_password2": "Another-pass-2023"}),
            writes=False),
    ]
    # The admin's own add forms for what other systems and editors enter: activities, webhooks, API clients.
    found += [
        WriteDoor("admin:tracker_activity_add", "post", lambda f: ("/admin/tracker/activity/add/", {
            "priority": str(f["own"].priority_id), "title": "Staff talks", "kind": "meeting", "status": "planned",
            "progress": "0", "start_date": "2023-03-01", "due_date": "2023-04-01",
            "responsible_body": str(f["body"].pk), "location": "Minsk", "description": "Agenda",
            "lead_state": str(f["state"].pk),
            "external_source": "", "external_id": "", "code": "staff-talks",
            "milestones-TOTAL_FORMS": "0", "milestones-INITIAL_FORMS": "0",
            "milestones-MIN_NUM_FORMS": "0", "milestones-MAX_NUM_FORMS": "1000",
            # The states take part through the participation inline (role, level, confirmed).
            "participations-TOTAL_FORMS": "0", "participations-INITIAL_FORMS": "0",
            "participations-MIN_NUM_FORMS": "0", "participations-MAX_NUM_FORMS": "1000"})),
        WriteDoor("admin:tracker_webhooksubscription_add", "post", lambda f: (
            "/admin/tracker/webhooksubscription/add/", {
                "name": "Secretariat", "url": "https://hooks.example.org/new", "events": '["activity.status_changed"]',
                "secret": "a-shared-secret-of-some-length-0123456789", "active": "on"})),
        WriteDoor("admin:tracker_apiclient_add", "post", lambda f: (
            "/admin/tracker/apiclient/add/", {"name": "planning-system-2", "scope": "write",
                                              "bodies": str(f["body"].pk), "expires_at_0": "2030-01-01",
                                              "expires_at_1": "00:00:00"})),
    ]
    return found


#: Fields that take a related row's code as well as its id (tracker/api/serializers/strict.CachedRelatedField).
NAMED_BY_CODE = {"priority", "responsible_body", "lead_state", "activity"}


def _matrix_fixtures(f: dict) -> dict:
    """What tests/api/test_auth_matrix.py builds its requests from: a planned activity without milestones (the
    access matrix's own one has milestones, which take its progress over)."""
    from tests import factories

    fresh = factories.ActivityFactory(priority=f["own"].priority, responsible_body=f["body"], title="Staff talks")
    return {"activity": fresh, "priorities": list(f["own"].priority.presidency.priorities.order_by("number")),
            "body": f["body"], "webhook": f["webhook"]}


API_DOORS = _api_doors()
WEB_DOORS = _web_doors()
#: Uploads (documents): multipart bodies, refused by the corpus of multipart_cases below.
MULTIPART_API_DOORS = [door for door in API_DOORS
                       if any(getattr(d.data, "uploads", False) for d in API.get(door.name.split("#")[0], [])
                              if d.method == door.method)]
API_DOORS = [door for door in API_DOORS if door not in MULTIPART_API_DOORS]


# --- The corpus -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    label: str
    body: bytes
    field: str | None = None  # the field an answer must name
    content_type: str = "application/json"
    headers: dict | None = None
    status: int | None = None  # a particular status, where one is required


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


def _field_values(key: str, value: Any) -> Iterator[tuple[str, Any]]:
    """Bad values for a field, chosen by the type of its valid example value."""
    if isinstance(value, bool):
        yield from [("text for a flag", "maybe"), ("number for a flag", 2), ("list for a flag", [True])]
    elif isinstance(value, int):
        # Related rows may be named by code since issue 16 ("1" is the priority numbered 1): a code that
        # names nothing stands in for text there.
        text = "no-such-code" if key in NAMED_BY_CODE else "1"
        yield from [("huge number", HUGE), ("huge negative number", -HUGE), ("fraction", 1.5),
                    ("flag for a number", True), ("text for a number", text), ("object for a number", {"a": 1})]
    elif isinstance(value, str) and key.endswith("_date"):
        yield from [("invalid date", "2023-02-30"), ("year 99999", "99999-12-31"), ("not a date", "2023-1-1x"),
                    ("number for a date", 20230101)]
    elif isinstance(value, str):
        yield from [("NUL in text", "a\x00b"), ("number for text", 12345), ("list for text", ["a"]),
                    ("object for text", {"a": 1}), ("null for text", None)]
    elif isinstance(value, list):
        yield from [("text for a list", "not-a-list"), ("huge number in a list", [HUGE]),
                    ("object in a list", [{"a": 1}] if not value or not isinstance(value[0], dict) else [[1]])]


def api_cases(valid: dict, versioned: bool) -> list[Case]:
    """The corpus for an API door; `versioned`: the door honours If-Match (an activity's PUT and PATCH)."""
    cases = []
    for key, value in valid.items():
        for label, bad in _field_values(key, value):
            cases.append(Case(f"{key}: {label}", _json({**valid, key: bad}), field=key))
        if isinstance(value, list) and value and isinstance(value[0], dict):  # bulk items: one level down
            for inner_key, inner_value in value[0].items():
                for label, bad in _field_values(inner_key, inner_value):
                    item = {**value[0], inner_key: bad}
                    cases.append(Case(f"{key}[0].{inner_key}: {label}", _json({**valid, key: [item]}), field=key))
    text = _json(valid).decode()
    cases += [
        Case("lone surrogate in a value", (text[:-1] + (", " if valid else "") + '"title": "\\ud800"}').encode()),
        Case("lone surrogate as a key", b'{"\\ud800": 1}'),
        Case("broken JSON", b'{"title": '),
        Case("deep nesting", b"[" * 5000 + b"]" * 5000),
        Case("deep nesting in a field", b'{"title": ' + b"[" * 5000 + b"]" * 5000 + b"}"),
        Case("NaN", b'{"progress": NaN}'),
        Case("a list instead of an object", b"[]"),
        Case("a string instead of an object", b'"activity"'),
        Case("a number instead of an object", b"1"),
        Case("null instead of an object", b"null"),
        Case("unknown field", _json({**valid, "no_such_field": 1}), field="no_such_field"),
        Case("read-only field id", _json({**valid, "id": 999_999}), field="id"),
        Case("read-only field created_at", _json({**valid, "created_at": "2020-01-01T00:00:00Z"}),
             field="created_at"),
        Case("oversize body", _json({**valid, "padding": "x" * 5000}), status=413),
        Case("plain text body", _json(valid), content_type="text/plain", status=415),
        Case("form body", b"title=x", content_type="application/x-www-form-urlencoded", status=415),
        Case("JSON declared as UTF-16", _json(valid), content_type="application/json; charset=utf-16"),
        Case("invalid UTF-8", b'{"title": "\xff\xfe"}'),
        Case("Content-Length not a number", _json(valid), headers={"CONTENT_LENGTH": "12abc"}),
    ]
    if versioned:
        cases.append(Case("If-Match not a version", _json(valid), headers={"HTTP_IF_MATCH": '"not-a-version"'}))
    return cases


#: Form fields a door ignores by design, so that a bad value there rightly changes nothing about the answer.
IGNORED_FIELDS = {
    # The activity has milestones: its progress follows them, and the form shows the field disabled.
    ("web:activity-update#0", "progress"),
}


#: Text without a length limit (bounded only by the request size limit, which the "oversize form" case tests).
# Free text people write at length (descriptions, notes, narratives, risk statements, evidence): no length cap.
FREE_TEXT = {"description", "description_ru", "note", "narrative", "actions", "statement", "response", "text",
             "evidence", "attendees"}


def web_cases(name: str, valid: dict) -> list[tuple[str, dict | bytes, str]]:
    """(label, data, content type) for a form: every field broken in turn, then whole-body oddities. (Several
    values for one field are not in it: as in HTML, the last one counts.)"""
    cases: list[tuple[str, dict | bytes, str]] = []
    for key, value in valid.items():
        if hasattr(value, "read"):
            cases += [(f"{key}: {label}", {**valid, key: bad}, "multipart") for label, bad in file_cases()]
            continue
        if value == "on" or (name, key) in IGNORED_FIELDS or key.endswith("_FORMS"):
            continue  # a checkbox (any value means ticked, as in HTML) or an admin formset's own bookkeeping
        bad_values = [("NUL", "a\x00b"), ("control character", "a\x1bb")]
        if key not in FREE_TEXT:
            bad_values.append(("long text", "x" * 20_000))
        if str(value).lstrip("-").isdigit():  # a number field: text of digits is what it reads
            bad_values += [("huge number", "9" * 40), ("negative number", "-" + "9" * 40), ("fraction", "1.5")]
        if key.endswith("_date"):
            bad_values += [("invalid date", "2023-02-30"), ("year 99999", "99999-01-01")]
        for label, bad in bad_values:
            cases.append((f"{key}: {label}", {**valid, key: bad}, "multipart"))
        # A lone surrogate cannot be sent as text; a client sends it as its (invalid) UTF-8 bytes, which Django
        # reads as U+FFFD. In free text that is a character like any other; a number or a choice refuses it.
        if str(value).lstrip("-").isdigit() or key in ("status", "language"):
            raw = "&".join(f"{name}={'%ED%A0%80' if name == key else quote(str(v))}" for name, v in valid.items())
            cases.append((f"{key}: lone surrogate", raw.encode(), "application/x-www-form-urlencoded"))
    if valid:  # a form whose every field is optional (opening a stocktake) takes an empty post as its valid one
        cases.append(("unknown fields only", {"no_such_field": "1"}, "multipart"))
    cases += [
        ("invalid UTF-8", b"status=%FF%FE&progress=%00", "application/x-www-form-urlencoded"),
        ("oversize form", {**valid, "padding": "x" * (3 * 1024 * 1024)}, "multipart"),
        ("JSON instead of a form", _json({k: v for k, v in valid.items() if not hasattr(v, "read")}),
         "application/json"),
    ]
    return cases


def file_cases() -> list[tuple[str, Any]]:
    """Bad values for a file field: not a file, an empty file, a disallowed kind, too large (the tests set the
    documents' limit to a few KB), markup in the name of a file that is not allowed."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return [
        ("text instead of a file", "not a file"),
        ("empty file", SimpleUploadedFile("empty.pdf", b"", "application/pdf")),
        ("executable named .pdf", SimpleUploadedFile("minutes.pdf", b"MZ\x90\x00" + b"\x00" * 60, "application/pdf")),
        ("zip that is not an office file", SimpleUploadedFile("a.docx", b"PK\x03\x04" + b"\x00" * 60)),
        ("binary with NUL", SimpleUploadedFile("<script>.txt", b"a\x00b", "text/plain")),
        ("over the size limit", SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * 20_000, "application/pdf")),
    ]


def multipart_cases(valid: dict) -> list[tuple[str, dict | bytes, str, int | None]]:
    """(label, body, content type, required status) for an API upload door."""
    cases: list[tuple[str, dict | bytes, str, int | None]] = []
    for key, value in valid.items():
        if hasattr(value, "read"):
            for label, bad in file_cases():
                cases.append((f"{key}: {label}", {**valid, key: bad}, "multipart",
                              413 if label == "over the size limit" else None))
            cases.append((f"{key}: missing", {k: v for k, v in valid.items() if k != key}, "multipart", None))
            continue
        for label, bad in [("NUL", "a\x00b"), ("control character", "a\x1bb"), ("long text", "x" * 20_000)]:
            cases.append((f"{key}: {label}", {**valid, key: bad}, "multipart", None))
        cases.append((f"{key}: missing", {k: v for k, v in valid.items() if k != key}, "multipart", None))
    plain = {k: v for k, v in valid.items() if not hasattr(v, "read")}
    cases += [
        ("JSON body without a file", _json(plain), "application/json", None),
        ("broken multipart", b"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF",
         "multipart/form-data; boundary=x", None),
        ("multipart without a boundary", b"abc", "multipart/form-data", None),
        ("plain text body", b"title=x", "text/plain", 415),
    ]
    return cases


# --- Checks ---------------------------------------------------------------------------------------------------

def written(before: dict[str, int]) -> dict[str, tuple[int, int]]:
    after = row_counts()
    return {label: (before[label], after[label]) for label in before if before[label] != after[label]}


def row_counts() -> dict[str, int]:
    """Rows of every model of the tracker (with the historical records every change leaves) and of users."""
    models = [*apps.get_app_config("tracker").get_models(), apps.get_model("auth", "User")]
    return {model._meta.label: model.objects.count() for model in models}


def _versions() -> list:
    from tracker.models import Activity, Milestone, WebhookSubscription

    return [list(Activity.objects.order_by("pk").values_list("pk", "version", "title")),
            list(Milestone.objects.order_by("pk").values_list("pk", "order", "title", "done")),
            list(WebhookSubscription.objects.order_by("pk").values_list("pk", "name", "url", "active"))]


@pytest.mark.parametrize("door", API_DOORS, ids=[door.name for door in API_DOORS])
def test_the_api_refuses_the_corpus_and_writes_nothing(door, doors, settings):  # noqa: F811
    settings.API_MAX_BODY_BYTES = 4096  # the oversize case need not send megabytes
    client = doors["callers"]["coordinator"]
    url, valid = door.build(doors)
    versioned = door.method in ("put", "patch") and "/milestones/" not in url and url.startswith("/api/v1/activ")
    for case in api_cases(valid, versioned):
        before, state = row_counts(), _versions()
        response = client.generic(door.method.upper(), url, case.body, content_type=case.content_type,
                                  **(case.headers or {}))
        where = (door.name, case.label, response.status_code, response.content[:300])
        assert 400 <= response.status_code < 500, where
        if case.status:
            assert response.status_code == case.status, where
        assert response["Content-Type"] == "application/problem+json", where
        problem = response.json()
        assert problem["status"] == response.status_code and problem["detail"] and problem["code"], where
        if case.field and response.status_code == 400:
            named = " ".join(problem.get("errors", {})) + " " + problem["detail"]
            assert case.field in named, where
        assert not written(before) and _versions() == state, (*where, written(before))
    # The control: the valid body itself is accepted, so each refusal above was the broken input's doing.
    response = client.generic(door.method.upper(), url, _json(valid), content_type="application/json")
    assert response.status_code < 300, (door.name, "valid body", response.status_code, response.content[:300])


def _rewind(data: dict | bytes) -> None:
    for value in data.values() if isinstance(data, dict) else ():
        if hasattr(value, "seek"):
            value.seek(0)


@pytest.mark.parametrize("door", MULTIPART_API_DOORS, ids=[door.name for door in MULTIPART_API_DOORS])
def test_the_api_uploads_refuse_the_corpus_and_write_nothing(door, doors, settings, tmp_path):  # noqa: F811
    settings.DOCUMENTS_MAX_BYTES = 4096
    client = doors["callers"]["coordinator"]
    url, valid = door.build(doors)
    for label, body, content_type, status in multipart_cases(valid):
        _rewind(body)
        before, state = row_counts(), _versions()
        if isinstance(body, bytes):
            response = client.generic(door.method.upper(), url, body, content_type=content_type)
        else:
            response = client.post(url, body, format="multipart")
        where = (door.name, label, response.status_code, response.content[:300])
        assert 400 <= response.status_code < 500, where
        if status:
            assert response.status_code == status, where
        assert response["Content-Type"] == "application/problem+json", where
        problem = response.json()
        if response.status_code == 400 and ":" in label:
            assert label.split(":")[0] in " ".join(problem.get("errors", {})) + problem["detail"], where
        assert not written(before) and _versions() == state, (*where, written(before))
    _rewind(valid)
    response = client.post(url, valid, format="multipart")
    assert response.status_code == 201, (door.name, "valid body", response.status_code, response.content[:300])


@pytest.mark.parametrize("door", WEB_DOORS, ids=[door.name for door in WEB_DOORS])
def test_the_web_forms_refuse_the_corpus_and_write_nothing(door, doors, settings):  # noqa: F811
    settings.DOCUMENTS_MAX_BYTES = 4096
    client = doors["callers"]["coordinator"]
    url, valid = door.build(doors)
    for label, data, content_type in web_cases(door.name, valid):
        _rewind(data)
        before, state = row_counts(), _versions()
        if isinstance(data, bytes):
            response = client.generic("POST", url, data, content_type=content_type)
        else:
            response = client.post(url, data, format="multipart")
        where = (door.name, label, response.status_code, response.content[:300])
        assert response.status_code < 500, where
        if response.status_code == 400 and "html" in response.get("Content-Type", ""):
            assert b"error" in response.content.lower(), where  # the form again, saying what was wrong
        assert not written(before) and _versions() == state, (*where, written(before))
    if door.writes:  # the control: the valid form itself is accepted
        _rewind(valid)
        response = client.post(url, valid, format="multipart")
        assert response.status_code in (200, 302) and b"errorlist" not in response.content, (
            door.name, "valid form", response.status_code, response.content[:300])


# --- Coverage -------------------------------------------------------------------------------------------------

def _api_write_methods() -> set[tuple[str, str]]:
    """(route name, method) of every write the API's URL patterns route, read from the views themselves."""
    found = set()

    def walk(patterns, namespace: str = "") -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
            elif isinstance(pattern, URLPattern) and namespace.startswith("api"):
                actions = getattr(pattern.callback, "actions", None)
                view_class = getattr(pattern.callback, "cls", None)
                if actions:
                    methods = set(actions)
                elif view_class is not None:
                    methods = {m for m in view_class.http_method_names if hasattr(view_class, m)}
                else:
                    methods = set()
                for method in methods & set(WRITE_METHODS):
                    found.add((f"{namespace}{pattern.name}", method))

    walk(get_resolver().url_patterns)
    return found


def test_every_api_write_method_is_in_the_corpus(doors):  # noqa: F811
    covered = set()
    for door in API_DOORS + MULTIPART_API_DOORS:
        url, _valid = door.build(doors)
        covered.add((resolve(url).view_name, door.method))
    missing = sorted(_api_write_methods() - covered)
    assert not missing, f"writes nobody sends the corpus to: {missing}; add them to the access matrix"
