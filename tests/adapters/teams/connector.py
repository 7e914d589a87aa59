"""A local Bot Connector (and the one Graph route Warroom uses) that records what the bot sends.

Serves on 127.0.0.1 the routes the Agents SDK calls: ``POST /v3/conversations``
(a new thread), ``POST /v3/conversations/{id}/activities[/{activityId}]`` (a
message) and ``PUT …/activities/{activityId}`` (an update), plus Graph's
``POST /graph/teams/{team}/channels``. Answers can be made to fail: each status
queued in ``fail_next`` answers one request (with ``Retry-After: 0``).
"""

from __future__ import annotations

import asyncio
import itertools
import re
from dataclasses import dataclass
from typing import Any

from aiohttp import web

_MARKDOWN_ESCAPE = re.compile(r"\\(.)")


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    conversation: str
    activity_id: str
    body: dict[str, Any]
    authorization: str
    status: int


class FakeConnector:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.fail_next: list[int] = []
        self._ids = itertools.count(1000)
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def graph_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graph"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v3/conversations", self._create)
        app.router.add_post("/v3/conversations/{conversation}/activities", self._post)
        app.router.add_post("/v3/conversations/{conversation}/activities/{activity}", self._post)
        app.router.add_put("/v3/conversations/{conversation}/activities/{activity}", self._put)
        app.router.add_post("/graph/teams/{team}/channels", self._graph_channel)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- what the bot did ------------------------------------------------------------------------

    def succeeded(self, method: str | None = None) -> list[Recorded]:
        return [r for r in self.requests if r.status < 300 and (method is None or r.method == method)]

    def messages(self) -> list[Recorded]:
        """Every message the bot posted, in order: thread roots and posts into conversations."""
        posts = [r for r in self.succeeded("POST") if r.path.startswith("/v3/")]
        return [r for r in posts if _activity(r).get("type") == "message"]

    def messages_in(self, conversation: str) -> list[Recorded]:
        return [r for r in self.messages() if r.conversation == conversation]

    def threads(self) -> list[Recorded]:
        return [r for r in self.succeeded("POST") if r.path == "/v3/conversations"]

    async def wait_for(self, predicate: Any, timeout: float = 10.0) -> None:
        """Poll the recorded requests until ``predicate()`` holds (bounded)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            if loop.time() > deadline:
                raise AssertionError(f"the connector did not see what was expected; it saw {self.requests}")
            await asyncio.sleep(0.01)

    # --- routes ----------------------------------------------------------------------------------

    async def _failure(self, request: web.Request, conversation: str = "", activity: str = "") -> web.Response | None:
        if not self.fail_next:
            return None
        status = self.fail_next.pop(0)
        body = await request.json()
        self._record(request, conversation, activity, body, status)
        return web.json_response({"error": {"code": "Throttled"}}, status=status, headers={"Retry-After": "0"})

    async def _create(self, request: web.Request) -> web.Response:
        failed = await self._failure(request)
        if failed is not None:
            return failed
        body = await request.json()
        activity_id = str(next(self._ids))
        channel = body["channelData"]["channel"]["id"]
        conversation = f"{channel};messageid={activity_id}"
        self._record(request, conversation, activity_id, body, 201)
        return web.json_response({"id": conversation, "activityId": activity_id}, status=201)

    async def _post(self, request: web.Request) -> web.Response:
        conversation = request.match_info["conversation"]
        failed = await self._failure(request, conversation)
        if failed is not None:
            return failed
        body = await request.json()
        activity_id = str(next(self._ids))
        self._record(request, conversation, activity_id, body, 201)
        return web.json_response({"id": activity_id}, status=201)

    async def _put(self, request: web.Request) -> web.Response:
        conversation, activity = request.match_info["conversation"], request.match_info["activity"]
        failed = await self._failure(request, conversation, activity)
        if failed is not None:
            return failed
        self._record(request, conversation, activity, await request.json(), 200)
        return web.json_response({"id": activity})

    async def _graph_channel(self, request: web.Request) -> web.Response:
        failed = await self._failure(request)
        if failed is not None:
            return failed
        body = await request.json()
        channel = f"19:graph{next(self._ids)}@thread.tacv2"
        self._record(request, channel, "", body, 201)
        return web.json_response({"id": channel, "displayName": body["displayName"]}, status=201)

    def _record(self, request: web.Request, conversation: str, activity: str, body: Any, status: int) -> None:
        auth = request.headers.get("Authorization", "")
        self.requests.append(Recorded(request.method, request.path, conversation, activity, body, auth, status))


def _activity(recorded: Recorded) -> dict[str, Any]:
    """The message a request carries: its body, or the thread root of a new conversation."""
    if recorded.path == "/v3/conversations":
        return dict(recorded.body.get("activity") or {})
    return recorded.body


def card_of(recorded: Recorded) -> dict[str, Any]:
    attachments = _activity(recorded).get("attachments") or [{}]
    return dict(attachments[0].get("content") or {})


def card_text(card: dict[str, Any]) -> str:
    """What a card says, as plain text (the way ``Message.plain_text`` lays it out)."""
    lines = [_element_text(element) for element in card.get("body", [])]
    buttons = "  ".join(f"[{action['title']}]" for action in card.get("actions", []))
    return "\n".join(line for line in [*lines, buttons] if line)


def text_of(recorded: Recorded) -> str:
    return card_text(card_of(recorded))


def _element_text(element: dict[str, Any]) -> str:
    kind = element.get("type")
    if kind == "RichTextBlock":
        return "".join(run.get("text", "") for run in element.get("inlines", []))
    if kind == "TextBlock":
        return str(element.get("text", ""))
    if kind == "FactSet":
        return "\n".join(f"{_unescape(f['title'])}: {_unescape(f['value'])}" for f in element.get("facts", []))
    if kind == "Container":
        return "\n".join(_element_text(item) for item in element.get("items", []))
    return ""


def _unescape(text: str) -> str:
    return _MARKDOWN_ESCAPE.sub(r"\1", text.replace("\n\n", "\n"))
