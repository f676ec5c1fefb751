"""Withdrawn hash values are erased once the tombstone retention period is over."""

import datetime
import hashlib

import pytest

from registry import actions
from registry.actions import HashInput
from registry.models import AuditEntry, Signal

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


def test_it_deletes_audit_rows_past_their_retention_and_says_so(settings):
    settings.AUDIT_RETENTION_DAYS = 30
    actions.submit_case("adult", [HashInput(0, "image", "photo_md5", "ab" * 16)])
    actions.submit_case("adult", [HashInput(0, "image", "photo_md5", "cd" * 16)])
    old, recent = AuditEntry.objects.order_by("id")
    today = datetime.date(2026, 6, 1)
    AuditEntry.objects.filter(pk=old.pk).update(
        at=datetime.datetime(2026, 4, 30, tzinfo=datetime.UTC)
    )
    AuditEntry.objects.filter(pk=recent.pk).update(
        at=datetime.datetime(2026, 5, 2, tzinfo=datetime.UTC)
    )

    assert actions.purge_old_audit(today) == 1

    assert not AuditEntry.objects.filter(pk=old.pk).exists()
    assert AuditEntry.objects.filter(pk=recent.pk).exists()
    assert AuditEntry.objects.filter(action="purge_old_audit").exists()


def test_it_keeps_audit_for_ever_when_told(settings):
    settings.AUDIT_RETENTION_DAYS = 0
    actions.submit_case("adult", [HashInput(0, "image", "photo_md5", "ab" * 16)])
    AuditEntry.objects.update(at=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC))

    assert actions.purge_old_audit(datetime.date(2026, 6, 1)) == 0
    assert AuditEntry.objects.count() == 1
