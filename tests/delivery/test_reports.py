"""The rhythm in the reports: the year report's rating trend, the CSV exports and the weekly digest."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone

from tests.delivery.conftest import TODAY
from tracker.jobs import digests
from tracker.models import Channel
from tracker.permissions import Actor
from tracker.services import delivery as services_delivery

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _csv(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_year_report_shows_each_prioritys_rating_trend(coordinator, priorities):
    actor = Actor.for_user(coordinator, Channel.WEB)
    for rating in ("green", "amber", "red"):
        services_delivery.assessment_create(actor=actor, priority=priorities[1], rating=rating, narrative="n")
    page = login(coordinator).get("/reports/year/").content.decode()
    section = page[page.index(f'id="report-p{priorities[1].number}"'):]
    section = section[:section.index("</section>")]
    assert [part.split('"')[0] for part in section.split('data-rating="')[1:]] == ["green", "amber", "red"]


def test_csv_exports_of_assessments_and_risks(editor, activity):
    actor = Actor.for_user(editor, Channel.WEB)
    services_delivery.assessment_create(actor=actor, activity=activity, rating="amber_red", narrative="Венью")
    services_delivery.raid_create(actor=actor, activity=activity, data={
        "statement": "Range", "likelihood": 3, "impact": 5, "escalated": True})
    rows = _csv(login(editor).get("/reports/assessments.csv"))
    assert [(r["activity_id"], r["rating"], r["narrative"]) for r in rows] == [(str(activity.pk), "amber_red", "Венью")]
    risks = _csv(login(editor).get("/reports/risks.csv"))
    assert [(r["score"], r["escalated"]) for r in risks] == [("15", "yes")]


def test_the_weekly_digest_lists_ratings_that_fell(editor, activity):
    actor = Actor.for_user(editor, Channel.WEB)
    services_delivery.assessment_create(actor=actor, activity=activity, rating="green", narrative="Fine")
    services_delivery.assessment_create(actor=actor, activity=activity, rating="amber", narrative="Venue lost")
    digest = digests.build(editor.staff_profile, activity.priority.presidency, today=TODAY, now=timezone.now())
    assert [(a.previous_rating, a.rating) for a in digest.fallen] == [("green", "amber")]
    services_delivery.assessment_create(actor=actor, activity=activity, rating="green", narrative="Back")
    later = digests.build(editor.staff_profile, activity.priority.presidency, today=TODAY,
                          now=timezone.now() + dt.timedelta(seconds=1))
    assert [(a.previous_rating, a.rating) for a in later.fallen] == [("green", "amber")]  # a rise is not listed
