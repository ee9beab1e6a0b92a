"""Bad input gets a clear problem-details answer and changes nothing; the API never answers in HTML."""

from __future__ import annotations

import json

import pytest

from tracker.models import Activity

pytestmark = pytest.mark.django_db

PROBLEM_KEYS = {"type", "title", "status", "detail", "code"}


def _problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert set(body) >= PROBLEM_KEYS
    assert body["status"] == status
    return body


def _new(priorities, body, **extra):
    return {"priority": priorities[0].pk, "title": "Consultations", "start_date": "2023-02-01",
            "due_date": "2023-06-30", "responsible_body": body.pk, **extra}


def test_malformed_json_is_a_400(write_api, db):
    response = write_api.generic("POST", "/api/v1/activities/", '{"title": ', content_type="application/json")
    assert _problem(response, 400)["code"] == "malformed_json"


def test_a_body_that_is_not_an_object_is_a_400(write_api, db):
    response = write_api.generic("POST", "/api/v1/activities/", "[1, 2]", content_type="application/json")
    _problem(response, 400)


@pytest.mark.parametrize(("field", "value"), [
    ("progress", "half"), ("progress", 12.5), ("due_date", "30/06/2023"), ("due_date", 20230630),
    ("priority", "first"), ("priority", 987654), ("participating_states", "BY"), ("title", ["a", "b"]),
    ("kind", "party"), ("lead_state", True),
])
def test_wrong_types_and_unknown_references_name_the_field(write_api, priorities, body, field, value):
    response = write_api.post("/api/v1/activities/", _new(priorities, body, **{field: value}), format="json")
    assert field in _problem(response, 400)["errors"]
    assert not Activity.objects.exists()


def test_unknown_fields_are_refused_by_name(write_api, priorities, body):
    response = write_api.post("/api/v1/activities/", _new(priorities, body, colour="red", progres=5), format="json")
    problem = _problem(response, 400)
    assert problem["errors"] == {"colour": ["Unknown field."], "progres": ["Unknown field."]}


def test_a_read_only_field_is_refused_with_a_hint(write_api, activity):
    response = write_api.patch(f"/api/v1/activities/{activity.pk}/", {"version": 1, "progress": 5}, format="json")
    assert "If-Match" in _problem(response, 400)["errors"]["version"][0]
    assert Activity.objects.get(pk=activity.pk).progress == 0


@pytest.mark.parametrize("progress", [-1, 101, 1000])
def test_progress_outside_0_to_100_is_refused(write_api, activity, progress):
    response = write_api.post(f"/api/v1/activities/{activity.pk}/updates/", {"progress": progress}, format="json")
    assert "progress" in _problem(response, 400)["errors"]


def test_due_date_before_start_is_refused(write_api, priorities, body):
    response = write_api.post("/api/v1/activities/",
                              _new(priorities, body, start_date="2023-07-01", due_date="2023-06-01"), format="json")
    assert "before the start date" in _problem(response, 400)["errors"]["due_date"][0]


def test_a_date_far_outside_the_presidency_is_refused_with_the_reason(write_api, activity):
    response = write_api.patch(f"/api/v1/activities/{activity.pk}/", {"due_date": "2032-06-30"}, format="json")
    assert "too far outside the presidency period" in _problem(response, 400)["errors"]["due_date"][0]


def test_an_unknown_status_is_refused(write_api, activity):
    response = write_api.post(f"/api/v1/activities/{activity.pk}/transition/", {"status": "finished"},
                              format="json")
    assert "status" in _problem(response, 400)["errors"]


def test_strings_longer_than_the_field_are_refused(write_api, priorities, body):
    response = write_api.post("/api/v1/activities/", _new(priorities, body, title="x" * 301), format="json")
    assert "title" in _problem(response, 400)["errors"]


def test_null_characters_are_refused_not_crashed_on(write_api, priorities, body):
    response = write_api.post("/api/v1/activities/", _new(priorities, body, title="a\x00b"), format="json")
    assert "title" in _problem(response, 400)["errors"]


def test_an_oversized_body_is_a_413(write_api, db, settings):
    settings.API_MAX_BODY_BYTES = 2048
    payload = json.dumps({"title": "x" * 4000})
    response = write_api.generic("POST", "/api/v1/activities/", payload, content_type="application/json")
    problem = _problem(response, 413)
    assert problem["max_bytes"] == 2048


def test_a_form_encoded_body_is_a_415(write_api, db):
    response = write_api.generic("POST", "/api/v1/activities/", "title=x",
                                 content_type="application/x-www-form-urlencoded")
    _problem(response, 415)


def test_an_unknown_url_under_api_is_a_json_404(write_api, db):
    assert "endpoints are listed" in _problem(write_api.get("/api/v1/agenda/"), 404)["detail"]
    assert _problem(write_api.get("/api/v2/activities/"), 404)


def test_a_missing_trailing_slash_gets_a_hint_not_a_redirect(write_api, activity):
    response = write_api.post("/api/v1/activities", {}, format="json")
    assert "end with a slash" in _problem(response, 404)["detail"]


