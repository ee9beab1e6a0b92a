import logging

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = _("Presidency agenda")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from presidency.celery import ensure_broker_folders
        from tracker import caching, events, signals, tasks

        if settings.LOG_FORMAT == "json":
            # Python's warnings (whitenoise's missing static folder, deprecations) join the JSON log lines
            # instead of writing bare text to stderr, where a log reader would choke on them.
            logging.captureWarnings(True)

        signals.connect()  # cached reads (tracker/caching.py) move on with every committed change

        # Committed outbox events are handed to Celery for webhook delivery (best-effort; the sweep backs it).
        if tasks.announce_events not in events.after_commit_listeners:
            events.after_commit_listeners.append(tasks.announce_events)
        # A committed write queues the recompute of the kept schedules, so the next timeline is usually fresh.
        if tasks.queue_schedule_refresh not in caching.after_bump_listeners:
            caching.after_bump_listeners.append(tasks.queue_schedule_refresh)
        ensure_broker_folders()
