"""The Microsoft Teams adapter: the Microsoft 365 Agents SDK on aiohttp, Adaptive Cards, threads or Graph channels."""

from warroom.adapters.teams.adapter import TeamsAdapter, TeamsError
from warroom.adapters.teams.settings import TeamsSettings

__all__ = ["TeamsAdapter", "TeamsError", "TeamsSettings"]
