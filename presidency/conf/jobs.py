"""Settings of the background jobs: beat schedule, sweeps, reminders, risk flags and webhook delivery.

Imported by presidency/settings.py; every value is read from the environment through presidency/env.py.
The broker itself (it depends on REDIS_URL) stays in settings.py.
"""

from __future__ import annotations

from presidency.env import env_int, env_list, env_str

# Seconds between sweeps of the outbox and of webhook deliveries due for a retry.
WEBHOOK_SWEEP_SECONDS = env_int("WEBHOOK_SWEEP_SECONDS", 60, minimum=1)
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 30, minimum=1)


def _beat_schedule() -> dict:
    from celery.schedules import crontab

    def job(task: str, schedule, expires: int) -> dict:
        # expires: a run that waited out a broker outage is dropped, not piled up behind the next one
        return {"task": f"tracker.tasks.{task}", "schedule": schedule, "options": {"expires": expires}}

    heartbeat, sweep = WORKER_HEARTBEAT_SECONDS, WEBHOOK_SWEEP_SECONDS
    return {
        "worker-heartbeat": job("worker_heartbeat", float(heartbeat), heartbeat),
        "webhooks-sweep": job("webhooks_sweep", float(sweep), sweep),
        "flag-at-risk-and-overdue": job("flag_at_risk_and_overdue", crontab(minute=0), 3000),
        "deadline-reminders": job("send_deadline_reminders", crontab(minute=10, hour="7-19"), 3000),
        "weekly-digests": job("send_weekly_digests", crontab(minute=30, hour="7-11", day_of_week="mon"), 3000),
        "daily-snapshot": job("take_daily_snapshot", crontab(minute=55, hour=23), 3000),
        "purge-idempotency-keys": job("purge_idempotency_keys", crontab(minute=20, hour=3), 3000),
        "review-reminders": job("send_review_reminders", crontab(minute=40, hour="7-19"), 3000),
        # People (issue 13): notifications for events the task never heard of, and the daily digest of them.
        "notifications-sweep": job("notifications_sweep", float(sweep), sweep),
        "notification-digests": job("send_notification_digests", crontab(minute=15, hour=7), 3000),
        # Integration (issue 16): events past their retention and finished deliveries are purged.
        "integration-purge": job("purge_integration_history", crontab(minute=50, hour=3), 3000),
    }


CELERY_BEAT_SCHEDULE = _beat_schedule()

# At risk: an open activity due within AT_RISK_HORIZON_DAYS whose progress is more than AT_RISK_MARGIN
# percentage points behind the straight line from its start date to its due date.
AT_RISK_HORIZON_DAYS = env_int("AT_RISK_HORIZON_DAYS", 30, minimum=0)
AT_RISK_MARGIN = env_int("AT_RISK_MARGIN", 25, minimum=0)
# Risk log: a likelihood x impact score from this up (of 25) is "high": on the dashboard and in stocktakes.
RAID_HIGH_SCORE = env_int("RAID_HIGH_SCORE", 15, minimum=1)
# Deadline reminders: days before the due date, and the overdue reminder's window after it has passed.
REMINDER_DAYS_BEFORE = [int(d) for d in env_list("REMINDER_DAYS_BEFORE", ["14", "7", "1"])]
REMINDER_OVERDUE_WINDOW_DAYS = env_int("REMINDER_OVERDUE_WINDOW_DAYS", 7, minimum=1)
# A claimed email still unsent after this long (its worker died) is sent by a later run.
EMAIL_CLAIM_TIMEOUT_SECONDS = env_int("EMAIL_CLAIM_TIMEOUT_SECONDS", 15 * 60, minimum=1)
# Links in emails point here.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Webhook delivery: per-request timeout, the lease a worker holds on a delivery it is sending, and retries
# with exponential backoff and jitter (first delay, largest delay) for at least WEBHOOK_RETRY_WINDOW_HOURS.
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 5, minimum=1)
WEBHOOK_LEASE_SECONDS = env_int("WEBHOOK_LEASE_SECONDS", 60, minimum=1)
WEBHOOK_RETRY_BASE_SECONDS = env_int("WEBHOOK_RETRY_BASE_SECONDS", 30, minimum=1)
WEBHOOK_RETRY_MAX_DELAY_SECONDS = env_int("WEBHOOK_RETRY_MAX_DELAY_SECONDS", 4 * 3600, minimum=1)
WEBHOOK_RETRY_WINDOW_HOURS = env_int("WEBHOOK_RETRY_WINDOW_HOURS", 25, minimum=1)
