"""The server's logs: one JSON object per line on standard error (python-json-logger), or
plain text for a person at a terminal (TIMELINE_LOG_FORMAT=text).

Every record made while a request is answered carries its id (`request_id`, see
api/request_id.py). uvicorn's own access log is off: api/access.py writes one line per request
instead, with the request id, the route, the status, the time taken and the GraphQL operation.
Nothing logs a request's headers or its query string, so no token reaches the log.
"""

from __future__ import annotations

import logging
from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS

from api.request_id import current_id
from api.settings import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class RequestIdFilter(logging.Filter):
    """Gives each record the id of the request it was made for (None outside of one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add `request_id` unless the record has one; keep every record."""
        if not hasattr(record, "request_id"):
            record.request_id = current_id()
        return True


def log_config(settings: Settings) -> dict[str, Any]:
    """The `logging.config.dictConfig` of a server process (uvicorn applies it in each worker):
    uvicorn's and the project's loggers to standard error in the configured format."""
    level = settings.log_level.upper()
    formatters: dict[str, Any] = {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s %(request_id)s",
            "rename_fields": {
                "asctime": "time",
                "levelname": "level",
                "name": "logger",
                "process": "pid",
            },
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
            # uvicorn's copy of the message with terminal colours
            "reserved_attrs": [*RESERVED_ATTRS, "color_message"],
        },
        "text": {"format": TEXT_FORMAT},
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": formatters,
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": settings.log_format,
                "filters": ["request_id"],
            }
        },
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "timeline": {"handlers": ["stderr"], "level": level, "propagate": False},
        },
        "root": {"handlers": ["stderr"], "level": "WARNING"},
    }
