"""The OpenAPI document and its two viewers, served offline; every operation documents its errors."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db

WRITE_METHODS = {"post", "put", "patch", "delete"}


@pytest.fixture
def schema(api):
    response = api.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def test_the_schema_is_openapi_3_and_lists_every_resource(schema):
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    for expected in [
        "/api/v1/activities/", "/api/v1/activities/{id}/", "/api/v1/activities/{id}/transition/",
        "/api/v1/activities/{id}/updates/", "/api/v1/activities/{id}/history/",
        "/api/v1/activities/{activity_pk}/milestones/", "/api/v1/activities/{activity_pk}/milestones/{id}/toggle/",
        "/api/v1/activities/by-ref/{source}/{ref}/", "/api/v1/activities/bulk/", "/api/v1/presidencies/",
        "/api/v1/priorities/", "/api/v1/member-states/", "/api/v1/bodies/", "/api/v1/webhooks/",
    ]:
        assert expected in paths


def test_every_operation_documents_its_problem_answers_with_examples(schema):
    for path, method, operation in _operations(schema):
        responses = operation["responses"]
        for status in ("401", "403", "429"):
            assert status in responses, (method, path, status)
            content = responses[status]["content"]["application/problem+json"]
            assert content["schema"] == {"$ref": "#/components/schemas/Problem"}
            assert content["examples"], (method, path, status)
        if method in WRITE_METHODS:
            assert {"400", "413", "415"} <= set(responses), (method, path)
        assert operation.get("summary"), (method, path)


def test_activity_writes_document_if_match_and_412(schema):
    for path, method, operation in _operations(schema):
        if path.startswith("/api/v1/activities/{id}/") and method in WRITE_METHODS:
            names = {p["name"] for p in operation.get("parameters", [])}
            assert "If-Match" in names, (method, path)
            assert "412" in operation["responses"], (method, path)


def test_every_post_documents_idempotency_key(schema):
    for path, method, operation in _operations(schema):
        if method == "post":
            names = {p["name"] for p in operation.get("parameters", [])}
            assert "Idempotency-Key" in names, path
            assert {"409", "422"} <= set(operation["responses"]), path


def test_the_activity_list_documents_the_board_filters(schema):
    names = {p["name"] for p in schema["paths"]["/api/v1/activities/"]["get"]["parameters"]}
    assert {"priority", "status", "kind", "body", "state", "due_before", "due_after", "overdue", "updated_since",
            "search", "ordering", "page", "page_size"} <= names


def test_request_bodies_refuse_unknown_properties_as_the_api_does(schema):
    assert schema["components"]["schemas"]["ActivityWriteRequest"]["additionalProperties"] is False


def test_bearer_keys_are_the_documented_security_scheme(schema):
    assert schema["components"]["securitySchemes"]["bearerKey"] == {
        **schema["components"]["securitySchemes"]["bearerKey"], "type": "http", "scheme": "bearer"}


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_the_viewers_load_their_assets_from_our_own_static_files(api, url):
    response = api.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn.jsdelivr" not in html and "unpkg" not in html and "fonts.googleapis" not in html
    assert "<script>" not in html  # no inline script: the page works under a strict Content Security Policy
    assets = re.findall(r'(?:src|href)="/static/([^"?]+)', html)
    assert assets, html[:500]
    for asset in assets:
        assert finders.find(asset), asset


def test_the_swagger_ui_start_script_is_served_as_a_file(api):
    response = api.get("/api/docs/?script=")
    assert response.status_code == 200
    assert "SwaggerUIBundle" in response.content.decode()


def test_the_schema_is_compact_and_writes_each_problem_example_once(api, schema):
    """It was 503 KB: a four-space indent (60%) and the same problem examples on every operation."""
    response = api.get("/api/schema/?format=json")
    # 200 KB until issue 16 added the events feed, deliveries, redelivery and secret rotation (six operations).
    assert len(response.content) < 225_000
    assert b"\n    " not in response.content
    shared = schema["components"]["examples"]
    for path, method, operation in _operations(schema):
        for status, answer in operation["responses"].items():
            for example in answer.get("content", {}).get("application/problem+json", {}).get("examples", {}).values():
                name = example["$ref"].removeprefix("#/components/examples/")
                assert shared[name]["value"]["status"] == int(status), (method, path, status)
    assert shared["MalformedJSON"]["value"]["code"] == "malformed_json"


def test_the_schema_with_shared_examples_still_validates_as_openapi_3(api):
    from drf_spectacular.validation import validate_schema

    validate_schema(api.get("/api/schema/?format=json").json())  # raises on an invalid document
