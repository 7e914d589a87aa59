"""The Microsoft 365 Agents SDK objects Warroom's Teams adapter runs on.

Production: MSAL client credentials for outbound calls, JWT validation of
every inbound request (audience = the bot's client id). Test runs
(``anonymous_for_tests``): no inbound authentication, and a fixed dummy token
outbound, because the SDK's anonymous provider yields no token at all and
proactive sends then fail with "Failed to obtain token".
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from microsoft_agents.activity import Activity
from microsoft_agents.authentication.msal import MsalAuth, MsalConnectionManager
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import (
    AgentApplication,
    AgentAuthConfiguration,
    AnonymousTokenProvider,
    ConnectionManager,
    Connections,
    MemoryStorage,
    TurnContext,
    TurnState,
)
from microsoft_agents.hosting.core.authorization import AuthTypes
from warroom.adapters.teams.graph import GRAPH_SCOPE
from warroom.adapters.teams.settings import TeamsSettings

log = logging.getLogger(__name__)
TEST_APP_ID = "warroom-tests"
TEST_TOKEN = "warroom-test-token"  # what outbound calls carry in a test run; the local test peer accepts it
SERVICE_CONNECTION = "SERVICE_CONNECTION"


class _TestToken(AnonymousTokenProvider):
    """Anonymous, but with a non-empty token so the SDK's proactive paths go through."""

    async def get_access_token(self, resource_url: str, scopes: list[str], force_refresh: bool = False) -> str:
        return TEST_TOKEN


def app_id(settings: TeamsSettings) -> str:
    return TEST_APP_ID if settings.anonymous_for_tests else settings.client_id


def connections(settings: TeamsSettings) -> tuple[Connections, AgentAuthConfiguration]:
    """The connection manager for outbound tokens, and the configuration inbound JWTs are checked against."""
    if settings.anonymous_for_tests:
        config = AgentAuthConfiguration(anonymous_allowed=True, client_id=TEST_APP_ID)
        manager = ConnectionManager(
            provider_factory=lambda _config: _TestToken(),
            connections_configurations={SERVICE_CONNECTION: config},
        )
        return manager, config
    config = _client_secret(settings.client_id, settings.client_secret_value(), settings.tenant_id)
    return MsalConnectionManager(connections_configurations={SERVICE_CONNECTION: config}), config


def cloud_adapter(manager: Connections) -> CloudAdapter:
    adapter = CloudAdapter(connection_manager=manager)
    adapter.on_turn_error = _turn_error  # the SDK's default posts the exception text into the chat
    return adapter


def application(manager: Connections) -> AgentApplication[TurnState]:
    return AgentApplication[TurnState](
        storage=MemoryStorage(),
        connection_manager=manager,
        remove_recipient_mention=True,
        start_typing_timer=False,
    )


def graph_token(settings: TeamsSettings) -> Callable[[], Awaitable[str]]:
    """How Graph calls get their bearer token (MSAL caches and refreshes it)."""
    if settings.anonymous_for_tests:

        async def test_token() -> str:
            return TEST_TOKEN

        return test_token
    client_id, secret, tenant = settings.graph_credentials()
    provider = MsalAuth(_client_secret(client_id, secret, tenant))

    async def token() -> str:
        return await provider.get_access_token("https://graph.microsoft.com", [GRAPH_SCOPE])

    return token


def _client_secret(client_id: str, secret: str, tenant: str) -> AgentAuthConfiguration:
    return AgentAuthConfiguration(
        auth_type=AuthTypes.client_secret, client_id=client_id, client_secret=secret, tenant_id=tenant
    )


async def _turn_error(context: TurnContext, error: Exception) -> None:
    """An inbound turn failed inside the SDK: log it; people see nothing (never a traceback in chat)."""
    activity: Activity | None = context.activity
    log.error(
        "Teams turn for activity %s failed: %s",
        activity.id if activity else "?",
        error,
        exc_info=(type(error), error, error.__traceback__),
    )
