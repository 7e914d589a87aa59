"""Logging in as the same Matrix device every time.

Transaction ids (which make resent replies land once) and end-to-end keys
both belong to a device, so the device id and its access token are kept in
Warroom's database and restored on the next start; a password login happens
only the first time, or when the server has ended the stored session — and
then it asks for the same device id again.
"""

from __future__ import annotations

import logging
from typing import Any

from nio import AsyncClient, LoginResponse, WhoamiResponse
from warroom.adapters.matrix.settings import MatrixSettings
from warroom.core.adapter import AdapterState, ConfigError

log = logging.getLogger(__name__)


class _ErrorBodies(logging.Filter):
    """nio validates every error answer against the success schema and warns that it does not fit.

    That warning is the normal path of a refused login or token, which is reported as its own
    problem; shown as well, it would only be a second, misleading line.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Error validating response")


logging.getLogger("nio.responses").addFilter(_ErrorBodies())
SESSION = "session"
_ENDED = ("M_UNKNOWN_TOKEN", "M_MISSING_TOKEN")


class LoginRefused(ConfigError):
    """The homeserver will not accept these credentials: starting again would not help.

    A :class:`ConfigError` of one problem, ``key: what happened — what to do``, so ``warroom run``
    shows that line and exits 2 instead of retrying or printing a traceback.
    """

    def __init__(self, key: str, problem: str) -> None:
        super().__init__([f"{key}: {problem}"])


class ServerUnavailable(ConnectionError):
    """The homeserver did not give a usable answer; worth retrying later."""


async def log_in(client: AsyncClient, settings: MatrixSettings, state: AdapterState) -> None:
    """Make ``client`` a logged-in session of ``settings.user_id``, reusing the stored device when there is one."""
    if settings.access_token is not None:
        token = settings.access_token.get_secret_value()
        if settings.device_id:
            client.restore_login(settings.user_id, settings.device_id, token)
        else:  # restore_login needs the device (for its key store): ask the server whose token this is first
            client.user_id, client.access_token = settings.user_id, token
        who = await _whoami(client, settings, "adapters.matrix.access_token")
        if settings.device_id and who.device_id and who.device_id != settings.device_id:
            raise LoginRefused(
                "adapters.matrix.device_id",
                f"is {settings.device_id}, but the access token is device {who.device_id} — "
                "set the token's device id, or leave device_id out",
            )
        if not settings.device_id:
            client.restore_login(settings.user_id, who.device_id or "", token)
        return
    stored = _stored(settings, state)
    if stored is not None and stored.get("access_token"):
        client.restore_login(settings.user_id, stored["device_id"], stored["access_token"])
        try:
            await _whoami(client, settings, "the stored session")
            log.info("matrix: resumed the session of %s on device %s", settings.user_id, client.device_id)
            return
        except LoginRefused:
            log.warning(
                "matrix: the stored session of %s has ended; logging in again as the same device", settings.user_id
            )
    await _password_login(client, settings, stored)
    await state.set(
        SESSION,
        {
            "homeserver": settings.homeserver,
            "user_id": settings.user_id,
            "device_id": client.device_id,
            "access_token": client.access_token,
        },
    )


async def _password_login(client: AsyncClient, settings: MatrixSettings, stored: dict[str, Any] | None) -> None:
    assert settings.password is not None  # the settings require a password or an access token
    client.user = settings.user_id
    client.access_token = ""
    client.device_id = (stored or {}).get("device_id") or ""
    response = await client.login(settings.password.get_secret_value(), device_name=settings.device_name)
    if isinstance(response, LoginResponse):
        log.info("matrix: logged in as %s on device %s", response.user_id, response.device_id)
        return
    status = getattr(response.transport_response, "status", 0) if response.transport_response else 0
    if response.status_code in ("M_FORBIDDEN", "M_USER_DEACTIVATED", "M_INVALID_USERNAME") or status in (401, 403):
        raise LoginRefused(
            "adapters.matrix.password",
            f"{settings.homeserver} refused adapters.matrix.password for {settings.user_id} "
            f"({response.status_code}: {response.message}) — check the password and adapters.matrix.user_id",
        )
    raise ServerUnavailable(f"logging in to {settings.homeserver} failed: {response}")


async def _whoami(client: AsyncClient, settings: MatrixSettings, what: str) -> WhoamiResponse:
    """Who the restored token is; a refusal names ``adapters.matrix.access_token`` when that is what was tried."""
    key = "adapters.matrix.access_token" if what == "adapters.matrix.access_token" else "adapters.matrix.password"
    who = await client.whoami()
    if isinstance(who, WhoamiResponse):
        if who.user_id != settings.user_id:
            mismatch = f"{what} belongs to {who.user_id}, not adapters.matrix.user_id ({settings.user_id})"
            raise LoginRefused(key, mismatch)
        return who
    if who.status_code in _ENDED or who.status_code == "M_FORBIDDEN" or _status(who) in (401, 403):
        raise LoginRefused(
            key,
            f"{settings.homeserver} refused {what} ({who.status_code}: {who.message}) — "
            "log in again for a new access token and update the config, or configure a password instead",
        )
    raise ServerUnavailable(f"{settings.homeserver} did not confirm the login: {who}")


def _status(response: object) -> int:
    transport = getattr(response, "transport_response", None)
    return int(getattr(transport, "status", 0) or 0)


def _stored(settings: MatrixSettings, state: AdapterState) -> dict[str, Any] | None:
    """The stored session, if it is this account's on this homeserver."""
    stored = state.get(SESSION)
    if not isinstance(stored, dict):
        return None
    if stored.get("homeserver") != settings.homeserver or stored.get("user_id") != settings.user_id:
        return None
    if not stored.get("device_id"):
        return None
    return stored
