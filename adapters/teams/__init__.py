"""The Microsoft Teams adapter: the Microsoft 365 Agents SDK on aiohttp, Adaptive Cards, threads or Graph channels."""

from typing import TYPE_CHECKING

from warroom.adapters.teams.adapter import TeamsAdapter, TeamsError
from warroom.adapters.teams.settings import TeamsSettings

__all__ = ["TeamsAdapter", "TeamsError", "TeamsSettings"]

if TYPE_CHECKING:
    from warroom.core.adapter import AdapterFactory, WebhookReceiver

    _factory: AdapterFactory = TeamsAdapter  # mypy checks that it fulfils the adapter contract
    _receiver: type[WebhookReceiver] = TeamsAdapter
