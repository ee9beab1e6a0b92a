"""The benchmark's optional Taiga peer (benchmarks/peer.py): which project each N is compared with, and a
ratio only between full pages of 100 (docs/performance.md, "The Taiga peer")."""

import pytest

from benchmarks import peer
from benchmarks.bench import Result


def test_each_size_is_compared_with_its_own_taiga_project(monkeypatch):
    monkeypatch.setenv("BENCH_TAIGA_URL", "http://127.0.0.1:8920/")
    monkeypatch.setenv("BENCH_TAIGA_PROJECT", "1000:1,10000:2")
    ours, taiga = peer.gets(10000, {"Authorization": "Bearer k"}, presidency_id=7)
    assert ours[2] == "/api/v1/activities/?presidency=7&page_size=100"
    assert taiga[2] == "http://127.0.0.1:8920/api/v1/userstories?project=2&page_size=100"
    assert peer.gets(100000, {}, presidency_id=7) == []  # no Taiga project of that size: no peer line
    monkeypatch.setenv("BENCH_TAIGA_PROJECT", "5")
    assert peer.gets(100000, {}, presidency_id=7)[1][2].endswith("project=5&page_size=100")
    monkeypatch.delenv("BENCH_TAIGA_URL")
    assert peer.gets(1000, {}, presidency_id=7) == []


def test_a_short_page_stops_the_comparison_and_gets_no_ratio():
    with pytest.raises(SystemExit, match="78 items"):
        peer.check_pages({peer.OURS: (200, 78, 70_000), peer.CASE: (200, 100, 168_000)})
    notes = peer.check_pages({"1. API list": (200, 78, 76_684), peer.OURS: (200, 100, 97_174),
                              peer.CASE: (200, 100, 167_952)})
    assert notes[0] == "1. API list: 78 items, 76,684 bytes a page"
    results = [Result("1. API list", 1000, 44, 1, 1, 1, page_items=78),
               Result(peer.OURS, 1000, 36, 1, 1, 1, page_items=100),
               Result(peer.CASE, 1000, 4, 1, 1, None, page_items=100)]
    assert [peer.ratio(r, results) for r in results] == ["", "9.0x Taiga", ""]
