"""Staff create a partner from the command line; its key is printed once and stored hashed."""

import io

import pytest
from django.core.management import CommandError, call_command

from registry.models import AuditEntry, Partner

pytestmark = pytest.mark.django_db


def test_it_prints_a_key_that_opens_the_feed_and_stores_only_its_hash(client):
    out = io.StringIO()
    call_command("create_partner", "Example Platform", stdout=out)

    key = out.getvalue().strip().splitlines()[-1]
    partner = Partner.objects.get(name="Example Platform")
    assert key.startswith("tdk_") and len(key) >= 4 + 32
    assert partner.key_prefix == key[:12]
    assert key not in partner.key_hash
    assert partner.scopes == ["feed:read"]
    assert AuditEntry.objects.filter(action="create_partner").count() == 1
    response = client.get("/api/v1/feed", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200


def test_it_refuses_a_name_that_is_taken():
    call_command("create_partner", "Example Platform", stdout=io.StringIO())

    with pytest.raises(CommandError, match="exists already"):
        call_command("create_partner", "Example Platform", stdout=io.StringIO())
