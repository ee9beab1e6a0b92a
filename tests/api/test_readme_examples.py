"""The README's "Connect another system" examples, run as written against a live server.

The curl commands are taken from README.md and run with bash; only the variables the reader fills in
(TRACKER, KEY, PRIORITY, BODY) are set by the test. The key comes from the README's own
`create_api_client` command, run in-process against the test database.
"""

from __future__ import annotations

import io
import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.support import unavailable
from tracker.models import Activity, ProgressUpdate

README = Path(__file__).resolve().parents[2] / "README.md"
MARKER = "@@@ README BLOCK @@@"


def _section() -> str:
    text = README.read_text()
    start = text.index("## Connect another system")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else None]


def _blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", _section(), flags=re.S)


def _create_client(block: str) -> str:
    command = re.search(r"\$\((python manage\.py create_api_client [^)]*)\)", block).group(1)
    args = shlex.split(command)[3:]
    out = io.StringIO()
    call_command("create_api_client", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def _run(blocks: list[str], env: dict[str, str]) -> list[str]:
    script = "\n".join(f"echo '{MARKER}'\n{block}\necho" for block in blocks)
    done = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.split(MARKER + "\n")[1:]


def _json(output: str) -> dict:
    return json.loads(output[output.index("{"):output.rindex("}") + 1])


def test_the_readme_examples_work_against_a_live_server(live_server, priorities, body):
    if shutil.which("curl") is None:
        unavailable("curl is not installed")
    blocks = _blocks()
    create, setting_tracker, *calls = blocks
    assert "TRACKER=" in setting_tracker
    key = _create_client(create)
    env = {"PATH": os.environ["PATH"], "TRACKER": live_server.url, "KEY": key,
           "PRIORITY": str(priorities[1].pk), "BODY": str(body.pk)}

    read, push, report, stale, retry_with_new_version, replay = _run(calls, env)

    decoder = json.JSONDecoder()
    priorities_page, end = decoder.raw_decode(read.strip())
    activities_page, _end = decoder.raw_decode(read.strip()[end:])
    assert [p["number"] for p in priorities_page["results"]] == [1, 2, 3, 4]
    assert activities_page["results"] == []

    pushed = _json(push)
    assert (pushed["external_source"], pushed["external_id"], pushed["version"]) == ("mfa-by", "D-17", 1)

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


@pytest.mark.django_db
def test_the_readme_section_covers_the_promised_steps():
    section = _section()
    for step in ("Create a client", "Read the board", "Report progress", "Handle 412", "Retry safely"):
        assert step in section
