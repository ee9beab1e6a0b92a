"""The Celery app. Configuration comes from Django settings (the CELERY_* names); tasks live in tracker/tasks.py.

Start a worker with its scheduler: `celery -A presidency worker -B` (embedded mode, `make run` does this), or
in production a worker (`celery -A presidency worker`) and one beat (`celery -A presidency beat`).
See docs/operations.md, "Background jobs".
"""

from __future__ import annotations

import os
from pathlib import Path

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "presidency.settings")

app = Celery("presidency")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def ensure_broker_folders() -> None:
    """The filesystem transport (embedded mode) needs its folders before the first message is written."""
    from django.conf import settings

    if not settings.CELERY_BROKER_URL.startswith("filesystem://"):
        return
    for key in ("data_folder_in", "data_folder_out", "control_folder", "processed_folder"):
        Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS[key]).mkdir(parents=True, exist_ok=True)


@worker_init.connect
def _prepare_worker(**kwargs) -> None:
    ensure_broker_folders()
