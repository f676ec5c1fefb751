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
