"""Staff work the admin in real Chromium: sign in with a password and a TOTP code, approve held
hashes, settle a dispute, create a partner and rotate its key, and find it all in the audit."""

import hashlib

import pytest
from django_otp.oath import totp

from registry import actions
from registry.actions import HashInput
from registry.models import AuditEntry, Partner, Signal
from registry.roles import ADMINISTRATORS

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery staple 9"


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


def code_for(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def sign_in(page, site, username, password, token):
    page.goto(f"{site}/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    if page.locator("#id_otp_device").count():  # shown once the password is known to be right
        page.select_option("#id_otp_device", index=1)
    page.fill("#id_otp_token", token)
    page.click("input[type=submit][value='Log in']")


def decide(page, site, changelist, signal_id, action, reason):
    page.goto(f"{site}/admin/registry/{changelist}/")
    page.check(f"input[name=_selected_action][value='{signal_id}']")
    page.select_option("select[name=action]", action)
    page.click("button[name=index]")
    page.fill("textarea[name=reason]", reason)
    page.click("input[name=apply]")
    page.locator(".messagelist").wait_for()


def test_staff_moderate_and_manage_partners_with_two_factor(site, page, settings, make_partner):
    settings.HOLD_FOR_REVIEW_CATEGORIES = ["adult"]
    _, device = actions.create_staff("alex", "", PASSWORD, ADMINISTRATORS)
    held = actions.submit_case("adult", [HashInput(0, "image", "photo_md5", md5("held"))])
    disputed = actions.submit_case("minor", [HashInput(0, "image", "photo_md5", md5("doubt"))])
    held_signal, doubted = held.case.signals.get(), disputed.case.signals.get()
    for i in range(3):
        actions.record_feedback(make_partner(f"P{i}", ["feedback"])[0], doubted, "not_violating")

    sign_in(page, site, "alex", PASSWORD, "000000")
    assert "Invalid token" in page.locator(".errornote").inner_text()  # the admin stays closed
    page.wait_for_timeout(1500)  # a failed code locks the device for a second (django-otp)
    sign_in(page, site, "alex", PASSWORD, code_for(device))
    page.get_by_text("Dashboard: submissions").click()
    assert page.get_by_text("Held for review: 1").is_visible()
    assert page.get_by_text("Disputed by partners: 1").is_visible()

    decide(page, site, "signal", held_signal.id, "approve", "checked: a real case")
    decide(page, site, "dispute", doubted.id, "restore", "partners were wrong")
    assert Signal.objects.get(pk=held_signal.pk).status == "active"
    assert Signal.objects.get(pk=doubted.pk).status == "active"

    page.goto(f"{site}/admin/registry/partner/add/")
    page.fill("#id_name", "New Platform")
    page.check("input[name=scopes][value='feed:read']")
    page.click("input[name=_save]")
    first_key = page.locator("code.secret-once").inner_text()
    partner = Partner.objects.get(name="New Platform")
    assert partner.key_prefix == first_key[:12] and first_key not in partner.key_hash

    page.goto(f"{site}/admin/registry/partner/")
    page.check(f"input[name=_selected_action][value='{partner.pk}']")
    page.select_option("select[name=action]", "rotate_key")
    page.click("button[name=index]")
    second_key = page.locator("code.secret-once").inner_text()
    assert second_key != first_key
    api = page.context.request
    assert (
        api.get(f"{site}/api/v1/feed", headers={"Authorization": f"Bearer {first_key}"}).status
        == 401
    )
    assert (
        api.get(f"{site}/api/v1/feed", headers={"Authorization": f"Bearer {second_key}"}).status
        == 200
    )

    page.goto(f"{site}/admin/registry/auditentry/")
    trail = page.locator("#result_list").inner_text()
    for action in ("approve", "restore", "create_partner", "rotate_partner_key"):
        assert action in trail
    assert trail.count("staff:alex") >= 4
    assert AuditEntry.objects.filter(actor="staff:alex", reason="partners were wrong").exists()
    for key in (first_key, second_key):
        assert key not in trail
