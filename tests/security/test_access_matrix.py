"""Every door, every caller: the one place that proves each URL pattern of the project is covered.

Callers: anonymous, a viewer, an editor of another body ("outsider"), the editor of the body, a
coordinator, and API keys (read, write, write limited to another body, revoked, expired). Keys only open
the API: on the web board every kind of key is checked to be nobody; on the admin one write key stands
for all of them.

What each door answers is written out below (never derived from the code under test). The API's
endpoints are checked by tests/api/test_auth_matrix.py; the routes it requests count as covered here, and
the API routes it does not request are checked here. `test_every_url_pattern_is_in_the_matrix` fails when
a URL pattern appears that nobody checks: add it to a table below.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone

from tests import factories
from tests.api.conftest import callers  # noqa: F401  (the fixture: every kind of caller)
from tests.api.test_auth_matrix import ENDPOINTS as API_MATRIX
from tracker import audit, services, webhooks
from tracker.jobs import heartbeat
from tracker.models import (
    Activity,
    DailySnapshot,
    DigestLog,
    Participation,
    ReminderLog,
    ReviewReminderLog,
    WebhookSubscription,
)
from tracker.services import delivery as services_delivery

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "viewer", "outsider", "editor", "coordinator"]
KEYS = ["read_key", "write_key", "other_body_key", "revoked_key", "expired_key"]
SESSION_DOORS = [*ROLES, "write_key"]  # a key on the admin is anonymous
STAFF = ["outsider", "editor", "coordinator"]  # viewers have no admin access (is_staff off)

LOGIN = "login"  # a redirect to /accounts/login/
ADMIN_LOGIN = "admin-login"  # a redirect to /admin/login/


def by_caller(default, **special):
    return {caller: special.get(caller, default) for caller in ROLES + KEYS}


SIGNED_IN = by_caller(200, anonymous=LOGIN, **dict.fromkeys(KEYS, LOGIN))
PUBLIC = by_caller(200)
WRITE_PAGE = by_caller(LOGIN, viewer=403, outsider=403, editor=302, coordinator=302)
#: A write every signed-in person may make (a comment, watching, the inbox's marks, a saved view).
SIGNED_IN_WRITE = by_caller(302, anonymous=LOGIN, **dict.fromkeys(KEYS, LOGIN))
API_READ = by_caller(200, anonymous=401, revoked_key=401, expired_key=401)
API_WRITE_204 = by_caller(403, anonymous=401, revoked_key=401, expired_key=401, editor=204, coordinator=204,
                          write_key=204)
API_MANAGE = by_caller(403, anonymous=401, revoked_key=401, expired_key=401, coordinator=200)
API_UNKNOWN = by_caller(404, anonymous=401, revoked_key=401, expired_key=401)
#: A decision needs a person: API keys never confirm, whatever their scope.
API_CONFIRM = by_caller(403, anonymous=401, revoked_key=401, expired_key=401, editor=200, coordinator=200)
WEB_UNKNOWN = by_caller(404, anonymous=LOGIN, **dict.fromkeys(KEYS, LOGIN))
#: Priorities' ratings and risk logs, and stocktakes: the coordinators' (tracker/permissions.py).
COORDINATOR_PAGE = by_caller(LOGIN, viewer=403, outsider=403, editor=403, coordinator=302)


@dataclass(frozen=True)
class Door:
    method: str
    url: Callable[[dict], str]
    expected: dict
    data: Callable[[dict], dict] | None = None
    headers: dict | None = None


# --- The web board, its htmx endpoints, exports and the calendar feed -------------------------------------

def _version(f: dict) -> dict:
    # Read now: an earlier door of the same test may have moved the activity on.
    return {"expected_version": Activity.objects.values_list("version", flat=True).get(pk=f["own"].pk)}


def _document_of(kind: str) -> Callable[[dict], dict]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    def data(f: dict) -> dict:
        return {"title": "Agenda", "kind": kind,
                "file": SimpleUploadedFile("agenda.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")}

    data.uploads = True  # a multipart body: tests/security/test_bad_input_corpus.py sends it its own corpus
    return data


_document = _document_of("agenda")


def _new_version(f: dict) -> dict:
    return {"file": _document(f)["file"]}


_new_version.uploads = True
#: Uploading a document: the activity's editors, people or write keys (like any change of the activity).
API_UPLOAD = by_caller(403, anonymous=401, revoked_key=401, expired_key=401, editor=201, coordinator=201,
                       write_key=201)


WEB: dict[str, list[Door]] = {
    "web:dashboard": [Door("get", lambda f: "/", SIGNED_IN)],
    "web:board": [Door("get", lambda f: "/board/", SIGNED_IN),
                  Door("get", lambda f: "/board/?status=planned&body=" + str(f["body"].pk), SIGNED_IN)],
    "web:activity": [
        Door("get", lambda f: f"/activities/{f['own'].pk}/", SIGNED_IN),
        Door("get", lambda f: f"/activities/{f['foreign'].pk}/", SIGNED_IN),  # reading is every role's right
        Door("get", lambda f: "/activities/999999/", WEB_UNKNOWN),
    ],
    "web:activity-move": [
        Door("post", lambda f: f"/activities/{f['own'].pk}/move/", WRITE_PAGE,
             data=lambda f: {"status": "in_progress", **_version(f)}),
        Door("post", lambda f: f"/activities/{f['own'].pk}/move/", WRITE_PAGE | {"editor": 200, "coordinator": 200},
             data=lambda f: {"status": "at_risk", **_version(f)}, headers={"HX-Request": "true"}),
        Door("post", lambda f: "/activities/999999/move/", WEB_UNKNOWN,
             data=lambda f: {"status": "in_progress", "expected_version": 1}),
        Door("get", lambda f: f"/activities/{f['own'].pk}/move/", by_caller(405)),
    ],
    "web:activity-update": [
        Door("post", lambda f: f"/activities/{f['own'].pk}/update/", WRITE_PAGE,
             data=lambda f: {"status": "in_progress", "progress": 10, "note": "Prepared", **_version(f)}),
        Door("post", lambda f: f"/activities/{f['foreign'].pk}/update/",
             WRITE_PAGE | {"editor": 403, "outsider": 302},  # the other body's activity: the outsider's own
             data=lambda f: {"status": "in_progress", "progress": 10, "note": "x",
                             "expected_version": f["foreign"].version}),
    ],
    "web:milestone-toggle": [
        Door("post", lambda f: f"/milestones/{f['milestone'].pk}/toggle/", WRITE_PAGE,
             data=lambda f: {"done": "on", **_version(f)}),
        Door("post", lambda f: "/milestones/999999/toggle/", WEB_UNKNOWN,
             data=lambda f: {"done": "on", "expected_version": 1}),
    ],
    # Confirming a date makes it a decision: the people who may edit the activity, nobody else.
    "web:activity-confirm-dates": [
        Door("post", lambda f: f"/activities/{f['own'].pk}/confirm-dates/", WRITE_PAGE, data=_version),
        Door("post", lambda f: f"/activities/{f['foreign'].pk}/confirm-dates/",
             WRITE_PAGE | {"editor": 403, "outsider": 302},
             data=lambda f: {"expected_version": f["foreign"].version}),
    ],
    "web:milestone-confirm": [
        Door("post", lambda f: f"/milestones/{f['milestone'].pk}/confirm-date/", WRITE_PAGE, data=_version),
        Door("post", lambda f: "/milestones/999999/confirm-date/", WEB_UNKNOWN, data=lambda f: {"expected_version": 1}),
    ],
    # The secretariat's rhythm: ratings and risk logs of activities (their editors) and priorities, stocktakes.
    "web:activity-assess": [
        Door("post", lambda f: f"/activities/{f['own'].pk}/assess/", WRITE_PAGE,
             data=lambda f: {"rating": "amber", "narrative": "Venue not confirmed"}),
        Door("post", lambda f: "/activities/999999/assess/", WEB_UNKNOWN, data=lambda f: {"rating": "red"}),
    ],
    "web:activity-risk-add": [
        Door("post", lambda f: f"/activities/{f['own'].pk}/risks/", WRITE_PAGE,
             data=lambda f: {"kind": "issue", "statement": "Range double-booked", "status": "open"}),
    ],
    "web:priority": [Door("get", lambda f: f"/priorities/{f['own'].priority_id}/", SIGNED_IN),
                     Door("get", lambda f: "/priorities/999999/", WEB_UNKNOWN)],
    "web:priority-assess": [Door("post", lambda f: f"/priorities/{f['own'].priority_id}/assess/", COORDINATOR_PAGE,
                                 data=lambda f: {"rating": "amber", "narrative": "Slow"})],
    "web:priority-risk-add": [Door("post", lambda f: f"/priorities/{f['own'].priority_id}/risks/", COORDINATOR_PAGE,
                                   data=lambda f: {"kind": "risk", "statement": "Funding", "likelihood": 3,
                                                   "impact": 3, "status": "open"})],
    "web:stocktakes": [Door("get", lambda f: "/stocktakes/", SIGNED_IN)],
    "web:stocktake-open": [Door("post", lambda f: "/stocktakes/open/", COORDINATOR_PAGE,
                                data=lambda f: {"held_on": "2023-07-14"})],
    "web:stocktake": [Door("get", lambda f: f"/stocktakes/{f['stocktake'].pk}/", SIGNED_IN),
                      Door("get", lambda f: "/stocktakes/999999/", WEB_UNKNOWN)],
    "web:stocktake-attendees": [Door("post", lambda f: f"/stocktakes/{f['stocktake'].pk}/attendees/",
                                     COORDINATOR_PAGE, data=lambda f: {"attendees": "A. Secretary"})],
    "web:stocktake-item-add": [Door("post", lambda f: f"/stocktakes/{f['stocktake'].pk}/items/", COORDINATOR_PAGE,
                                    data=lambda f: {"kind": "decision", "text": "Agreed"})],
    "web:stocktake-item-milestone": [Door("post", lambda f: f"/stocktake-items/{f['stocktake_action'].pk}/milestone/",
                                          COORDINATOR_PAGE)],
    "web:stocktake-item-activity": [Door("post", lambda f: f"/stocktake-items/{f['stocktake_action'].pk}/activity/",
                                         COORDINATOR_PAGE),
                                    # An action about no activity: the coordinator chooses its priority and dates.
                                    Door("post", lambda f: f"/stocktake-items/{f['loose_action'].pk}/activity/",
                                         COORDINATOR_PAGE, data=lambda f: {
                                             f"action-{f['loose_action'].pk}-title": "Seminar",
                                             f"action-{f['loose_action'].pk}-priority": str(f["own"].priority_id),
                                             f"action-{f['loose_action'].pk}-responsible_body": str(f["body"].pk),
                                             f"action-{f['loose_action'].pk}-kind": "meeting",
                                             f"action-{f['loose_action'].pk}-due_date": "2023-11-01"})],
    "web:stocktake-close": [Door("post", lambda f: f"/stocktakes/{f['stocktake'].pk}/close/", COORDINATOR_PAGE)],
    "web:stocktake-print": [Door("get", lambda f: f"/stocktakes/{f['stocktake'].pk}/print/", SIGNED_IN)],
    "web:stocktake-docx": [Door("get", lambda f: f"/stocktakes/{f['stocktake'].pk}/pack.docx", SIGNED_IN)],
    "web:export-assessments-csv": [Door("get", lambda f: "/reports/assessments.csv", SIGNED_IN)],
    "web:export-risks-csv": [Door("get", lambda f: "/reports/risks.csv", SIGNED_IN)],
    "web:timeline": [Door("get", lambda f: "/timeline/", SIGNED_IN)],
    "web:calendar": [Door("get", lambda f: "/calendar/", SIGNED_IN)],
    "web:calendar-feed-reset": [Door("post", lambda f: "/calendar/feed/reset/",
                                     by_caller(302, anonymous=LOGIN, **dict.fromkeys(KEYS, LOGIN)))],
    "web:calendar-feed": [
        # The token is the credential (calendar programs cannot sign in); no session opens another's feed.
        Door("get", lambda f: f"/calendar/feed/{f['viewer_token']}.ics", PUBLIC),
        Door("get", lambda f: "/calendar/feed/guessed-token-0000000000000000.ics", by_caller(404)),
        Door("get", lambda f: f"/calendar/feed/{f['viewer_token'][:-1]}.ics", by_caller(404)),
    ],
    "web:reports": [Door("get", lambda f: "/reports/", SIGNED_IN)],
    "web:export-csv": [Door("get", lambda f: "/reports/activities.csv", SIGNED_IN)],
    "web:year-report": [Door("get", lambda f: "/reports/year/", SIGNED_IN)],
    # Commitments: everyone signed in reads; only coordinators sign off an outcome.
    "web:commitments": [Door("get", lambda f: "/commitments/", SIGNED_IN)],
    "web:commitment": [Door("get", lambda f: f"/commitments/{f['commitment'].pk}/", SIGNED_IN),
                       Door("get", lambda f: "/commitments/999999/", WEB_UNKNOWN)],
    "web:commitment-outcome": [
        Door("post", lambda f: f"/commitments/{f['commitment'].pk}/outcome/",
             by_caller(LOGIN, viewer=403, outsider=403, editor=403, coordinator=302),
             data=lambda f: {"outcome": "kept", "evidence": "Held in Minsk"}),
        Door("get", lambda f: f"/commitments/{f['commitment'].pk}/outcome/", by_caller(405)),
    ],
    "web:source": [Door("get", lambda f: f"/sources/{f['commitment'].source_id}/", SIGNED_IN),
                   Door("get", lambda f: "/sources/999999/", WEB_UNKNOWN)],
    "web:delivered": [Door("get", lambda f: "/reports/delivered/", SIGNED_IN)],
    "web:handover": [Door("get", lambda f: "/handover/", SIGNED_IN)],
    # The header's switcher: each signed-in person's own session.
    "web:choose-presidency": [
        Door("get", lambda f: "/presidency/", SIGNED_IN),
        Door("post", lambda f: "/presidency/", by_caller(302, anonymous=LOGIN, **dict.fromkeys(KEYS, LOGIN)),
             data=lambda f: {"presidency": str(f["own"].priority.presidency_id), "next": "/"}),
        Door("post", lambda f: "/presidency/", SIGNED_IN | dict.fromkeys(ROLES[1:], 400),
             data=lambda f: {"presidency": "999999"}),
    ],
    "web:handover-docx": [Door("get", lambda f: "/handover.docx", SIGNED_IN)],
    # Coordinators only; with no successor recorded, the coordinator's carry-over is refused as bad input.
    "web:carry-over": [
        Door("post", lambda f: f"/activities/{f['own'].pk}/carry-over/",
             by_caller(LOGIN, viewer=403, outsider=403, editor=403, coordinator=400)),
        Door("get", lambda f: f"/activities/{f['own'].pk}/carry-over/", by_caller(405)),
    ],
    "web:participation": [Door("get", lambda f: "/participation/", SIGNED_IN),
                          Door("get", lambda f: "/participation/?priority=x",
                               SIGNED_IN | dict.fromkeys(ROLES[1:], 400))],
    "web:member-state": [Door("get", lambda f: "/states/BY/", SIGNED_IN),
                         Door("get", lambda f: "/states/ZZ/", WEB_UNKNOWN)],
    "web:delivered-docx": [Door("get", lambda f: "/reports/delivered.docx", SIGNED_IN)],
    # Documents: the activity's editors upload, coordinators attach a source's text and an outcome's evidence,
    # everyone signed in downloads; a deleted activity's documents are the coordinators' history.
    "web:activity-document-add": [
        Door("post", lambda f: f"/activities/{f['own'].pk}/documents/", WRITE_PAGE, data=_document),
        Door("post", lambda f: "/activities/999999/documents/", WEB_UNKNOWN, data=_document),
        Door("get", lambda f: f"/activities/{f['own'].pk}/documents/", by_caller(405)),
    ],
    "web:document-version-add": [
        Door("post", lambda f: f"/documents/{f['document'].pk}/versions/", WRITE_PAGE, data=_new_version),
        Door("post", lambda f: "/documents/999999/versions/", WEB_UNKNOWN, data=_new_version),
    ],
    "web:source-document-add": [Door("post", lambda f: f"/sources/{f['commitment'].source_id}/documents/",
                                     COORDINATOR_PAGE, data=_document_of("official_text"))],
    "web:outcome-document-add": [Door("post", lambda f: f"/commitments/{f['commitment'].pk}/documents/",
                                      COORDINATOR_PAGE, data=_document_of("evidence"))],
    "web:document-download": [
        Door("get", lambda f: f"/documents/versions/{f['document_version'].pk}/download/", SIGNED_IN),
        Door("get", lambda f: "/documents/versions/999999/download/", WEB_UNKNOWN),
    ],
    "web:documents-deleted": [Door("get", lambda f: "/documents/deleted/", WEB_UNKNOWN | {"coordinator": 200})],
    "web:delivered-csv": [Door("get", lambda f: "/reports/delivered.csv", SIGNED_IN)],
    # People on the board (issue 13): whoever may see an activity discusses and watches it; the owner form
    # is its editors'; a comment is changed by its author (the viewer) and hidden by coordinators.
    "web:comment-post": [
        Door("post", lambda f: f"/activities/{f['own'].pk}/comments/", SIGNED_IN_WRITE,
             data=lambda f: {"body": "When is the rehearsal?"}),
        Door("post", lambda f: "/activities/999999/comments/", WEB_UNKNOWN, data=lambda f: {"body": "x"}),
    ],
    "web:mentionable": [Door("get", lambda f: f"/activities/{f['own'].pk}/mentionable/?q=e", SIGNED_IN),
                        Door("get", lambda f: "/activities/999999/mentionable/", WEB_UNKNOWN)],
    "web:activity-watch": [Door("post", lambda f: f"/activities/{f['own'].pk}/watch/", SIGNED_IN_WRITE,
                                data=lambda f: {"watch": "1"})],
    "web:activity-people": [Door("post", lambda f: f"/activities/{f['own'].pk}/people/", WRITE_PAGE,
                                 data=lambda f: {"owner": "", **_version(f)})],
    "web:comment-edit": [Door("post", lambda f: f"/comments/{f['comment'].pk}/edit/",
                              by_caller(LOGIN, viewer=302, outsider=403, editor=403, coordinator=403),
                              data=lambda f: {"body": "Corrected"}),
                         Door("post", lambda f: "/comments/999999/edit/", WEB_UNKNOWN, data=lambda f: {"body": "x"})],
    "web:comment-hide": [Door("post", lambda f: f"/comments/{f['comment'].pk}/hide/", COORDINATOR_PAGE,
                              data=lambda f: {"reason": "Off topic"})],
    "web:comment-history": [Door("get", lambda f: f"/comments/{f['comment'].pk}/history/", SIGNED_IN)],
    "web:inbox": [Door("get", lambda f: "/inbox/", SIGNED_IN)],
    "web:inbox-badge": [Door("get", lambda f: "/inbox/badge/", SIGNED_IN)],
    "web:inbox-mark": [Door("post", lambda f: "/inbox/mark/", SIGNED_IN_WRITE, data=lambda f: {"all": "1"})],
    "web:inbox-preferences": [Door("get", lambda f: "/inbox/preferences/", SIGNED_IN),
                              Door("post", lambda f: "/inbox/preferences/", SIGNED_IN | dict.fromkeys(ROLES[1:], 400),
                                   data=lambda f: {"mention": "hourly"})],
    "web:saved-view-save": [Door("post", lambda f: "/views/save/", SIGNED_IN_WRITE,
                                 data=lambda f: {"name": "Exercises", "query": "kind=exercise"})],
    "web:saved-view-delete": [Door("post", lambda f: f"/views/{f['saved_view'].pk}/delete/",
                                   by_caller(LOGIN, viewer=302, outsider=403, editor=403, coordinator=403))],
    # The schedule (issue 17): a link is its successor's editors'; baselines are the coordinators'.
    "web:link-add": [
        Door("post", lambda f: f"/activities/{f['own'].pk}/links/", WRITE_PAGE,
             data=lambda f: {"link-direction": "waits_on", "link-other": f["later"].pk, "link-kind": "fs"}),
        Door("post", lambda f: "/activities/999999/links/", WEB_UNKNOWN,
             data=lambda f: {"link-direction": "waits_on", "link-other": f["foreign"].pk, "link-kind": "fs"}),
    ],
    "web:link-delete": [Door("post", lambda f: f"/links/{f['link'].pk}/delete/", WRITE_PAGE),
                        Door("post", lambda f: "/links/999999/delete/", WEB_UNKNOWN)],
    "web:schedule": [Door("get", lambda f: "/reports/schedule/", SIGNED_IN)],
    "web:baseline-approve": [Door("post", lambda f: "/reports/schedule/baselines/", COORDINATOR_PAGE,
                                  data=lambda f: {"reason": "Approved at the stocktake"})],
    "web:links-csv": [Door("get", lambda f: "/reports/links.csv", SIGNED_IN)],
    # Sign-in pages and friends: public by nature, or for the signed-in person only.
    "login": [Door("get", lambda f: "/accounts/login/", PUBLIC)],
    "logout": [Door("post", lambda f: "/accounts/logout/", by_caller(LOGIN)),
               Door("get", lambda f: "/accounts/logout/", by_caller(405))],
    "password_change": [Door("get", lambda f: "/accounts/password_change/", SIGNED_IN)],
    "password_change_done": [Door("get", lambda f: "/accounts/password_change/done/", SIGNED_IN)],
    "password_reset": [Door("get", lambda f: "/accounts/password_reset/", PUBLIC)],
    "password_reset_done": [Door("get", lambda f: "/accounts/password_reset/done/", PUBLIC)],
    # A guessed link shows "invalid link" (200, nothing else); only the mailed token resets a password.
    "password_reset_confirm": [Door("get", lambda f: "/accounts/reset/MQ/set-password-guess/", PUBLIC)],
    "password_reset_complete": [Door("get", lambda f: "/accounts/reset/done/", PUBLIC)],
    "health": [Door("get", lambda f: "/health/", PUBLIC)],
    "health-ready": [Door("get", lambda f: "/health/ready/", PUBLIC)],
    "set_language": [Door("post", lambda f: "/i18n/setlang/", by_caller(302), data=lambda f: {"language": "ru"})],
}

# --- API routes that tests/api/test_auth_matrix.py does not request -----------------------------------------

API: dict[str, list[Door]] = {
    "api:priority-detail": [Door("get", lambda f: f"/api/v1/priorities/{f['own'].priority_id}/", API_READ),
                            Door("get", lambda f: "/api/v1/priorities/999999/", API_UNKNOWN)],
    "api:member-state-detail": [Door("get", lambda f: f"/api/v1/member-states/{f['state'].pk}/", API_READ)],
    "api:body-detail": [Door("get", lambda f: f"/api/v1/bodies/{f['body'].pk}/", API_READ)],
    "api:activity-detail": [Door("get", lambda f: "/api/v1/activities/999999/", API_UNKNOWN)],
    "api:milestone-detail": [
        Door("get", lambda f: f"/api/v1/activities/{f['own'].pk}/milestones/{f['milestone'].pk}/", API_READ),
        # A milestone is only reachable under its own activity.
        Door("get", lambda f: f"/api/v1/activities/{f['foreign'].pk}/milestones/{f['milestone'].pk}/", API_UNKNOWN),
        Door("delete", lambda f: f"/api/v1/activities/{f['own'].pk}/milestones/{f['milestone'].pk}/", API_WRITE_204),
    ],
    "api:activity-confirm-dates": [
        Door("post", lambda f: f"/api/v1/activities/{f['own'].pk}/confirm-dates/", API_CONFIRM),
        # Read-only callers are refused any write before the activity is looked up.
        Door("post", lambda f: "/api/v1/activities/999999/confirm-dates/",
             API_UNKNOWN | {"viewer": 403, "read_key": 403}),
    ],
    "api:milestone-confirm-date": [
        Door("post", lambda f: f"/api/v1/activities/{f['own'].pk}/milestones/{f['milestone'].pk}/confirm-date/",
             API_CONFIRM),
    ],
    "api:webhook-detail": [
        Door("patch", lambda f: f"/api/v1/webhooks/{f['webhook'].pk}/", API_MANAGE, data=lambda f: {"active": False}),
        Door("delete", lambda f: f"/api/v1/webhooks/{f['webhook'].pk}/", API_MANAGE | {"coordinator": 204}),
        Door("get", lambda f: "/api/v1/webhooks/999999/", API_MANAGE | {"coordinator": 404}),
    ],
    # Issue 16: a subscription's deliveries, redelivery and secret rotation; keys need the webhooks scope
    # (tests/integration covers a key that has it), and the events feed is for every reader.
    "api:webhook-deliveries": [
        Door("get", lambda f: f"/api/v1/webhooks/{f['webhook'].pk}/deliveries/", API_MANAGE),
    ],
    "api:webhook-redeliver": [
        Door("post", lambda f: f"/api/v1/webhooks/{f['webhook'].pk}/redeliver/", API_MANAGE | {"coordinator": 202},
             data=lambda f: {"after": "0"}),
    ],
    "api:webhook-redeliver-one": [
        Door("post", lambda f: f"/api/v1/webhooks/{f['webhook'].pk}/deliveries/999999/redeliver/",
             API_MANAGE | {"coordinator": 404}),
        Door("post", lambda f: f"/api/v1/webhooks/{f['webhook'].pk}/deliveries/"
                               f"{f['webhook'].deliveries.order_by('pk').first().pk}/redeliver/",
             API_MANAGE | {"coordinator": 202}, data=lambda f: {}),
    ],
    "api:webhook-rotate-secret": [
        Door("post", lambda f: f"/api/v1/webhooks/{f['webhook'].pk}/rotate-secret/", API_MANAGE, data=lambda f: {}),
    ],
    "api:event-list": [
        Door("get", lambda f: "/api/v1/events/?after=0", API_READ),
    ],
    # The secretariat's rhythm. A rating is a person's judgement: API keys never assess.
    "api:assessment-list": [
        Door("get", lambda f: "/api/v1/assessments/?rating=amber", API_READ),
        Door("post", lambda f: "/api/v1/assessments/", by_caller(
            403, anonymous=401, revoked_key=401, expired_key=401, editor=201, coordinator=201),
             data=lambda f: {"activity": f["own"].pk, "rating": "amber", "narrative": "Venue"}),
    ],
    "api:assessment-detail": [Door("get", lambda f: f"/api/v1/assessments/{f['assessment'].pk}/", API_READ),
                              Door("get", lambda f: "/api/v1/assessments/999999/", API_UNKNOWN)],
    "api:risk-list": [
        Door("get", lambda f: "/api/v1/risks/?escalated=true", API_READ),
        Door("post", lambda f: "/api/v1/risks/", by_caller(
            403, anonymous=401, revoked_key=401, expired_key=401, editor=201, coordinator=201, write_key=201),
             data=lambda f: {"activity": f["own"].pk, "statement": "Range", "likelihood": 2, "impact": 2}),
    ],
    "api:risk-detail": [
        Door("get", lambda f: f"/api/v1/risks/{f['risk'].pk}/", API_READ),
        Door("patch", lambda f: f"/api/v1/risks/{f['risk'].pk}/", by_caller(
            403, anonymous=401, revoked_key=401, expired_key=401, editor=200, coordinator=200, write_key=200),
             data=lambda f: {"status": "monitoring"}),
    ],
    "api:stocktake-list": [Door("get", lambda f: "/api/v1/stocktakes/", API_READ)],
    "api:stocktake-detail": [Door("get", lambda f: f"/api/v1/stocktakes/{f['stocktake'].pk}/", API_READ)],
    # Commitments and participation: read-only for every reader.
    "api:commitment-list": [Door("get", lambda f: "/api/v1/commitments/", API_READ),
                            Door("get", lambda f: "/api/v1/commitments/?outcome=bogus", API_READ | {
                                c: 400 for c in ("viewer", "outsider", "editor", "coordinator", "read_key",
                                                 "write_key", "other_body_key")})],
    "api:commitment-detail": [Door("get", lambda f: f"/api/v1/commitments/{f['commitment'].pk}/", API_READ),
                              Door("get", lambda f: "/api/v1/commitments/999999/", API_UNKNOWN)],
    # Participation records: written by those who may change the activity (its body's editors, coordinators,
    # write keys for that body).
    "api:participation-list": [
        Door("get", lambda f: f"/api/v1/participations/?presidency={f['own'].priority.presidency_id}", API_READ),
        Door("post", lambda f: "/api/v1/participations/", by_caller(
            403, anonymous=401, revoked_key=401, expired_key=401, editor=201, coordinator=201, write_key=201),
             data=lambda f: {"activity": f["own"].pk, "memberstate": f["state"].pk, "role": "host"}),
    ],
    "api:participation-detail": [
        Door("get", lambda f: "/api/v1/participations/999999/", API_UNKNOWN),
        Door("get", lambda f: f"/api/v1/participations/{f['participation'].pk}/", API_READ),
        Door("patch", lambda f: f"/api/v1/participations/{f['participation'].pk}/", by_caller(
            403, anonymous=401, revoked_key=401, expired_key=401, editor=200, coordinator=200, write_key=200),
             data=lambda f: {"role": "co_organiser", "confirmed": True}),
        Door("delete", lambda f: f"/api/v1/participations/{f['participation'].pk}/", by_caller(
            403, anonymous=401, revoked_key=401, expired_key=401, editor=204, coordinator=204, write_key=204)),
    ],
    # Documents of an activity (multipart uploads).
    "api:activity-document-list": [
        Door("get", lambda f: f"/api/v1/activities/{f['own'].pk}/documents/", API_READ),
        Door("post", lambda f: f"/api/v1/activities/{f['own'].pk}/documents/", API_UPLOAD, data=_document),
        Door("get", lambda f: "/api/v1/activities/999999/documents/", API_UNKNOWN),
    ],
    "api:activity-document-detail": [
        Door("get", lambda f: f"/api/v1/activities/{f['own'].pk}/documents/{f['document'].pk}/", API_READ),
        Door("get", lambda f: f"/api/v1/activities/{f['foreign'].pk}/documents/{f['document'].pk}/", API_UNKNOWN),
    ],
    "api:activity-document-versions": [
        Door("post", lambda f: f"/api/v1/activities/{f['own'].pk}/documents/{f['document'].pk}/versions/",
             API_UPLOAD, data=_new_version),
    ],
    "api:activity-document-download": [
        Door("get", lambda f: f"/api/v1/activities/{f['own'].pk}/documents/{f['document'].pk}/download/", API_READ),
        Door("get", lambda f: f"/api/v1/activities/{f['own'].pk}/documents/999999/download/", API_UNKNOWN),
    ],
    # The schedule (issue 17): who may change the successor links it; a person approves a baseline.
    "api:dependency-list": [
        Door("get", lambda f: "/api/v1/dependencies/", API_READ),
        Door("post", lambda f: "/api/v1/dependencies/", by_caller(
            403, anonymous=401, revoked_key=401, expired_key=401, editor=201, coordinator=201, write_key=201),
             data=lambda f: {"predecessor": f["later"].pk, "successor": f["own"].pk, "kind": "ff"}),
    ],
    "api:dependency-detail": [
        Door("get", lambda f: f"/api/v1/dependencies/{f['link'].pk}/", API_READ),
        Door("get", lambda f: "/api/v1/dependencies/999999/", API_UNKNOWN),
        Door("delete", lambda f: f"/api/v1/dependencies/{f['link'].pk}/", API_WRITE_204),
    ],
    "api:baseline-list": [
        Door("get", lambda f: "/api/v1/baselines/", API_READ),
        Door("post", lambda f: "/api/v1/baselines/", by_caller(
            403, anonymous=401, revoked_key=401, expired_key=401, coordinator=201),
             data=lambda f: {"presidency": f["own"].priority.presidency_id, "reason": "Approved"}),
    ],
    "api:baseline-detail": [Door("get", lambda f: f"/api/v1/baselines/{f['baseline'].pk}/", API_READ),
                            Door("get", lambda f: "/api/v1/baselines/999999/", API_UNKNOWN)],
    "api:forecast-list": [Door("get", lambda f: f"/api/v1/forecasts/?presidency={f['own'].priority.presidency_id}",
                               API_READ)],
    # The API's description is public: it holds no data.
    "api:schema": [Door("get", lambda f: "/api/schema/", PUBLIC)],
    "api:docs": [Door("get", lambda f: "/api/docs/", PUBLIC)],
    "api:redoc": [Door("get", lambda f: "/api/redoc/", PUBLIC)],
    "api:api-not-found": [Door("get", lambda f: "/api/v1/secrets/", by_caller(404)),
                          Door("get", lambda f: "/api/v1/activities", by_caller(404))],
}

# --- The admin ----------------------------------------------------------------------------------------------

STAFF_ONLY = by_caller(ADMIN_LOGIN, outsider=200, editor=200, coordinator=200)
ADMIN_SITE: dict[str, list[Door]] = {
    "admin:index": [Door("get", lambda f: "/admin/", STAFF_ONLY)],
    "admin:login": [Door("get", lambda f: "/admin/login/",
                         by_caller(200, outsider=302, editor=302, coordinator=302))],
    # Signed out, staff land on the sign-in page; others are sent to the admin's index (which asks them to sign in).
    "admin:logout": [Door("post", lambda f: "/admin/logout/", by_caller(302, outsider=LOGIN, editor=LOGIN,
                                                                       coordinator=LOGIN))],
    "admin:password_change": [Door("get", lambda f: "/admin/password_change/", STAFF_ONLY)],
    "admin:password_change_done": [Door("get", lambda f: "/admin/password_change/done/", STAFF_ONLY)],
    "admin:jsi18n": [Door("get", lambda f: "/admin/jsi18n/", STAFF_ONLY)],
    # Without a model and field to look up, the autocomplete refuses (and it serves no model of ours).
    "admin:autocomplete": [Door("get", lambda f: "/admin/autocomplete/", STAFF_ONLY | dict.fromkeys(STAFF, 403))],
    "admin:app_list": [Door("get", lambda f: "/admin/tracker/", STAFF_ONLY),
                       Door("get", lambda f: "/admin/auth/", STAFF_ONLY | dict.fromkeys(STAFF, 404))],
    "admin:view_on_site": [Door("get", lambda f: f"/admin/r/1/{f['own'].pk}/",
                                STAFF_ONLY | dict.fromkeys(STAFF, 404))],
    "admin/(?P<url>.*)$": [Door("get", lambda f: "/admin/nothing-here/", STAFF_ONLY | dict.fromkeys(STAFF, 404))],
    # Setting another person's password is for superusers only.
    "admin:auth_user_password_change": [Door("get", lambda f: f"/admin/auth/user/{f['viewer_id']}/password/",
                                             STAFF_ONLY | dict.fromkeys(STAFF, 403))],
    # The activity's import and export (django-import-export) and simple-history's historical record page.
    "admin:tracker_activity_import": [Door("get", lambda f: "/admin/tracker/activity/import/", STAFF_ONLY)],
    "admin:tracker_activity_process_import": [
        Door("post", lambda f: "/admin/tracker/activity/process_import/",
             STAFF_ONLY | dict.fromkeys(STAFF, 200))],  # no file sent: the form again, with its errors
    "admin:tracker_activity_export": [Door("get", lambda f: "/admin/tracker/activity/export/", STAFF_ONLY)],
    "admin:tracker_activity_simple_history": [
        Door("get", lambda f: f"/admin/tracker/activity/{f['own'].pk}/history/{f['own_history_id']}/", STAFF_ONLY)],
    "admin:tracker_raidentry_simple_history": [
        Door("get", lambda f: f"/admin/tracker/raidentry/{f['risk'].pk}/history/{f['risk_history_id']}/",
             STAFF_ONLY)],
}

# Who may do what on each model's admin pages: (list, add, change page, delete page, history) per staff caller.
# Everyone else (anonymous, viewers without admin access, API keys) is sent to the admin's login page.
READ_ALL_COORDINATOR_WRITES = {"outsider": (200, 403, 200, 403, 200), "editor": (200, 403, 200, 403, 200),
                               "coordinator": (200, 200, 200, 200, 200)}
COORDINATORS_ONLY = {"outsider": (403,) * 5, "editor": (403,) * 5, "coordinator": (200, 200, 200, 200, 200)}
READ_ONLY = {caller: (200, 403, 200, 403, 200) for caller in STAFF}
COORDINATORS_READ_ONLY = {"outsider": (403,) * 5, "editor": (403,) * 5, "coordinator": (200, 403, 200, 403, 200)}
SUPERUSERS_ONLY = {caller: (403,) * 5 for caller in STAFF}  # Django's own permissions: no role grants them

ADMIN_MODELS = {
    "tracker.memberstate": READ_ALL_COORDINATOR_WRITES,
    "tracker.body": READ_ALL_COORDINATOR_WRITES,
    "tracker.presidency": READ_ALL_COORDINATOR_WRITES,
    "tracker.priority": READ_ALL_COORDINATOR_WRITES,
    "tracker.staffprofile": READ_ALL_COORDINATOR_WRITES,
    "tracker.source": READ_ALL_COORDINATOR_WRITES,
    "tracker.commitment": READ_ALL_COORDINATOR_WRITES,
    # The activity belongs to the editor's body: they change it, the outsider reads it; editors of any
    # body may add activities (for their own body); only coordinators delete.
    "tracker.activity": {"outsider": (200, 200, 200, 403, 200), "editor": (200, 200, 200, 403, 200),
                         "coordinator": (200, 200, 200, 200, 200)},
    "tracker.progressupdate": READ_ONLY,
    "tracker.apiclient": COORDINATORS_ONLY,
    "tracker.webhooksubscription": COORDINATORS_ONLY,
    "tracker.webhookdelivery": COORDINATORS_READ_ONLY,
    "tracker.outboxevent": COORDINATORS_READ_ONLY,  # the machinery's records: for those who run it
    "tracker.reminderlog": COORDINATORS_READ_ONLY,  # the machinery's records: for those who run it
    "tracker.digestlog": COORDINATORS_READ_ONLY,  # the machinery's records: for those who run it
    "tracker.dailysnapshot": COORDINATORS_READ_ONLY,  # the machinery's records: for those who run it
    "tracker.workerheartbeat": COORDINATORS_READ_ONLY,  # the machinery's records: for those who run it
    "tracker.auditentry": COORDINATORS_READ_ONLY,
    # Assessments are append-only (added by editors and coordinators, never changed); risk log entries are
    # closed, not deleted; stocktakes are run on the board and read here.
    "tracker.confidenceassessment": {caller: (200, 200, 200, 403, 200) for caller in STAFF},
    "tracker.raidentry": {caller: (200, 200, 200, 403, 200) for caller in STAFF},
    "tracker.stocktake": READ_ONLY,
    "tracker.reviewreminderlog": COORDINATORS_READ_ONLY,
    "tracker.comment": COORDINATORS_READ_ONLY,  # the discussion, hidden and deleted ones too (issue 13)
    "tracker.document": COORDINATORS_READ_ONLY,  # files and their versions, deleted activities' too (issue 13)
    # A link is its successor's: its body's editors add and remove it (a link is never edited in place).
    "tracker.dependency": {"outsider": (200, 200, 200, 403, 200), "editor": (200, 200, 200, 200, 200),
                           "coordinator": (200, 200, 200, 200, 200)},
    # Baselines: coordinators approve; everyone with admin access reads; nobody changes or deletes one.
    "tracker.baseline": {"outsider": (200, 403, 200, 403, 200), "editor": (200, 403, 200, 403, 200),
                         "coordinator": (200, 200, 200, 403, 200)},
    "auth.user": SUPERUSERS_ONLY,
    "auth.group": SUPERUSERS_ONLY,
    "axes.accessattempt": SUPERUSERS_ONLY,
    "axes.accessfailurelog": SUPERUSERS_ONLY,
    "axes.accesslog": SUPERUSERS_ONLY,
}
ADMIN_VIEWS = ["changelist", "add", "change", "delete", "history"]


def _admin_url(label: str, view: str, pk) -> str:
    app, model = label.split(".")
    base = f"/admin/{app}/{model}/"
    return {"changelist": base, "add": f"{base}add/", "change": f"{base}{pk}/change/",
            "delete": f"{base}{pk}/delete/", "history": f"{base}{pk}/history/"}[view]


# --- Fixtures -------------------------------------------------------------------------------------------------

@pytest.fixture
def doors(callers, activity, priorities, body, other_body, coordinator, editor, viewer, settings,  # noqa: F811
          tmp_path):
    """The agenda and one object of every model the admin shows."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.STORAGES = {**settings.STORAGES, "documents": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}

    foreign = factories.ActivityFactory(priority=priorities[1], responsible_body=other_body, title="Dialogue")
    milestone = factories.MilestoneFactory(activity=activity, title="Agree the plan", order=1)
    factories.MilestoneFactory(activity=activity, title="Hold the meeting", order=2)
    state = factories.MemberStateFactory(code="BY")
    webhook = WebhookSubscription.objects.create(name="Planning", url="https://hooks.example.org/a",
                                                 secret="s3cret-for-tests")
    services.activity_transition(actor=services_actor(coordinator), activity=foreign, status="in_progress")
    webhooks.sweep()
    today = timezone.localdate()
    ReminderLog.objects.create(activity=activity, due_date=activity.due_date, threshold="7d", recipient="a@example.org")
    DigestLog.objects.create(user=editor, week_start=today - dt.timedelta(days=today.weekday()))
    DailySnapshot.objects.create(presidency=priorities[0].presidency, day=today)
    heartbeat.beat("worker@matrix")
    audit.record(audit.Action.API_CLIENT_CREATED, via=audit.Via.COMMAND, actor="root@host")
    Group.objects.create(name="Clerks")
    AccessAttempt.objects.create(username="x", ip_address="127.0.0.1", user_agent="t", http_accept="t",
                                 path_info="/accounts/login/", failures_since_start=1)
    AccessFailureLog.objects.create(username="x", ip_address="127.0.0.1", user_agent="t", http_accept="t",
                                    path_info="/accounts/login/")
    AccessLog.objects.create(username="x", ip_address="127.0.0.1", user_agent="t", http_accept="t",
                             path_info="/accounts/login/")
    rhythm_actor = services_actor(coordinator)
    assessment = services_delivery.assessment_create(actor=rhythm_actor, activity=activity, rating="amber",
                                                     narrative="Venue not confirmed")
    risk = services_delivery.raid_create(actor=rhythm_actor, activity=activity,
                                         data={"statement": "Range double-booked", "likelihood": 3, "impact": 4})
    stocktake = services_delivery.stocktake_open(actor=rhythm_actor, presidency=priorities[0].presidency)
    stocktake_action = services_delivery.stocktake_add_item(actor=rhythm_actor, stocktake=stocktake, kind="action",
                                                            text="Book the range", activity=activity,
                                                            due_date=activity.due_date)
    ReviewReminderLog.objects.create(assessment=assessment, recipient="a@example.org")
    loose_action = services_delivery.stocktake_add_item(actor=rhythm_actor, stocktake=stocktake, kind="action",
                                                        text="Seminar on drone defence")
    participation = Participation.objects.create(
        activity=activity, memberstate=factories.MemberStateFactory(code="KZ", name="Kazakhstan"))
    commitment = factories.CommitmentFactory(priority=activity.priority)
    commitment.activities.add(activity)
    document_version = services.document_add(
        actor=services_actor(coordinator), activity=activity, title="Concept note", kind="concept_note",
        upload=SimpleUploadedFile("note.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"))
    comment = services.comment_post(actor=services_actor(viewer), activity=activity, body="Who books the range?")
    saved_view = services.saved_view_create(actor=services_actor(viewer), name="Mine", query="owner=me")
    link = services.dependency_create(actor=services_actor(coordinator), predecessor=foreign, successor=activity)
    later = factories.ActivityFactory(priority=priorities[1], responsible_body=other_body, title="Follow-up")
    baseline = services.baseline_approve(actor=services_actor(coordinator), presidency=priorities[0].presidency,
                                         reason="Approved plan")
    activity.refresh_from_db()
    foreign.refresh_from_db()
    return {
        "assessment": assessment, "risk": risk, "stocktake": stocktake, "stocktake_action": stocktake_action,
        "loose_action": loose_action, "participation": participation,
        "risk_history_id": risk.history.values_list("history_id", flat=True).first(),
        "commitment": commitment, "document": document_version.document, "document_version": document_version,
        "comment": comment, "saved_view": saved_view,
        "link": link, "baseline": baseline, "later": later,
        "callers": callers, "own": activity, "foreign": foreign, "milestone": milestone, "body": body,
        "state": state, "webhook": webhook, "viewer_id": viewer.pk, "viewer_token": viewer.staff_profile.calendar_token,
        "own_history_id": activity.history.order_by("-history_id").values_list("history_id", flat=True).first(),
    }


