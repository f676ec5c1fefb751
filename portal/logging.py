"""Log lines as JSON objects, with nothing personal in them.

Our code never passes an address, user agent, access code, API key or hash value to a logger.
This filter also removes what Django attaches by itself: the request object (whose repr carries
the query string) and the query strings in the development server's request lines.
"""

import logging
import re

_QUERY = re.compile(r"\?[^\s\"]*")


class DropPersonalData(logging.Filter):
    """Strip request objects and query strings from every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if hasattr(record, "request"):
            del record.request
        if record.name in ("django.server", "django.request", "gunicorn.access"):
            record.msg = _QUERY.sub("", record.getMessage())
            record.args = ()
        return True


def logging_config(
    level: str = "INFO", formatter: str = "json", loggers: dict | None = None
) -> dict:
    """The dictConfig that Django (portal/settings.py) and gunicorn (deploy/gunicorn.conf.py)
    share: one JSON object per line on stderr, through the filter above."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"no_personal_data": {"()": "portal.logging.DropPersonalData"}},
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            },
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": formatter,
                "filters": ["no_personal_data"],
            }
        },
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            name: {"handlers": ["stderr"], "level": logger_level, "propagate": False}
            for name, logger_level in (loggers or {}).items()
        },
    }
