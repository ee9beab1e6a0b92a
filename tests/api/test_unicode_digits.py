"""Digits that are not ASCII ('²', '١') pass str.isdigit() but not int(): a parameter made of them is a
bad value (400 naming it) or a name, never a 500."""

from __future__ import annotations

import pytest

from tracker.validators import plain_digits

ODD_DIGITS = ["²", "١٢", "𝟗"]


@pytest.mark.parametrize("value", ODD_DIGITS)
def test_the_list_refuses_odd_digits_as_a_page_size_or_page_number(read_api, value):
    for parameter in ("page_size", "page"):
        response = read_api.get("/api/v1/activities/", {parameter: value})
        assert response.status_code == 400, (parameter, response.content)
        assert parameter in response.json()["errors"] or parameter in str(response.json())


@pytest.mark.parametrize("value", ODD_DIGITS)
def test_an_owner_given_in_odd_digits_is_read_as_a_name_that_matches_nobody(read_api, value):
    response = read_api.get("/api/v1/activities/", {"owner": value})
    assert response.status_code == 200, response.content
    assert response.json()["results"] == []


def test_plain_digits_are_ascii_digits_only():
    assert plain_digits("42") and not plain_digits("²") and not plain_digits("١") and not plain_digits("")