def services_actor(user):
    from tracker.models import Channel
    from tracker.permissions import Actor

    return Actor.for_user(user, Channel.WEB)


def _call(client, door: Door, fixtures: dict):
    url = door.url(fixtures)
    data = door.data(fixtures) if door.data else None
    if door.method in ("get", "delete"):
        response = getattr(client, door.method)(url, headers=door.headers or {})
    elif url.startswith("/api/") and not any(hasattr(v, "read") for v in (data or {}).values()):
        response = getattr(client, door.method)(url, data or {}, format="json", headers=door.headers or {})
    else:
        # The callers are DRF test clients, whose default is JSON; the board's forms are form-encoded.
        response = getattr(client, door.method)(url, data or {}, format="multipart", headers=door.headers or {})
    if response.streaming:
        b"".join(response.streaming_content)
    return url, response


def _outcome(response) -> int | str:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith("/accounts/login/"):
            return LOGIN
        if location.startswith("/admin/login/"):
            return ADMIN_LOGIN
    if response.get("HX-Redirect", "").startswith("/accounts/login/"):
        return LOGIN
    return response.status_code


def _check(doors_by_route: dict[str, list[Door]], route: str, caller: str, fixtures: dict) -> None:
    for door in doors_by_route[route]:
        url, response = _call(fixtures["callers"][caller], door, fixtures)
        outcome = _outcome(response)
        assert outcome == door.expected[caller], (route, door.method, url, caller, outcome, response.content[:300])


