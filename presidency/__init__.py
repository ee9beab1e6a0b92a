# Load the Celery app with Django, so that tasks enqueued from web requests use its configuration.
from presidency.celery import app as celery_app

__all__ = ("celery_app",)