def test_a_method_the_endpoint_does_not_have_is_a_405(write_api, activity):
    response = write_api.delete("/api/v1/activities/")
    assert _problem(response, 405)
    assert "GET" in response["Allow"]


def test_html_is_never_the_answer_even_when_html_is_asked_for(write_api, db):
    response = write_api.get("/api/v1/nothing-here/", HTTP_ACCEPT="text/html")
    _problem(response, 404)
    response = write_api.get("/api/v1/activities/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def test_an_unhandled_error_is_still_problem_details(write_api, activity, monkeypatch):
    from tracker.api import views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.ActivityViewSet, "retrieve", broken)
    write_api.raise_request_exception = False
    body = _problem(write_api.get(f"/api/v1/activities/{activity.pk}/"), 500)
    assert "boom" not in body["detail"]


def test_every_problem_names_the_request_path(write_api, db):
    assert write_api.get("/api/v1/activities/4242/").json()["instance"] == "/api/v1/activities/4242/"


# A related row's id is a JSON integer; a string is its code since issue 16, never an id in disguise ("1" is
# not the body with id 1: no body has the code "1").
@pytest.mark.parametrize(("field", "value"), [("progress", "50"), ("title", 12), ("responsible_body", "1"),
                                              ("priority", 1.0), ("kind", 1)])
def test_json_types_are_not_coerced(write_api, priorities, body, field, value):
    response = write_api.post("/api/v1/activities/", _new(priorities, body, **{field: value}), format="json")
    assert field in _problem(response, 400)["errors"]


def test_a_boolean_must_be_a_json_boolean(write_api, activity):
    from tests import factories

    milestone = factories.MilestoneFactory(activity=activity)
    url = f"/api/v1/activities/{activity.pk}/milestones/{milestone.pk}/"
    assert "done" in _problem(write_api.patch(url, {"done": 1}, format="json"), 400)["errors"]


@pytest.mark.parametrize("query", ["updated_since=", "status=", "body=99999999999999999999999",
                                   "priority=-99999999999999999999", "page=", "page=two", "page_size="])
def test_empty_or_impossible_query_values_are_refused(write_api, activity, query):
    _problem(write_api.get(f"/api/v1/activities/?{query}"), 400)


def test_options_describes_the_endpoint_without_touching_an_object(write_api, db):
    response = write_api.options("/api/v1/activities/by-ref/mfa-by/none/")
    assert response.status_code == 200
    assert response.json()["schema"] == "/api/schema/"


def test_a_number_beyond_the_column_is_refused_on_every_database(write_api, activity):
    url = f"/api/v1/activities/{activity.pk}/milestones/"
    response = write_api.post(url, {"title": "Step", "order": 9223372036854775806}, format="json")
    assert "order" in _problem(response, 400)["errors"]


def test_text_is_checked_at_the_length_sent(write_api, priorities, body):
    response = write_api.post("/api/v1/activities/", _new(priorities, body, title="\x1c" + "x" * 300), format="json")
    assert "title" in _problem(response, 400)["errors"]


def test_updated_since_without_a_time_zone_is_refused_naming_the_field(write_api, activity):
    body = _problem(write_api.get("/api/v1/activities/?updated_since=2023-05-01T10:00:00"), 400)
    assert "updated_since" in body["errors"]
    assert "Give a time zone" in body["errors"]["updated_since"][0]


def test_an_unencoded_plus_in_updated_since_says_to_encode_it(write_api, activity):
    # What curl sends for ?updated_since=2023-05-01T10:00:00+03:00: the server reads the "+" as a space.
    body = _problem(write_api.get("/api/v1/activities/?updated_since=2023-05-01T10:00:00+03:00"), 400)
    assert "%2B" in body["errors"]["updated_since"][0]


@pytest.mark.parametrize("since", ["2023-05-01T10:00:00%2B03:00", "2023-05-01T07:00:00Z"])
def test_updated_since_with_a_time_zone_is_accepted(write_api, activity, since):
    response = write_api.get(f"/api/v1/activities/?updated_since={since}")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [activity.pk]


def test_a_problem_title_is_in_the_language_of_its_detail(write_api, activity):
    response = write_api.get("/api/v1/activities/?updated_since=2023-05-01T10:00:00", HTTP_ACCEPT_LANGUAGE="ru")
    body = _problem(response, 400)
    assert body["title"] == "Неверные данные"
    assert "Укажите часовой пояс" in body["errors"]["updated_since"][0]
    english = _problem(write_api.get("/api/v1/activities/?updated_since=2023-05-01T10:00:00"), 400)
    assert english["title"] == "Invalid input"


def test_a_json_value_left_empty_by_an_unset_variable_is_pointed_at(write_api, priorities, body):
    # `{"priority": $PRIORITY, ...}` with PRIORITY unset.
    sent = '{"priority": , "responsible_body": 3, "title": "x"}'
    response = write_api.generic("POST", "/api/v1/activities/", sent, content_type="application/json")
    problem = _problem(response, 400)
    assert problem["code"] == "malformed_json"
    assert "line 1 column 14" in problem["detail"] and "variable" in problem["detail"]
    assert not Activity.objects.exists()
