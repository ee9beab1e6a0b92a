"""The admin: data entry for clerks and coordinators, and the coordinators' view of the machinery.

    base.py        the one role-gated base (RoleGate) every page and inline states its rule through
    reference.py   member states and bodies
    agenda.py      presidencies, priorities, activities, the progress log
    integration.py API clients and webhook subscriptions
    jobs.py        the records background work writes
    audit_log.py   the audit trail
    delivery.py    confidence assessments, the risk log, stocktakes
    commitments.py sources, commitments, participation
    people.py      staff profiles; comments, for coordinators (issue 13)
    documents.py   documents and their versions, for coordinators (issue 13)
    schedule.py    links between activities, baselines (issue 17)

The site itself (branding, sections) is tracker/admin_site.py, named by INSTALLED_APPS.
"""

from tracker.admin import (  # noqa: F401  (registers the pages)
    agenda,
    audit_log,
    commitments,
    delivery,
    documents,
    integration,
    jobs,
    people,
    reference,
    schedule,
)
from tracker.admin.agenda import ActivityAdmin

__all__ = ["ActivityAdmin"]
