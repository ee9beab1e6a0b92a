"""Review reminders: when a current assessment's next review date has passed, its owner (the assessor) is
told once; without a reachable assessor, the responsible body's editors (for a priority: the coordinators).

Each (assessment, recipient) is emailed once: a ReviewReminderLog row is claimed before sending, as the
deadline reminders do (tracker/jobs/mailing.py). A new assessment replaces the old as current, so a review
done in time, or late, ends the reminders of the one before it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from tracker import clock
from tracker.jobs import mailing
from tracker.models import ConfidenceAssessment, ReviewReminderLog, Role
from tracker.selectors import delivery as selectors_delivery


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str


def _reachable(user) -> Recipient | None:
    if user is None or not user.is_active or not user.email:
        return None
    return Recipient(user.email.lower(), mailing.language_of(user))


def _fallbacks(assessments: list[ConfidenceAssessment]) -> tuple[dict[int, list[Recipient]], list[Recipient]]:
    """Editors by body id and the coordinators, in two queries whatever the number of assessments."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="").select_related("staff_profile")
    body_ids = {a.activity.responsible_body_id for a in assessments if a.activity_id}
    editors: dict[int, list[Recipient]] = {}
    for user in users.filter(staff_profile__role=Role.EDITOR, staff_profile__body_id__in=body_ids):
        editors.setdefault(user.staff_profile.body_id, []).append(_reachable(user))
    coordinators = [_reachable(u) for u in users.filter(staff_profile__role=Role.COORDINATOR)]
    return editors, coordinators


def recipients(assessment: ConfidenceAssessment, editors: dict[int, list[Recipient]],
               coordinators: list[Recipient]) -> list[Recipient]:
    owner = _reachable(assessment.assessor)
    if owner is not None:
        return [owner]
    found = editors.get(assessment.activity.responsible_body_id, []) if assessment.activity_id else coordinators
    return sorted({r.email: r for r in found if r}.values(), key=lambda r: r.email)


def send_review_reminders(today: dt.date | None = None) -> int:
    """Send the review reminders due today. Returns how many emails were sent."""
    today = today or clock.today()
    due = list(selectors_delivery.current_overdue_reviews(today).order_by("next_review", "id"))
    editors, coordinators = _fallbacks(due)
    sent = 0
    for assessment in due:
        for recipient in recipients(assessment, editors, coordinators):
            row = mailing.claim(ReviewReminderLog, assessment=assessment, recipient=recipient.email)
            if row is None:
                continue  # sent already, or being sent by another run
            sent += mailing.send_claimed(
                row, failure=f"review reminder for assessment {assessment.pk} to {recipient.email}",
                template="review_reminder", to=recipient.email, language=recipient.language,
                context={"assessment": assessment, "subject": assessment.activity or assessment.priority,
                         "days_late": (today - assessment.next_review).days},
                message_id=mailing.message_id("review", assessment.pk, recipient.email),
            )
    return sent