# --- The matrix -----------------------------------------------------------------------------------------------

# Doors that change what the next caller would meet run once per caller, on a fresh agenda; the others
# check every caller in one test (each caller has its own session).
ISOLATED = {"web:activity-move", "web:activity-update", "web:milestone-toggle", "api:milestone-detail",
            "api:webhook-detail", "api:webhook-redeliver", "api:webhook-rotate-secret",
            "api:webhook-redeliver-one", "web:activity-confirm-dates", "web:milestone-confirm",
            "api:activity-confirm-dates", "api:milestone-confirm-date", "web:stocktake-close",
            "web:comment-edit", "web:comment-hide", "web:saved-view-delete", "web:activity-people",
            "web:stocktake-item-milestone", "web:stocktake-item-activity", "api:risk-detail",
            "api:participation-list", "api:participation-detail",
            "web:link-add", "web:link-delete", "api:dependency-list", "api:dependency-detail"}


def _cases(table: dict[str, list[Door]], who: list[str]) -> list:
    cases = []
    for route in table:
        if route in ISOLATED:
            cases += [pytest.param(route, [caller], id=f"{route}-{caller}") for caller in who]
        else:
            cases.append(pytest.param(route, who, id=route))
    return cases


@pytest.mark.parametrize(("route", "callers_"), _cases(WEB, ROLES + KEYS))
def test_web_doors(doors, route, callers_):
    for caller in callers_:
        _check(WEB, route, caller, doors)


