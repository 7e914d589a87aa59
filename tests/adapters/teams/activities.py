"""Bot Framework activities as Teams sends them to a bot, for tests to POST to /api/messages.

Each carries what the SDK requires (``type``, ``id``, ``conversation.id``,
``serviceUrl``, ``channelId``, ``from``, ``recipient``) and what Teams adds in
a channel (``channelData`` with the channel, team and tenant).
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

BOT = {"id": "28:warroom-tests", "name": "Warroom"}
TENANT = "tenant-1"
TEAM = "19:team@thread.tacv2"
GENERAL = "19:general@thread.tacv2"
INCIDENTS = "19:incidents@thread.tacv2"
_ids = itertools.count(1)


def next_id() -> str:
    return f"act-{next(_ids)}"


def person(name: str) -> dict[str, str]:
    return {"id": f"29:{name.lower()}", "name": name, "aadObjectId": f"aad-{name.lower()}"}


def channel_of(conversation: str) -> str:
    return conversation.split(";", 1)[0]


def _base(kind: str, user: str, conversation: str, service_url: str, activity_id: str | None) -> dict[str, Any]:
    return {
        "type": kind,
        "id": activity_id or next_id(),
        "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": person(user),
        "recipient": BOT,
        "conversation": {"id": conversation, "isGroup": True, "conversationType": "channel", "tenantId": TENANT},
        "channelData": {"channel": {"id": channel_of(conversation)}, "team": {"id": TEAM}, "tenant": {"id": TENANT}},
    }


def message(
    text: str,
    *,
    user: str,
    conversation: str,
    service_url: str,
    activity_id: str | None = None,
    mention_bot: bool = True,
    mentions: tuple[str, ...] = (),
    timestamp: str | None = None,
) -> dict[str, Any]:
    """A channel message; ``@Warroom`` first when ``mention_bot``; each of ``mentions`` is a real Teams mention."""
    activity = _base("message", user, conversation, service_url, activity_id)
    entities = []
    if mention_bot:
        text = f"<at>Warroom</at> {text}"
        entities.append({"type": "mention", "text": "<at>Warroom</at>", "mentioned": BOT})
    for name in mentions:
        mentioned = person(name)
        entities.append({"type": "mention", "text": f"<at>{mentioned['name']}</at>", "mentioned": mentioned})
    activity.update(text=text, textFormat="plain", entities=entities)
    if timestamp:
        activity["timestamp"] = timestamp
    return activity


def card_action(
    action: str, *, user: str, conversation: str, reply_to: str, service_url: str, activity_id: str | None = None
) -> dict[str, Any]:
    """A click on an ``Action.Execute`` button of the card posted as ``reply_to``."""
    activity = _base("invoke", user, conversation, service_url, activity_id)
    activity.update(
        name="adaptiveCard/action",
        replyToId=reply_to,
        value={
            "action": {"type": "Action.Execute", "verb": "warroom", "data": {"action": action}},
            "trigger": "manual",
        },
    )
    return activity


def reaction(kind: str, *, user: str, conversation: str, reply_to: str, service_url: str) -> dict[str, Any]:
    activity = _base("messageReaction", user, conversation, service_url, None)
    activity.update(replyToId=reply_to, reactionsAdded=[{"type": kind}])
    return activity
