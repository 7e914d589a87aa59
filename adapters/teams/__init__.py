"""The Microsoft Teams adapter: the Microsoft 365 Agents SDK on aiohttp, Adaptive Cards, threads or Graph channels."""

from .adapter import TeamsAdapter, TeamsError
from .settings import TeamsSettings

__all__ = ["TeamsAdapter", "TeamsError", "TeamsSettings"]
