"""Card buttons answered in the HTTP response, the way Teams' Universal Actions want it.

A click on an ``Action.Execute`` button arrives as an invoke; the card in the
200 response replaces the clicked card in place. While the core handles the
click (bounded by ``invoke_wait_seconds``), a *window* on the clicked message
catches what the core does about it: its edit of that card (a decided
confirmation loses its buttons) becomes the response instead of a PUT. When
the core says something instead (an error: not an approver, already decided),
the card and its buttons stay and the person who clicked is shown that text.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from microsoft_agents.activity import AdaptiveCardInvokeResponse
from warroom.adapters.teams.render import CARD_TYPE, Card
from warroom.core.adapter import Message, MessageRef, Tone

MESSAGE_TYPE = "application/vnd.microsoft.activity.message"
WORKING = "Working on it — the card will update when it is done."
RECEIVED = "Received."
_REMEMBERED = 256


@dataclass(slots=True)
class Window:
    message: MessageRef
    commands: str  # how a command hint in what the core said is written (see render)
    edited: Card | None = None
    said: list[Message] = field(default_factory=list)


class Invokes:
    """Open windows by clicked message, and the answers already given (Teams retries an invoke with the same id)."""

    def __init__(self, commands: str) -> None:
        self._commands = commands
        self._open: dict[tuple[str, str], Window] = {}
        self._answered: OrderedDict[str, AdaptiveCardInvokeResponse] = OrderedDict()

    def open(self, message: MessageRef) -> Window:
        window = Window(message, self._commands)
        self._open[_key(message)] = window
        return window

    def close(self, window: Window) -> None:
        if self._open.get(_key(window.message)) is window:
            del self._open[_key(window.message)]

    def capture_edit(self, message: MessageRef, card: Card) -> bool:
        """True when ``message`` is being clicked right now: its new card goes into the response instead."""
        window = self._open.get(_key(message))
        if window is None:
            return False
        window.edited = card
        return True

    def note_said(self, conversation_id: str, message: Message) -> None:
        # Attributed by conversation: two cards clicked in one thread at the same instant may both show both
        # outcomes, which is still true and harmless.
        for (conversation, _), window in self._open.items():
            if conversation == conversation_id:
                window.said.append(message)

    def answered(self, event_id: str) -> AdaptiveCardInvokeResponse | None:
        return self._answered.get(event_id)

    def remember(self, event_id: str, response: AdaptiveCardInvokeResponse) -> None:
        self._answered[event_id] = response
        while len(self._answered) > _REMEMBERED:
            self._answered.popitem(last=False)


def response(window: Window, *, finished: bool) -> AdaptiveCardInvokeResponse:
    """What the click is answered with, from what the core did within the wait."""
    if window.edited is not None:
        return card_response(window.edited)
    errors = [message for message in window.said if message.tone is Tone.ERROR]
    said = errors or window.said
    if said:
        return message_response(said[0].plain_text(window.commands))
    return message_response(RECEIVED if finished else WORKING)


def card_response(card: Card) -> AdaptiveCardInvokeResponse:
    return _response(CARD_TYPE, card)


def message_response(text: str) -> AdaptiveCardInvokeResponse:
    return _response(MESSAGE_TYPE, text)


def _response(kind: str, value: Any) -> AdaptiveCardInvokeResponse:
    return AdaptiveCardInvokeResponse.model_validate({"statusCode": 200, "type": kind, "value": value})


def _key(message: MessageRef) -> tuple[str, str]:
    return message.conversation.id, message.id
