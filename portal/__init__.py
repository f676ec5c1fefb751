"""The site: settings, URLs, the Celery app and the public pages."""

from portal.celery import app as celery_app

__all__ = ["celery_app"]
