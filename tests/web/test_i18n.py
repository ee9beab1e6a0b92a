"""Russian and English are equal citizens: the switcher, translated pages and content, localised dates."""

from __future__ import annotations

import pytest
from django.utils import translation

from tracker import workflow
from tracker.management.commands.compile_translations import compile_catalogues

pytestmark = pytest.mark.django_db


@pytest.fixture
def russian(signed_in):
    def make(user):
        client = signed_in(user)
        client.cookies["django_language"] = "ru"
        return client

    return make


def test_the_language_switcher_turns_the_pages_russian(signed_in, viewer, agenda):
    client = signed_in(viewer)
    assert 'lang="en"' in client.get("/board/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/board/"})
    assert response.status_code == 302 and response["Location"] == "/board/"
    html = client.get("/board/").content.decode()
    assert '<html lang="ru">' in html
    assert "<h1>Доска</h1>" in html


def test_russian_pages_show_the_russian_titles_statuses_and_dates(russian, viewer, agenda, priorities):
    client = russian(viewer)
    board = client.get("/board/").content.decode()
    assert "Совместные учения в Беларуси" in board and "Joint exercises in Belarus" not in board
    assert "Запланировано" in board and "Просрочено" in board
    page = client.get(f"/activities/{agenda['own'].pk}/").content.decode()
    assert "30 сентября 2023" in page  # Russian date format
    assert "Журнал хода выполнения" in page
    dashboard = client.get("/").content.decode()
    assert "Текущее состояние" in dashboard and "Период председательства завершился" in dashboard


def test_the_workflows_refusal_reads_in_russian(russian, coordinator, agenda, htmx_headers):
    client = russian(coordinator)
    response = client.post(
        f"/activities/{agenda['finished'].pk}/move/", {"status": "cancelled", "expected_version": 1},
        headers=htmx_headers,
    )
    assert response.status_code == 409
    assert "Выполненное мероприятие нельзя отменить; сначала откройте его заново." in response.content.decode()


@pytest.mark.parametrize("page", ["/", "/board/", "/timeline/", "/calendar/", "/reports/", "/reports/year/"])
def test_every_page_renders_in_russian(russian, coordinator, agenda, page):
    response = russian(coordinator).get(page)
    assert response.status_code == 200
    assert '<html lang="ru">' in response.content.decode()


def test_every_status_and_kind_has_a_russian_label():
    with translation.override("ru"):
        labels = [str(label) for _, label in workflow.Status.choices]
    assert labels == ["Запланировано", "В работе", "Под угрозой срыва", "Приостановлено", "Выполнено", "Отменено",
                      "Передано"]


def test_compile_translations_writes_the_catalogue_that_django_reads(settings, tmp_path):
    po_dir = tmp_path / "ru" / "LC_MESSAGES"
    po_dir.mkdir(parents=True)
    (po_dir / "django.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "Board"\nmsgstr "Доска"\n',
        encoding="utf-8",
    )
    settings.LOCALE_PATHS = [tmp_path]
    written = compile_catalogues()
    assert written == [po_dir / "django.mo"]
    assert compile_catalogues() == []  # up to date: nothing rewritten
    import gettext

    with open(po_dir / "django.mo", "rb") as stream:
        assert gettext.GNUTranslations(stream).gettext("Board") == "Доска"


def test_switching_language_is_remembered_for_emails_and_the_feed(client, viewer):
    from tracker.models import StaffProfile

    client.force_login(viewer)
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    assert response.status_code == 302
    assert StaffProfile.objects.get(user=viewer).language == "ru"
    assert client.get("/").headers["Content-Language"] == "ru"


def test_switching_language_signed_out_only_sets_the_cookie(client, db):
    from tracker.models import StaffProfile

    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "ru"
    assert not StaffProfile.objects.exists()


def test_compile_translations_leaves_a_venv_inside_the_project_alone(settings, tmp_path):
    """A fresh clone's .venv sits in the project folder: Django's own catalogues there ship compiled, and
    `make run` once printed 540 "compiled ... django.mo" lines recompiling them."""
    import sys
    from pathlib import Path

    from tracker.management.commands.compile_translations import catalogue_dirs

    settings.BASE_DIR = Path(sys.prefix).resolve().parent  # the venv as if it were the project's .venv
    settings.LOCALE_PATHS = []
    assert not [d for d in catalogue_dirs() if Path(sys.prefix).resolve() in d.resolve().parents]


def test_compile_translations_says_what_it_did_in_one_line(settings, tmp_path):
    import io

    from django.core.management import call_command

    po_dir = tmp_path / "ru" / "LC_MESSAGES"
    po_dir.mkdir(parents=True)
    (po_dir / "django.po").write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n',
                                      encoding="utf-8")
    settings.LOCALE_PATHS = [tmp_path]
    out = io.StringIO()
    call_command("compile_translations", "--force", stdout=out)
    assert out.getvalue().strip().splitlines() == ["translations: 1 catalogue(s) compiled"]
