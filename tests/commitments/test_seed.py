"""The commitments' seed: every quotation is the source's own words, every seeded activity is accounted for."""

import json

import pytest

from tests.test_seed import _source_text
from tracker.models import Activity, Commitment, Source
from tracker.seed import load_seed
from tracker.seed_commitments import COMMITMENTS_SEED, SERVES_NO_COMMITMENT

pytestmark = pytest.mark.django_db


def _first_difference(quote: str, source: str) -> str | None:
    """None when `quote` is found in `source` (whitespace squashed); else the first word that no longer
    matches, found by the longest prefix of the quote that is in the source."""
    words, text = quote.split(), " ".join(source.split())
    if " ".join(words) in text:
        return None
    for n in range(len(words), 0, -1):
        if " ".join(words[:n]) in text:
            return words[n] if n < len(words) else words[-1]
    return words[0]


def test_the_first_difference_is_named():
    source = "Belarus’ presidency intends to initiate a strategic dialogue"
    assert _first_difference("presidency intends to initiate", source) is None
    assert _first_difference("presidency intends to start a dialogue", source) == "start"
    assert _first_difference("Nobody said this", source) == "Nobody"


def test_every_seeded_quotation_is_found_verbatim_in_the_source():
    source = _source_text()
    items = [i for i in json.loads(COMMITMENTS_SEED.read_text(encoding="utf-8")) if i["model"] == "tracker.commitment"]
    assert len(items) >= 10
    wrong = {}
    for item in items:
        difference = _first_difference(item["fields"]["quote"], source)
        if difference is not None:
            wrong[item["fields"]["number"]] = f"differs from the source at “{difference}”"
    assert not wrong, wrong


def test_every_seeded_passage_number_is_the_paragraph_that_holds_the_quotation():
    paragraphs = [" ".join(line.split()) for line in _source_text().splitlines() if line.strip()]
    for item in json.loads(COMMITMENTS_SEED.read_text(encoding="utf-8")):
        if item["model"] == "tracker.commitment":
            fields = item["fields"]
            assert fields["quote"] in paragraphs[fields["passage"] - 1], fields["number"]


def test_every_seeded_activity_serves_a_commitment_or_is_listed_as_not_doing_so():
    load_seed()
    source = Source.objects.get()
    assert source.published_on.isoformat() == "2022-11-30"
    assert Commitment.objects.filter(source=source).count() >= 10
    idle = set(Activity.objects.filter(commitments__isnull=True).values_list("code", flat=True))
    assert idle == set(SERVES_NO_COMMITMENT)
    assert not Commitment.objects.filter(activities__isnull=True).exists()
    for commitment in Commitment.objects.select_related("priority"):
        assert commitment.statement_ru and commitment.success_criterion, commitment.number
        # A commitment's activities sit under its own priority.
        assert set(commitment.activities.values_list("priority", flat=True)) == {commitment.priority_id}


def test_seeding_twice_keeps_what_staff_changed():
    load_seed()
    first = Commitment.objects.get(number=8)
    Commitment.objects.filter(pk=first.pk).update(statement="Edited by staff")
    assert not load_seed()
    assert Commitment.objects.get(pk=first.pk).statement == "Edited by staff"
    assert Commitment.objects.count() == len(
        [i for i in json.loads(COMMITMENTS_SEED.read_text(encoding="utf-8")) if i["model"] == "tracker.commitment"]
    )
