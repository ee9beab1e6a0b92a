"""gunicorn settings for production; each value can be overridden from the environment."""

import multiprocessing
import os

bind = f"{os.environ.get('BIND_HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("WEB_THREADS", "1"))
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = 20
# Recycle workers now and then so a slow leak can never grow without bound.
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn 23+ opens a control socket at one fixed path per user; several servers on one host (web
# processes, tests, the load test) would take it from each other, and nothing here uses it.
control_socket_disable = True

# JSON lines like the application's (presidency/settings.py LOGGING), with the request id on the access lines
# too; LOG_FORMAT=plain keeps gunicorn's own text format. Where they go is unchanged (errorlog, accesslog or
# --access-logfile): under `make prod` supervisord, on a real host journald, keeps and rotates them.
if os.environ.get("LOG_FORMAT", "json") == "json":
    logger_class = "presidency.gunicorn_logging.JsonLogger"
