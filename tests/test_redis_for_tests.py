"""The tests' Redis database is their own: a database with keys they did not write, or one claimed by another
run, is never used or emptied (`make test` once flushed db 15 of whatever Redis the machine had)."""

from __future__ import annotations

import contextlib

import pytest
import redis

from tests import support


def test_the_run_works_in_a_database_it_claimed(redis_url):
    support.empty_claimed_redis(redis_url)  # (re)sets the claim a cache.clear() of an earlier test may have wiped
    client = redis.Redis.from_url(redis_url)
    assert client.get(support.CLAIM_KEY).decode() == support.CLAIM
    assert support.claim_redis_database(redis_url) == redis_url  # claiming it again is harmless


@contextlib.contextmanager
def monkeypatch_owned(owned: set[str]):
    saved = set(support.OWNED)
    support.OWNED.clear()
    support.OWNED.update(owned)
    try:
        yield
    finally:
        support.OWNED.clear()
        support.OWNED.update(saved)


def test_a_database_with_someone_elses_keys_is_refused_and_left_as_it_was(redis_url):
    client = redis.Redis.from_url(redis_url)
    support.empty_claimed_redis(redis_url)
    client.delete(support.CLAIM_KEY)  # for the moment the database looks like anyone's
    client.set("someone-elses-key", "kept")
    try:
        with pytest.raises(ValueError, match="holds 1 keys the tests did not write"):
            support.claim_redis_database(redis_url)
        with monkeypatch_owned(set()), pytest.raises(AssertionError, match="did not claim it"):
            support.empty_claimed_redis(redis_url)
        assert client.get("someone-elses-key") == b"kept"
    finally:
        client.delete("someone-elses-key")
        client.set(support.CLAIM_KEY, support.CLAIM)


def test_a_database_claimed_by_a_live_run_is_left_alone(redis_url, monkeypatch):
    support.empty_claimed_redis(redis_url)
    client = redis.Redis.from_url(redis_url)
    client.set("a-key-of-this-run", "1")
    monkeypatch.setattr(support, "CLAIM", "another-machine:4242")  # as seen from another run
    with pytest.raises(ValueError, match="in use by another test run"):
        support.claim_redis_database(redis_url)
    with pytest.raises(AssertionError, match="did not claim it"):
        support.empty_claimed_redis(redis_url)
    assert client.get("a-key-of-this-run") == b"1"
    monkeypatch.undo()
    support.empty_claimed_redis(redis_url)
    assert client.dbsize() == 1  # only the claim is left


def test_each_test_process_of_a_parallel_run_takes_its_own_named_database(monkeypatch):
    # Two xdist workers given one TEST_REDIS_URL would refuse each other's claim; the second takes N+1.
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    assert support._this_workers("redis://127.0.0.1:6379/7") == "redis://127.0.0.1:6379/8"
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    assert support._this_workers("redis://127.0.0.1:6379/7") == "redis://127.0.0.1:6379/7"
    monkeypatch.delenv("PYTEST_XDIST_WORKER")
    assert support._this_workers("redis://127.0.0.1:6379/7") == "redis://127.0.0.1:6379/7"


def test_the_processes_of_a_parallel_run_look_for_free_databases_in_turns(monkeypatch):
    tried = []

    def refuse(url):
        tried.append(int(url.rsplit("/", 1)[1]))
        raise ValueError("in use")

    monkeypatch.setattr(support, "claim_redis_database", refuse)
    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", "2")
    for worker in ("gw0", "gw1"):
        monkeypatch.setenv("PYTEST_XDIST_WORKER", worker)
        with pytest.raises(ValueError, match="no empty Redis database"):
            support.free_redis_database("redis://127.0.0.1:6379")
    assert tried == [15, 13, 11, 9, 7, 5, 3, 1, 14, 12, 10, 8, 6, 4, 2]


def test_a_cache_clear_keeps_the_run_s_claim_on_its_database(redis_url, settings):
    """A test's cache.clear() was a plain FLUSHDB that wiped the claim: another run on the machine could then
    take the same database, and each emptied the other's keys (a throttle test saw its counts vanish)."""
    from django_redis.cache import RedisCache

    support.empty_claimed_redis(redis_url)
    cache = RedisCache(redis_url, {"KEY_PREFIX": "claim-test",
                                   "OPTIONS": {"CLIENT_CLASS": "tests.redis_cache.ClaimKeepingClient"}})
    cache.set("counts", [1, 2])
    cache.clear()
    raw = redis.Redis.from_url(redis_url)
    assert cache.get("counts") is None and raw.get(support.CLAIM_KEY).decode() == support.CLAIM
    with (pytest.raises(ValueError, match="in use by another test run"), monkeypatch_owned(set()),
          pytest.MonkeyPatch.context() as patch):
        patch.setattr(support, "CLAIM", "elsewhere:1")  # another run looking for a database
        support.claim_redis_database(redis_url)
    if "redis" in settings.CACHES["default"]["BACKEND"].lower():  # the run's own cache is built the same way
        assert settings.CACHES["default"]["OPTIONS"]["CLIENT_CLASS"] == "tests.redis_cache.ClaimKeepingClient"
