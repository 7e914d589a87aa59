"""``/incident doc`` is read and rendered after its command commits, off the writer."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from warroom.core.commands import docs
from warroom.core.testing import Harness


async def test_other_commands_are_answered_while_the_document_renders(
    warroom: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    h: Harness = warroom()
    await h.say("/incident declare sev2 Checkout is down")
    channel = h.channel("INC-1")
    release = threading.Event()
    render = docs.render_document

    def held(*args: Any) -> str:
        assert release.wait(10), "the log was never answered while the document rendered"
        return render(*args)

    monkeypatch.setattr(docs, "render_document", held)
    before = len(h.adapter.sent)

    document = asyncio.ensure_future(h.app.inbound(h.event("/incident doc", user="alice", channel=channel)))
    await asyncio.sleep(0)
    await h.app.inbound(h.event("/incident log database failover done", user="alice", channel=channel))
    release.set()
    await document
    await h.settle()

    sent = [s.text for s in h.adapter.sent[before:]]
    assert len(sent) == 2, sent
    assert sent[0].startswith("📝 Logged #"), sent
    assert "Checkout is down" in sent[1], sent


async def test_a_failing_document_answers_with_an_apology(warroom: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    h: Harness = warroom()
    await h.say("/incident declare sev2 Checkout is down")

    def broken(*_args: Any) -> str:
        raise RuntimeError("the template broke")

    monkeypatch.setattr(docs, "render_document", broken)
    replies = await h.say("/incident doc", channel=h.channel("INC-1"))

    assert len(replies) == 1 and replies[0].startswith("Sorry — something went wrong on my side"), replies
    assert "the template broke" not in replies[0]