@pytest.mark.parametrize(("route", "callers_"), _cases(API, ROLES + KEYS))
def test_api_doors_outside_the_api_matrix(doors, route, callers_):
    for caller in callers_:
        _check(API, route, caller, doors)


@pytest.mark.parametrize("route", list(ADMIN_SITE))
def test_admin_site_doors(doors, route):
    for caller in SESSION_DOORS:  # each has its own session; these pages change nothing another one reads
        _check(ADMIN_SITE, route, caller, doors)


@pytest.mark.parametrize("label", list(ADMIN_MODELS))
def test_admin_pages_of_every_model(doors, label):
    from django.apps import apps

    model = apps.get_model(label)
    obj = model.objects.order_by("pk").first()
    assert obj is not None, f"the fixture makes no {label}"
    for caller in SESSION_DOORS:
        client = doors["callers"][caller]
        for view, expected in zip(ADMIN_VIEWS, ADMIN_MODELS[label].get(caller, (ADMIN_LOGIN,) * 5), strict=True):
            response = client.get(_admin_url(label, view, obj.pk))
            assert _outcome(response) == expected, (label, view, caller, _outcome(response), response.content[:200])
        # The bare object URL only redirects to its change page (or to the login).
        assert client.get(f"/admin/{label.replace('.', '/')}/{obj.pk}/").status_code == 302


