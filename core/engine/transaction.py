"""What one job of the writer may do, and what it leaves to be done once its transaction commits.

A job changes state through the service and *queues* everything else: replies,
edits, invitations and follow-up work wait here until the writer has committed,
so nothing is said about a change that is not durable yet.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from warroom.core.adapter.messages import Message
from warroom.core.adapter.protocol import Capabilities
from warroom.core.adapter.refs import ConversationRef, MessageRef, UserRef
from warroom.core.engine.outbox import Outbound
from warroom.core.incident.service import IncidentService

_NO_MESSAGE = Message.plain("")  # what an invitation carries in place of a message: nothing is posted


class Duplicate(Exception):
    """The job's event was handled before; nothing is done again."""


@dataclass(slots=True)
class Transaction:
    """What one job may do: change state through ``service`` and queue replies and follow-ups."""

    service: IncidentService
    at: datetime
    key: str
    capabilities: Callable[[str], Capabilities]
    trigger: MessageRef | None = None  # the platform message (or event) the job answers, when there is one
    replies: list[Outbound] = field(default_factory=list)
    followups: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    reads: list[tuple[ConversationRef, Callable[[], Message]]] = field(default_factory=list)

    def reply(self, conversation: ConversationRef, message: Message, *, remember: str = "") -> None:
        """Post ``message`` after commit; with ``remember``, the posted message is recorded under that key
        so reactions to it (or later edits) can be traced back to what it was about. A reply on the trigger's
        platform goes out as an answer to it (a thread reply, a slash command's follow-up) where that platform can."""
        trigger = self.trigger
        same_platform = trigger is not None and trigger.conversation.platform == conversation.platform
        in_reply_to = trigger if same_platform else None
        key = f"{self.key}:{len(self.replies)}"
        self.replies.append(Outbound(conversation, message, key, remember, in_reply_to=in_reply_to))

    def edit(self, message: MessageRef, replacement: Message) -> None:
        """Replace a posted message after commit, where the platform can edit."""
        if self.capabilities(message.conversation.platform).edit:
            key = f"{self.key}:{len(self.replies)}"
            self.replies.append(Outbound(message.conversation, replacement, key, replaces=message))

    def invite(self, conversation: ConversationRef, user: UserRef) -> bool:
        """Let ``user`` into ``conversation`` after commit, in order with the replies, where the platform can
        (``capabilities.invite``) and ``user`` is someone on that platform; False when nothing was queued.
        A failed invitation is logged by the outbox, like a failed reply."""
        platform = conversation.platform
        if user.platform != platform or not self.capabilities(platform).invite:
            return False
        key = f"{self.key}:{len(self.replies)}"
        self.replies.append(Outbound(conversation, _NO_MESSAGE, key, invite=user))
        return True

    def after_commit(self, work: Callable[[], Awaitable[None]]) -> None:
        """Run ``work`` once this job is committed; the job's submitter waits for it."""
        self.followups.append(work)

    def read_then_reply(self, conversation: ConversationRef, read: Callable[[], Message]) -> None:
        """Once this job is committed, run ``read`` in a thread of its own, off the writer and the event loop,
        and post what it returns in ``conversation``, after the job's other replies. ``read`` must only read,
        on a connection of its own (``IncidentService.reader``): it sees committed state, this job's included.
        If it raises, the answer is a short apology and the error goes to the log."""
        self.reads.append((conversation, read))


Job = Callable[[Transaction], Any]
"""A unit of work for the writer: it runs inside one savepoint of the batch's transaction."""
