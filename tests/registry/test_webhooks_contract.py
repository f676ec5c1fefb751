"""The webhook console matches its OpenAPI schema for a partner that has a webhook and the scope
to manage it, checked by schemathesis with every check against the running site (R24)."""

import os
import subprocess
import sys
from pathlib import Path

from webhook_receiver import Receiver

from registry import actions, webhook_actions

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def test_the_webhook_console_passes_every_schemathesis_check(site, settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    partner, key = actions.create_partner("Console contract", ["webhook:manage"])
    with Receiver() as receiver:
        webhook_actions.set_webhook(partner, receiver.url())
        result = subprocess.run(
            [
                SCHEMATHESIS, "run", f"{site}/api/v1/schema",
                "--include-path-regex", "^/api/v1/webhook",
                "--checks", "all", "--max-examples", "100", "--workers", "1",
                "--header", f"Authorization: Bearer {key}",
                "--generation-deterministic", "--no-color",
            ],
            env=dict(os.environ), capture_output=True, text=True, timeout=600,
        )  # fmt: skip

    summary = result.stdout[-6000:]
    assert result.returncode == 0, summary
    assert "Tested: 3" in result.stdout, summary
    assert len(receiver.deliveries) > 0  # the test endpoint really delivered
