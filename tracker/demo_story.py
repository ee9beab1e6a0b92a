"""An illustrative progress story for the demo: the 2023 presidency as it stood in mid-July (DEMO_TODAY in
`make run`). Every step goes through the services, so the log, the history, the roll-ups and the events are
exactly what real work would leave. Each note is marked as demo data. Never loaded in production: the
command refuses without DEBUG.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from tracker import logtext, services
from tracker.models import Activity, Channel, Presidency, ProgressUpdate
from tracker.permissions import Actor
from tracker.workflow import Status


@dataclass(frozen=True)
class Step:
    code: str
    status: str | None = None
    progress: int | None = None
    milestones_done: tuple[int, ...] = ()  # checklist positions to tick
    text: str = ""
    text_ru: str = ""
    extra: dict = field(default_factory=dict)


STORY: tuple[Step, ...] = (
    Step("p4-institutes-heads-meeting-minsk", status=Status.DONE, milestones_done=(1, 2, 3),
         text="The meeting took place in Minsk on 29 June; the heads of seven institutes attended.",
         text_ru="Встреча прошла в Минске 29 июня; приехали руководители семи институтов."),
    Step("p4-analytical-institutes-network", milestones_done=(1, 2),
         text="Terms of co-operation agreed at the Minsk meeting.",
         text_ru="Условия сотрудничества согласованы на встрече в Минске."),
    Step("p2-csto-china-dialogue", milestones_done=(1, 2),
         text="The Chinese side has not yet confirmed the format; follow-up consultations are planned.",
         text_ru="Китайская сторона пока не подтвердила формат; запланированы дополнительные консультации."),
    Step("p3-joint-exercises", milestones_done=(1, 2),
         text="Final planning conference today at the Joint Staff.",
         text_ru="Сегодня итоговая конференция по планированию в Объединённом штабе."),
    Step("p3-defence-products-standardisation", milestones_done=(1,),
         text="Review of national practice completed.", text_ru="Обзор национальной практики завершён."),
    Step("p2-india-dialogue-partner", status=Status.AT_RISK,
         text="Consultations with the member states postponed to September.",
         text_ru="Консультации с государствами-членами перенесены на сентябрь."),
    Step("p1-eastern-europe-situation", status=Status.IN_PROGRESS, progress=80,
         text="Draft assessment awaits comments from two security councils.",
         text_ru="Проект оценки ждёт замечаний двух советов безопасности."),
    Step("p1-member-state-unity", status=Status.IN_PROGRESS, progress=45,
         text="Bilateral consultations held with five member states.",
         text_ru="Двусторонние консультации проведены с пятью государствами-членами."),
    Step("p1-armenia-azerbaijan-deescalation", status=Status.IN_PROGRESS, progress=30),
    Step("p1-kyrgyzstan-tajikistan-border", status=Status.BLOCKED, progress=20,
         text="Waiting for both sides to agree to a meeting.",
         text_ru="Ожидается согласие обеих сторон на встречу."),
    Step("p1-mutual-trust-joint-actions", status=Status.IN_PROGRESS, progress=40),
    Step("p2-international-organisations", status=Status.IN_PROGRESS, progress=35),
    Step("p2-statement-nuclear-rhetoric", status=Status.IN_PROGRESS, progress=60,
         text="Draft statement circulated to the member states.",
         text_ru="Проект заявления разослан государствам-членам."),
    Step("p3-forces-readiness", status=Status.IN_PROGRESS, progress=50),
    Step("p3-military-technical-cooperation", status=Status.IN_PROGRESS, progress=25),
    Step("p3-defence-manufacturing-cooperation", status=Status.IN_PROGRESS, progress=10),
    Step("p4-information-analysis-potential", status=Status.IN_PROGRESS, progress=40),
)


def already_told() -> bool:
    return ProgressUpdate.objects.filter(event=logtext.DEMO).exists()


def _actor() -> Actor:
    """The demo coordinator when the demo accounts exist (the log then names a person), else the system."""
    user = get_user_model().objects.filter(username="coordinator").first()
    return Actor.for_user(user, Channel.WEB) if user is not None else Actor.system()


def _date_the_seed_at_the_start() -> None:
    """The seed's log entries (progress 0) carry the day the seed ran, which in the demo is the demo's day too:
    the story's mid-July figures would then read as a day's work, and the schedule's pace forecast (the
    progress gained since the oldest recent update) as done tomorrow. The agenda was declared when the
    presidency began, so in the demo its entries are dated then."""
    for presidency in Presidency.objects.all():
        start = timezone.make_aware(dt.datetime.combine(presidency.period_start, dt.time(9)))
        ProgressUpdate.objects.filter(
            event=logtext.SEEDED, activity__priority__presidency=presidency, created_at__gt=start,
        ).update(created_at=start)


@transaction.atomic
def tell() -> int:
    """Play the story once; returns how many activities it moved. Activities missing from the seed, or
    already changed by someone since, are skipped, not overwritten."""
    if already_told():
        return 0
    _date_the_seed_at_the_start()
    actor = _actor()
    moved = 0
    for step in STORY:
        activity = Activity.objects.filter(code=step.code, status=Status.PLANNED).first()
        if activity is None:
            continue
        for milestone in activity.milestones.filter(order__in=step.milestones_done, done=False):
            services.milestone_toggle(actor=actor, milestone=milestone, done=True)
        activity.refresh_from_db()
        changes: dict = {}
        if step.status and step.status != activity.status:
            changes["status"] = step.status
        if step.progress is not None and not activity.milestones.exists():
            changes["progress"] = step.progress
        params = {"text": step.text or "progress as in mid-July 2023",
                  "text_ru": step.text_ru or "ход работы на середину июля 2023 года"}
        # The change (or, with none left, a note) carries the demo label, so the log says it is demo data.
        if changes:
            services.activity_update(
                actor=actor, activity=activity, changes=changes, event=logtext.DEMO, event_params=params
            )
        else:
            services.progress_report(actor=actor, activity=activity, event=logtext.DEMO, event_params=params)
        moved += 1
    return moved
