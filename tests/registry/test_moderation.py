"""Staff review hashes, settle disputes and keep the benign set; every decision reaches partners
through the feed and leaves an audit row."""

import hashlib

import pytest

from registry import actions
from registry.actions import HashInput
from registry.models import AuditEntry, BenignHash, Signal

pytestmark = pytest.mark.django_db


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


def feed_actions(client):
    return [(e["action"], e["hash"]["id"]) for e in client.get("/api/v1/feed").json()["events"]]


def test_it_holds_a_category_for_review_until_a_moderator_approves(
    settings, partner_client, make_staff
):
    settings.HOLD_FOR_REVIEW_CATEGORIES = ["adult"]
    held = actions.submit_case("adult", [HashInput(0, "image", "photo_md5", md5("a"))]).case
    published = actions.submit_case("minor", [HashInput(0, "image", "photo_md5", md5("m"))]).case
    signal = held.signals.get()
    assert signal.status == "pending"
    assert feed_actions(partner_client) == [("add", published.signals.get().id)]

    moderator, _ = make_staff("Moderators")
    queue = moderator.get("/admin/registry/signal/", {"status__exact": "pending"})
    assert queue.status_code == 200 and md5("a")[:20] in queue.text
    response = moderator.post(
        "/admin/registry/signal/",
        {
            "action": "approve",
            "_selected_action": [signal.id],
            "apply": "1",
            "reason": "looks right",
        },
    )

    assert response.status_code == 302
    assert Signal.objects.get(pk=signal.pk).status == "active"
    assert feed_actions(partner_client)[-1] == ("add", signal.id)
    entry = AuditEntry.objects.get(action="approve")
    assert (entry.actor, entry.object_ids, entry.reason) == (
        "staff:moderators",
        [signal.id],
        "looks right",
    )


def test_it_asks_for_a_reason_before_deciding(make_staff):
    signal = actions.submit_case(
        "adult", [HashInput(0, "image", "photo_md5", md5("r"))]
    ).case.signals.get()
    moderator, _ = make_staff("Moderators")

    page = moderator.post(
        "/admin/registry/signal/", {"action": "quarantine", "_selected_action": [signal.id]}
    )

    assert page.status_code == 200 and 'name="reason"' in page.text
    assert Signal.objects.get(pk=signal.pk).status == "active"


def test_it_quarantines_and_restores_through_the_feed(partner_client):
    signal = actions.submit_case(
        "adult", [HashInput(0, "image", "photo_md5", md5("q"))]
    ).case.signals.get()

    assert actions.moderate([signal.id], "quarantine", "staff:a", "check") == 1
    assert actions.moderate([signal.id], "quarantine", "staff:a", "again") == 0  # not active now
    assert actions.moderate([signal.id], "restore", "staff:a", "fine") == 1

    assert feed_actions(partner_client) == [
        ("add", signal.id),
        ("remove", signal.id),
        ("add", signal.id),
    ]


def test_it_settles_a_dispute_so_old_verdicts_do_not_quarantine_again(make_partner, make_staff):
    signal = actions.submit_case(
        "adult", [HashInput(0, "image", "photo_md5", md5("d"))]
    ).case.signals.get()
    partners = [make_partner(f"P{i}", ["feedback"])[0] for i in range(4)]
    for partner in partners[:3]:
        actions.record_feedback(partner, signal, "not_violating")
    assert Signal.objects.get(pk=signal.pk).status == "quarantined"
    moderator, _ = make_staff("Moderators")

    listed = moderator.get("/admin/registry/dispute/")
    moderator.post(
        "/admin/registry/dispute/",
        {"action": "restore", "_selected_action": [signal.id], "apply": "1", "reason": "verified"},
    )

    assert md5("d")[:20] in listed.text
    assert Signal.objects.get(pk=signal.pk).status == "active"
    assert actions.record_feedback(partners[3], signal, "not_violating") is False
    assert Signal.objects.get(pk=signal.pk).status == "active"


def test_it_lists_existing_hashes_near_a_new_benign_image(make_staff, pdq):
    value = pdq.random()
    near = actions.submit_case(
        "adult", [HashInput(0, "image", "pdq", value, 90)]
    ).case.signals.get()
    moderator, _ = make_staff("Moderators")

    response = moderator.post(
        "/admin/registry/benignhash/add/", {"value": value, "note": "a meme"}, follow=True
    )

    assert BenignHash.objects.filter(value=value).exists()
    assert f"?id__in={near.id}" in response.text
    assert AuditEntry.objects.filter(action="add_benign_hash", reason="a meme").exists()


