"""gunicorn's own log lines (its errors and the access lines) as JSON, like the application's."""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger
from pythonjsonlogger.json import JsonFormatter

from tracker.observability import AccessLogRequestIdFilter, RequestIdFilter

FORMAT = "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"
RENAMED = {"asctime": "time", "levelname": "level", "name": "logger"}


class JsonLogger(Logger):
    """gunicorn's logger with its handlers (whatever files or streams they write to) formatting JSON lines,
    the access lines carrying the request id of the response's X-Request-ID."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        formatter = JsonFormatter(FORMAT, rename_fields=RENAMED)
        for log, request_id in ((self.error_log, RequestIdFilter()), (self.access_log, AccessLogRequestIdFilter())):
            for handler in log.handlers:
                handler.setFormatter(formatter)
                handler.addFilter(request_id)
