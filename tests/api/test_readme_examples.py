"""The README's "Connect another system" examples, run as written against a live server.

Every ```sh block of the section is taken from README.md and run, in order, by one bash in the project folder,
as a reader pastes them: `./manage create_api_client` makes the key, the ids are looked up by the README's own
commands. The test sets only the environment a reader's machine would differ in: the tracker's address
(TRACKER, which the README defaults to `make run`'s) and the database `./manage` writes to (the test database,
which the live server reads).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.support import unavailable
from tracker.models import Activity, ProgressUpdate

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
MARKER = "@@@ README BLOCK @@@"


def _section() -> str:
    text = README.read_text()
    start = text.index("## Connect another system")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else None]


def _blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", _section(), flags=re.S)


def _database_url() -> str:
    """The test database as a DATABASE_URL, for `./manage` in the shell."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(settings['NAME']).resolve()}"
    host, port = settings.get("HOST") or "127.0.0.1", settings.get("PORT") or 5432
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return f"postgres://{settings['USER']}{password}@{host}:{port}/{settings['NAME']}"


def _run(blocks: list[str], env: dict[str, str]) -> list[str]:
    """One bash runs the blocks one after another (variables carry over); `set -e` stops at a failing one."""
    script = "set -e\n" + "\n".join(f"echo '{MARKER}'\n{block}\necho" for block in blocks)
    done = subprocess.run(["bash", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    return done.stdout.split(MARKER + "\n")[1:]


def _json(output: str) -> dict:
    return json.loads(output[output.index("{"):output.rindex("}") + 1])


def _environment(live_server) -> dict[str, str]:
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8",
           "TRACKER": live_server.url, "DATABASE_URL": _database_url(), "PY": sys.executable}
    return env


def test_the_readme_examples_work_against_a_live_server(live_server, priorities, body, other_body):
    if shutil.which("curl") is None:
        unavailable("curl is not installed")
    create, setting_tracker, *_calls = _blocks()
    assert "./manage create_api_client" in create and "TRACKER=" in setting_tracker

    created, set_tracker, read, push, report, stale, retry_with_new_version, replay = _run(
        _blocks(), _environment(live_server))

    assert created.strip() == set_tracker.strip() == ""  # the key went into $KEY, nothing was printed

    decoder = json.JSONDecoder()
    priorities_page, end = decoder.raw_decode(read.strip())
    activities_page, _end = decoder.raw_decode(read.strip()[end:])
    assert [p["number"] for p in priorities_page["results"]] == [1, 2, 3, 4]
    assert activities_page["results"] == []

    pushed = _json(push)
    assert (pushed["external_source"], pushed["external_id"], pushed["version"]) == ("mfa-by", "D-17", 1)
    assert (pushed["priority"], pushed["responsible_body"]) == (priorities[1].pk, other_body.pk)  # looked up

    reported = _json(report)
    assert reported["new_progress"] == 40
    assert reported["activity_state"]["version"] == 2

    assert "412 Precondition Failed" in stale
    assert re.search(r'(?i)^etag: "2"', stale, flags=re.M)
    assert _json(stale)["current_version"] == 2

    assert _json(retry_with_new_version)["activity_state"]["version"] == 3

    assert re.search(r"(?i)^idempotent-replayed: true", replay, flags=re.M)
    assert _json(replay) == reported

    activity = Activity.objects.get(external_source="mfa-by", external_id="D-17")
    notes = list(ProgressUpdate.objects.filter(activity=activity, channel="api").values_list("note", flat=True))
    assert sorted(notes) == ["", "First round of consultations held in Minsk", "Second round"]
    assert ProgressUpdate.objects.filter(activity=activity, actor_name="mfa-by-planning").count() == 3


def test_an_unset_variable_stops_the_shell_with_a_message_not_a_request(live_server, priorities, other_body):
    """A reader who skips the lookups gets the shell's message naming the variable, and nothing is sent."""
    push = next(block for block in _blocks() if "by-ref/mfa-by/D-17/" in block and "PUT" in block)
    only_the_put = push[push.index("curl -sS -X PUT"):]
    env = {**_environment(live_server), "KEY": "never-sent"}
    done = subprocess.run(["bash", "-c", only_the_put], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode != 0
    assert "PRIORITY: look it up first" in done.stderr
    assert not Activity.objects.filter(external_id="D-17").exists()


@pytest.mark.django_db
def test_the_readme_section_covers_the_promised_steps():
    section = _section()
    for step in ("Create a client", "Read the board", "Report progress", "Handle 412", "Retry safely"):
        assert step in section
