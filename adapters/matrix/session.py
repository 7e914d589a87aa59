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
from warroom.core.adapter import AdapterState

log = logging.getLogger(__name__)
SESSION = "session"
_ENDED = ("M_UNKNOWN_TOKEN", "M_MISSING_TOKEN")


class LoginRefused(RuntimeError):
    """The homeserver will not accept these credentials: starting again would not help."""


class ServerUnavailable(ConnectionError):
    """The homeserver did not give a usable answer; worth retrying later."""


async def log_in(client: AsyncClient, settings: MatrixSettings, state: AdapterState) -> None:
    """Make ``client`` a logged-in session of ``settings.user_id``, reusing the stored device when there is one."""
    if settings.access_token is not None:
        client.restore_login(settings.user_id, settings.device_id or "", settings.access_token.get_secret_value())
        who = await _whoami(client, settings, "adapters.matrix.access_token")
        if settings.device_id and who.device_id and who.device_id != settings.device_id:
            raise LoginRefused(
                f"adapters.matrix.device_id is {settings.device_id}, but the access token is device {who.device_id}"
            )
        client.device_id = settings.device_id or who.device_id or ""
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
            f"{settings.homeserver} refused adapters.matrix.password for {settings.user_id}: {response.message}"
        )
    raise ServerUnavailable(f"logging in to {settings.homeserver} failed: {response}")


async def _whoami(client: AsyncClient, settings: MatrixSettings, what: str) -> WhoamiResponse:
    who = await client.whoami()
    if isinstance(who, WhoamiResponse):
        if who.user_id != settings.user_id:
            raise LoginRefused(f"{what} belongs to {who.user_id}, not adapters.matrix.user_id ({settings.user_id})")
        return who
    if who.status_code in _ENDED or getattr(who.transport_response, "status", 0) == 401:
        raise LoginRefused(f"{settings.homeserver} refused {what}: {who.message}")
    raise ServerUnavailable(f"{settings.homeserver} did not confirm the login: {who}")


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
