"""Celery tasks: thin wrappers around actions, with explicit time limits.

Time limits stay far below the broker's one-hour visibility timeout (portal/settings.py).
"""

from celery import shared_task

from registry import actions, webhooks


@shared_task(time_limit=600, soft_time_limit=540)
def purge_withdrawn_values() -> int:
    """Erase withdrawn hash values older than the tombstone retention period."""
    return actions.purge_withdrawn_values()


@shared_task(time_limit=30, soft_time_limit=25)
def sweep_webhooks() -> int:
    """Queue deliveries for the partner webhooks that are behind and due."""
    return webhooks.sweep()


# One delivery runs at most DELIVERY_BUDGET_SECONDS plus one POST's timeout.
@shared_task(time_limit=90, soft_time_limit=80)
def deliver_webhook(endpoint_id: int) -> int:
    """Deliver what one partner webhook is owed; a no-op when another worker holds it."""
    return webhooks.deliver(endpoint_id)


@shared_task(time_limit=600, soft_time_limit=540)
def purge_old_audit() -> int:
    """Delete audit rows older than the audit retention period."""
    return actions.purge_old_audit()
