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

# JSON lines like the application's (presidency/settings.py LOGGING), with the request id on the access line
# too; LOG_FORMAT=plain keeps gunicorn's own text format. The output goes to stdout/stderr: supervisord
# (`make prod`) or journald (deploy/systemd/) keeps and rotates it.
if os.environ.get("LOG_FORMAT", "json") == "json":
    _json = {
        "()": "pythonjsonlogger.json.JsonFormatter",
        "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
        "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
    }
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "access_request_id": {"()": "tracker.observability.AccessLogRequestIdFilter"},
            "request_id": {"()": "tracker.observability.RequestIdFilter"},
        },
        "formatters": {"json": _json},
        "handlers": {
            "access": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["access_request_id"],
                       "stream": "ext://sys.stdout"},
            "error": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"],
                      "stream": "ext://sys.stderr"},
        },
        "loggers": {
            "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
            "gunicorn.error": {"handlers": ["error"], "level": "INFO", "propagate": False},
        },
        "root": {"handlers": ["error"], "level": "INFO"},
    }
