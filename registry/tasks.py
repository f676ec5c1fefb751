"""Celery tasks: thin wrappers around actions, with explicit time limits."""

from celery import shared_task

from registry import actions


@shared_task(time_limit=600, soft_time_limit=540)
def purge_withdrawn_values() -> int:
    """Erase withdrawn hash values older than the tombstone retention period."""
    return actions.purge_withdrawn_values()
