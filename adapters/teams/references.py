"""Where Warroom can post in Teams, remembered across restarts.

Teams gives a bot its way back into a conversation only as a
ConversationReference seen on an inbound activity: the conversation id, the
bot's account, the tenant and the regional ``serviceUrl``. Warroom posts
later (replies queue in the core, reminders fire hours afterwards), so each
reference is kept in the adapter's durable state, keyed by conversation id.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Coroutine
from typing import Any

from warroom.core.adapter import AdapterState

Reference = dict[str, Any]
_CHANNELS = "graph_channels"
_CACHED = 4096  # references kept in memory; the rest are read back from the database when needed


class References:
    def __init__(self, state: AdapterState) -> None:
        self._state = state
        self._cache: OrderedDict[str, Reference] = OrderedDict()
        self._entra: dict[str, str] = {}
        self.channel_spaces: set[str] = set()

    def load(self) -> None:
        """Read what outlives a restart and is needed on every request: the Graph-created incident channels."""
        self.channel_spaces.update(self._state.get(_CHANNELS, []))

    def entra_id(self, user_id: str) -> str | None:
        """A person's Entra object id, as last seen on their activity (Graph names people by it)."""
        return self._entra.get(user_id)

    def get(self, conversation_id: str) -> Reference | None:
        found = self._cache.get(conversation_id)
        if found is None:
            found = self._state.get(f"conversation:{conversation_id}")
            if found is None:
                return None
        self._cached(conversation_id, found)
        return found

    def any(self) -> Reference | None:
        """The reference used last (for the bot's account, tenant and regional service URL)."""
        return next(reversed(self._cache.values()), None)

    def remember(self, raw: dict[str, Any], conversation_id: str | None = None) -> Coroutine[Any, Any, None] | None:
        """Keep the activity's reference (under ``conversation_id`` if given); returns the write, if one is due."""
        sender = raw.get("from") or {}
        if sender.get("id") and sender.get("aadObjectId"):
            self._entra[str(sender["id"])] = str(sender["aadObjectId"])
        conversation = dict(raw.get("conversation") or {})
        if conversation_id is not None:
            conversation = {**conversation, "id": conversation_id}
        reference = _reference(raw, conversation)
        if not reference["conversation"].get("id") or not reference.get("serviceUrl"):
            return None
        return self.put(reference)

    def put(self, reference: Reference) -> Coroutine[Any, Any, None] | None:
        key = str(reference["conversation"]["id"])
        if self.get(key) == reference:
            return None
        self._cached(key, reference)
        return self._state.set(f"conversation:{key}", reference)

    def _cached(self, key: str, reference: Reference) -> None:
        self._cache[key] = reference
        self._cache.move_to_end(key)
        while len(self._cache) > _CACHED:
            self._cache.popitem(last=False)

    async def add_channel_space(self, channel_id: str) -> None:
        self.channel_spaces.add(channel_id)
        await self._state.set(_CHANNELS, sorted(self.channel_spaces))


def _reference(raw: dict[str, Any], conversation: dict[str, Any]) -> Reference:
    kept = {k: conversation[k] for k in ("id", "isGroup", "conversationType", "tenantId", "name") if k in conversation}
    tenant = ((raw.get("channelData") or {}).get("tenant") or {}).get("id")
    if tenant and "tenantId" not in kept:
        kept["tenantId"] = tenant
    recipient = raw.get("recipient") or {}
    return {
        "bot": {k: recipient[k] for k in ("id", "name") if k in recipient},
        "conversation": kept,
        "channelId": raw.get("channelId") or "msteams",
        "serviceUrl": raw.get("serviceUrl"),
    }


def reference_for(
    conversation_id: str, like: Reference | None, service_url: str, bot_id: str, tenant: str
) -> Reference:
    """A reference to a conversation Teams never told us about (a channel Graph created, a lost one)."""
    base = like or {}
    conversation: dict[str, Any] = {"id": conversation_id, "isGroup": True, "conversationType": "channel"}
    tenant = (base.get("conversation") or {}).get("tenantId") or tenant
    if tenant:
        conversation["tenantId"] = tenant
    return {
        "bot": base.get("bot") or {"id": bot_id},
        "conversation": conversation,
        "channelId": "msteams",
        "serviceUrl": base.get("serviceUrl") or service_url,
    }
