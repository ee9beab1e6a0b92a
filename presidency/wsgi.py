"""WSGI entry point (gunicorn presidency.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "presidency.settings")
application = get_wsgi_application()