@pytest.mark.parametrize("caller", ["outsider", "editor"])
def test_editors_cannot_write_through_admin_pages_they_may_read(doors, caller):
    """A read-only page still refuses a forged POST: the body of another's activity, reference data."""
    client = doors["callers"][caller]
    foreign = doors["foreign"] if caller == "editor" else doors["own"]  # the other body's activity
    response = client.post(f"/admin/tracker/activity/{foreign.pk}/change/", {"title": "Hijacked"})
    assert response.status_code == 403
    response = client.post(f"/admin/tracker/body/{doors['body'].pk}/change/", {"name": "Hijacked"})
    assert response.status_code == 403
    response = client.post(f"/admin/tracker/activity/{foreign.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    title = foreign.title
    foreign.refresh_from_db()
    assert foreign.title == title


# --- Coverage -------------------------------------------------------------------------------------------------

def _route_key(match) -> str:
    return match.view_name if match.url_name else match.route.replace("^", "")


def _all_routes() -> set[str]:
    def walk(patterns, prefix: str = "", namespace: str = ""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                yield f"{namespace}{pattern.name}" if pattern.name else (prefix + str(pattern.pattern)).replace("^", "")

    return set(walk(get_resolver().url_patterns))


def test_every_url_pattern_is_in_the_matrix(doors):
    covered: set[str] = set()
    for table in (WEB, API, ADMIN_SITE):
        for route, door_list in table.items():
            for door in door_list:
                key = _route_key(resolve(door.url(doors).split("?")[0]))
                assert key == route, f"{door.url(doors)} resolves to {key}, listed under {route}"
                covered.add(key)
    fixtures = {"activity": doors["own"], "priorities": list(doors["own"].priority.presidency.priorities.all()),
                "body": doors["body"], "webhook": doors["webhook"]}
    for _expected, _method, build in API_MATRIX.values():
        covered.add(_route_key(resolve(build(fixtures)[0])))
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == set(ADMIN_MODELS), "a model was added to or removed from the admin: update ADMIN_MODELS"
    for label in registered:
        app, model = label.split(".")
        covered |= {f"admin:{app}_{model}_{view}" for view in ADMIN_VIEWS}
        covered.add(f"admin/{app}/{model}/<path:object_id>/")
    missing = sorted(_all_routes() - covered)
    assert not missing, f"URL patterns nobody checks: {missing}; add them to tests/security/test_access_matrix.py"