def test_it_refuses_a_malformed_benign_hash(make_staff):
    moderator, _ = make_staff("Moderators")

    response = moderator.post("/admin/registry/benignhash/add/", {"value": "0" * 64, "note": "x"})

    assert response.status_code == 200 and "all zeros" in response.text
    assert not BenignHash.objects.exists()


def test_a_moderator_cannot_reach_partner_management(make_staff, partner):
    moderator, _ = make_staff("Moderators")

    for url in ("/admin/registry/partner/", f"/admin/registry/partner/{partner.pk}/change/",
                "/admin/registry/webhookendpoint/", "/admin/auth/user/"):  # fmt: skip
        assert moderator.get(url).status_code == 403, url
    assert "/admin/registry/partner/" not in moderator.get("/admin/").text


def test_nobody_can_edit_or_delete_the_audit(staff):
    actions.submit_case("adult", [HashInput(0, "image", "photo_md5", md5("x"))])
    entry = AuditEntry.objects.get()

    page = staff.get(f"/admin/registry/auditentry/{entry.pk}/change/")
    delete = staff.post(f"/admin/registry/auditentry/{entry.pk}/delete/", {"post": "yes"})

    assert (
        page.status_code == 200 and 'type="submit"' not in page.text.split('id="content-main"')[1]
    )
    assert delete.status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize(
    "url",
    ["/admin/registry/signal/", "/admin/registry/dispute/", "/admin/registry/case/",
     "/admin/registry/auditentry/", "/admin/registry/feedevent/"],
)  # fmt: skip
def test_changelists_take_a_bounded_number_of_queries(
    staff, make_partner, url, django_assert_max_num_queries
):
    partners = [make_partner(f"P{i}", ["feedback"])[0] for i in range(2)]
    for i in range(40):
        case = actions.submit_case(
            "adult", [HashInput(j, "image", "photo_md5", md5(f"{i}-{j}")) for j in range(50)]
        ).case
        if i % 10 == 0:
            for partner in partners:
                actions.record_feedback(partner, case.signals.first(), "not_violating")
    assert Signal.objects.count() == 2000

    with django_assert_max_num_queries(12):
        response = staff.get(url)

    assert response.status_code == 200


def test_no_admin_page_shows_an_address_agent_or_access_code(staff, submitter, partner):
    marks = {"REMOTE_ADDR": "203.0.113.88", "HTTP_USER_AGENT": "MarkerAgent/5.5-admin"}
    body = {"category": "minor", "items": [{"media_type": "image", "photo_md5": md5("p")}]}
    created = submitter.post("/api/v1/cases", body, format="json", **marks).json()
    case = Signal.objects.get().case
    pages = ["/admin/", "/admin/dashboard/", f"/admin/registry/case/{case.pk}/change/"]
    for model in ("case", "signal", "dispute", "feedevent", "partner", "auditentry", "benignhash",
                  "webhookendpoint", "deliveryattempt"):  # fmt: skip
        pages.append(f"/admin/registry/{model}/")
    secrets = [marks["REMOTE_ADDR"], marks["HTTP_USER_AGENT"], created["access_code"]]
    secrets.append(created["access_code"].replace("-", ""))

    for url in pages:
        response = staff.get(url)
        assert response.status_code == 200, url
        for secret in secrets:
            assert secret not in response.text, (secret, url)


def test_the_dashboard_counts_what_waits_for_staff(staff, settings, make_partner):
    settings.HOLD_FOR_REVIEW_CATEGORIES = ["adult"]
    actions.submit_case("adult", [HashInput(0, "image", "photo_md5", md5("h"))])
    doubted = actions.submit_case("minor", [HashInput(0, "image", "photo_md5", md5("n"))])
    actions.record_feedback(
        make_partner("P", ["feedback"])[0], doubted.case.signals.get(), "not_violating"
    )

    text = staff.get("/admin/dashboard/").text

    assert "Held for review: 1" in text
    assert "Disputed by partners: 1" in text
    assert "Quarantined: 0" in text
    assert "<rect" in text
