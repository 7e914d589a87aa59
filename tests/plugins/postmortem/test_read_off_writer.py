"""A post-mortem is read and rendered off the writer: other commands are answered meanwhile."""

from __future__ import annotations

import asyncio
from typing import Any

from warroom.core.adapter.messages import CodeBlock
from warroom.core.engine.transaction import Transaction
from warroom.core.testing import Harness

from tests.plugins.postmortem.script import harness

ENTRIES = 5000


async def long_incident(h: Harness) -> None:
    await h.say("/incident declare sev2 Checkout is down")
    incident_id = h.app.service.incident_in(h.channel("INC-1"))
    assert incident_id is not None

    def fill(tx: Transaction) -> None:
        incident = tx.service.get(incident_id)
        for n in range(ENTRIES):
            tx.service.record(incident, "note", None, f"restarted api-{n}", tx.at, {})

    await h.app.writer.submit(fill, key="fill")


async def test_a_log_is_answered_while_a_long_post_mortem_renders(warroom: Any) -> None:
    h = harness(warroom)
    await long_incident(h)
    channel = h.channel("INC-1")
    before = len(h.adapter.sent)

    postmortem = asyncio.ensure_future(h.app.inbound(h.event("/incident postmortem", user="alice", channel=channel)))
    await asyncio.sleep(0.05)  # the post-mortem command has run and its read has begun
    await h.app.inbound(h.event("/incident log database failover done", user="alice", channel=channel))
    await postmortem
    await h.settle()

    sent = h.adapter.sent[before:]
    assert len(sent) == 2, [s.text for s in sent]
    assert sent[0].text.startswith("📝 Logged #"), sent[0].text
    blocks = sent[1].message.blocks
    assert isinstance(blocks[0], CodeBlock)
    assert blocks[0].text.startswith("# Post-mortem: sev2 Checkout is down (INC-1)")
