"""Partners tailing the feed while many people submit and withdraw see every change exactly once,
in order, and end up holding exactly what is active (reliability.md R8, R9)."""

import hashlib
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from registry import actions
from registry.actions import HashInput
from registry.models import Signal

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 8
SUBMISSIONS = 1000
PARTNERS = 4


def tail(client, done: threading.Event, seen: list):
    """Pull the feed until the writers are done and nothing more is waiting."""
    after = 0
    try:
        while True:
            finished = done.is_set()
            page = client.get("/api/v1/feed", {"after": after, "limit": 200}).json()
            seen.extend(page["events"])
            after = page["next"]
            if finished and not page["has_more"]:
                return
    finally:
        connection.close()


def write(worker: int):
    try:
        for n in range(worker, SUBMISSIONS, WRITERS):
            value = hashlib.md5(f"{n}".encode()).hexdigest()
            created = actions.submit_case("adult", [HashInput(0, "image", "photo_md5", value)])
            if n % 10 == 0:
                actions.withdraw_case(created.case)
    finally:
        connection.close()


def test_it_gives_every_partner_every_event_once_in_order(make_partner):
    clients = [make_partner(f"Partner {i}")[1] for i in range(PARTNERS)]
    done = threading.Event()
    seen = [[] for _ in clients]

    with ThreadPoolExecutor(max_workers=WRITERS + PARTNERS) as pool:
        readers = [pool.submit(tail, c, done, s) for c, s in zip(clients, seen, strict=True)]
        writers = [pool.submit(write, w) for w in range(WRITERS)]
        for future in writers:
            future.result()
        done.set()
        for future in readers:
            future.result()

    active = set(Signal.objects.filter(status="active").values_list("id", flat=True))
    assert len(active) == SUBMISSIONS - SUBMISSIONS // 10
    for events in seen:
        seqs = [e["seq"] for e in events]
        assert seqs == sorted(set(seqs))  # in order, none twice
        assert len(events) == SUBMISSIONS + SUBMISSIONS // 10  # none missing
        held = set()
        for event in events:  # replay as a partner would
            if event["action"] == "add":
                held.add(event["hash"]["id"])
            else:
                held.discard(event["hash"]["id"])
        assert held == active
