"""Withdrawn hash values are erased once the tombstone retention period is over."""

import datetime
import hashlib

import pytest

from registry import actions
from registry.actions import HashInput
from registry.models import Signal

pytestmark = pytest.mark.django_db


def test_it_erases_only_values_withdrawn_more_than_90_days_ago():
    hashes = [
        HashInput(i, "image", "photo_md5", hashlib.md5(bytes([i])).hexdigest()) for i in range(3)
    ]
    case = actions.submit_case("adult", hashes).case
    old, recent, active = case.signals.order_by("item")
    today = datetime.date(2026, 6, 1)
    Signal.objects.filter(pk=old.pk).update(
        status="withdrawn", withdrawn_on=today - datetime.timedelta(days=91)
    )
    Signal.objects.filter(pk=recent.pk).update(
        status="withdrawn", withdrawn_on=today - datetime.timedelta(days=90)
    )

    assert actions.purge_withdrawn_values(today) == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    active.refresh_from_db()
    assert old.value == ""
    assert recent.value and active.value
