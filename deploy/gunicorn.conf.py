"""gunicorn settings for production (used by the container image and the systemd unit).

Access lines carry the method, the path without its query string, the status, the size and the
duration: never the client's address, user agent or referrer.
"""

import os
import shutil
from pathlib import Path

from portal.logging import logging_config

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 30
graceful_timeout = 30
max_requests = 5000  # recycle workers now and then, so no slow leak grows unbounded
max_requests_jitter = 500
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

accesslog = "-"
access_log_format = "%(m)s %(U)s %(s)s %(B)s %(M)sms"
logconfig_dict = logging_config(loggers={"gunicorn.error": "INFO", "gunicorn.access": "INFO"})


def on_starting(server):
    """Start every run with an empty Prometheus multiprocess folder."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        Path(folder).mkdir(parents=True)


def child_exit(server, worker):
    """A dead worker's live gauges must not be summed any more."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
