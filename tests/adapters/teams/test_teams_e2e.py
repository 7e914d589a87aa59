"""The Teams adapter end to end: the real Agents SDK host over HTTP, a local connector recording what it sends."""

from __future__ import annotations

import pytest
from warroom.core.adapter.messages import Message
from warroom.core.adapter.refs import ConversationRef, MessageRef
from warroom.core.storage import queries

from tests.adapters.teams.activities import GENERAL, INCIDENTS, reaction
from tests.adapters.teams.connector import card_of, card_text, text_of
from tests.adapters.teams.driver import TeamsDriver

pytestmark = pytest.mark.filterwarnings("ignore::aiohttp.web.NotAppKeyWarning")  # raised inside the SDK


async def declare(teams: TeamsDriver, title: str = "Checkout is down") -> str:
    await teams.post("alice", f'/incident declare "{title}" -s 1')
    await teams.settle()
    return teams.channel_of("INC-1")


async def test_declaring_opens_a_thread_in_the_incidents_channel_and_introduces_it(teams: TeamsDriver) -> None:
    thread_id = await declare(teams)

    [thread] = teams.connector.threads()
    assert thread.body["isGroup"] is True
    assert thread.body["channelData"]["channel"]["id"] == INCIDENTS
    assert thread.body["tenantId"] == "tenant-1"
    assert thread_id == thread.conversation and thread_id.startswith(INCIDENTS + ";messageid=")
    root, intro = teams.bot_texts(thread_id)
    assert root.startswith("INC-1: Checkout is down")
    assert "Checkout is down" in intro and "role take commander" in intro
    [announcement] = teams.bot_texts()
    assert "INC-1" in announcement
    # Replies and proactive sends carried the (test) bot token, as production carries the real one.
    assert {r.authorization for r in teams.connector.requests} == {"Bearer warroom-test-token"}


async def test_command_hints_read_as_commands_are_typed_in_teams(teams: TeamsDriver) -> None:
    thread_id = await declare(teams)
    _root, intro = teams.bot_texts(thread_id)
    assert "“@Warroom incident role take commander”" in intro and "/incident" not in intro
    [*_, posted] = [r for r in teams.connector.messages() if r.conversation == thread_id]
    assert "“@Warroom incident role take communicator”" in card_of(posted)["fallbackText"]


async def test_the_declaration_is_answered_in_the_thread_of_the_command(teams: TeamsDriver) -> None:
    command = teams.message("alice", '/incident declare "Checkout is down"')
    assert command["text"].startswith("<at>Warroom</at> incident declare")
    await teams.deliver(command)
    await teams.settle()
    [answer] = [r for r in teams.connector.messages() if r.conversation.startswith(GENERAL)]
    assert answer.conversation == command["conversation"]["id"] == f"{GENERAL};messageid={command['id']}"


async def test_every_message_in_the_thread_is_captured_once_with_its_teams_time_and_id(teams: TeamsDriver) -> None:
    thread = await declare(teams)
    said = teams.message("bob", "db-1 is at 100% CPU", channel=thread, timestamp="2026-03-01T10:15:30.250Z")
    for _ in range(3):  # Teams redelivers an activity it thinks was not answered in time
        assert (await teams.deliver(said)).status == 202
    await teams.settle()

    captured = queries.of_kind(teams.app.db, 1, "message")
    assert [entry.text for entry in captured] == ["db-1 is at 100% CPU"]
    assert captured[0].source_event == f"teams:{thread}:{said['id']}"
    assert captured[0].at.isoformat().startswith("2026-03-01T10:15:30.25")
    assert captured[0].author == "bob"


async def test_a_retried_command_is_handled_once(teams: TeamsDriver) -> None:
    declaration = teams.message("alice", '/incident declare "Checkout is down"')
    assert (await teams.deliver(declaration)).status == 202
    assert (await teams.deliver(declaration)).status == 202
    await teams.settle()
    assert queries.incident_ids(teams.app.db) == [1]
    assert len(teams.connector.threads()) == 1


async def test_mentions_name_people_by_their_teams_id(teams: TeamsDriver) -> None:
    thread = await declare(teams)
    await teams.post("alice", "/incident role commander @carol", channel=thread)
    await teams.settle()
    assert any("carol is now the commander" in text for text in teams.bot_texts(thread))
    roles = queries.role_history(teams.app.db, 1)
    assert [role for role, *_ in roles] == ["commander"]
    assert teams.app.people.refs(roles[0][1])[0].id == "29:carol"


async def test_a_card_button_is_answered_with_the_settled_card_and_the_decision_recorded(teams: TeamsDriver) -> None:
    thread = await declare(teams)
    await teams.post("carol", "/incident role take commander", channel=thread)
    await teams.post("bob", "/incident risky restart db-1", channel=thread)
    await teams.settle()
    [(prompt, approve)] = teams.prompts(thread)
    assert [a["type"] for a in card_of(prompt)["actions"]] == ["Action.Execute", "Action.Execute"]

    denied = await teams.click("dave", prompt, approve)  # not the commander: the card keeps its buttons
    assert denied["type"] == "application/vnd.microsoft.activity.message"
    assert "Only the commander" in denied["value"]

    answer = await teams.click("carol", prompt, approve)
    assert answer["statusCode"] == 200
    assert answer["type"] == "application/vnd.microsoft.card.adaptive"
    card = answer["value"]
    assert "actions" not in card  # the core's edit of the prompt, returned in place of a PUT
    assert card_text(card) == "✅ Approved: restart db-1 (by carol)"
    assert not teams.connector.succeeded("PUT")
    states = [entry.data.get("state") for entry in queries.of_kind(teams.app.db, 1, "confirmation")]
    assert states == ["requested", "approved"]
    assert any("Approved by carol" in text for text in teams.bot_texts(thread))  # the requester is told too


async def test_a_retried_click_gets_the_same_answer_and_decides_once(teams: TeamsDriver) -> None:
    thread = await declare(teams)
    await teams.post("alice", "/incident role take commander", channel=thread)
    await teams.post("bob", "/incident risky restart db-1", channel=thread)
    await teams.settle()
    [(prompt, approve)] = teams.prompts(thread)
    first = await teams.click("alice", prompt, approve, activity_id="click-1")
    again = await teams.click("alice", prompt, approve, activity_id="click-1")
    await teams.settle()
    assert again == first and first["type"] == "application/vnd.microsoft.card.adaptive"
    states = [entry.data.get("state") for entry in queries.of_kind(teams.app.db, 1, "confirmation")]
    assert states == ["requested", "approved"]


async def test_a_check_mark_reaction_on_the_prompt_decides_it(teams: TeamsDriver) -> None:
    thread = await declare(teams)
    await teams.post("alice", "/incident role take commander", channel=thread)
    await teams.post("bob", "/incident risky restart db-1", channel=thread)
    await teams.settle()
    [(prompt, _)] = teams.prompts(thread)
    on_prompt = {"conversation": thread, "reply_to": prompt.activity_id, "service_url": teams.connector.url}
    await teams.deliver(reaction("2705_whiteheavycheckmark", user="bob", **on_prompt))  # the requester: no
    await teams.deliver(reaction("2705_whiteheavycheckmark", user="alice", **on_prompt))
    await teams.settle()
    states = [entry.data.get("state") for entry in queries.of_kind(teams.app.db, 1, "confirmation")]
    assert states == ["requested", "approved"]
    [put] = teams.connector.succeeded("PUT")  # no click to answer: the prompt is updated in place
    assert text_of(put) == "✅ Approved: restart db-1 (by alice)"


async def test_a_pin_reaction_reaches_the_core_as_a_key_mark(teams: TeamsDriver) -> None:
    thread = await declare(teams)
    seen: list[object] = []
    inbound = teams.app.inbound

    async def spy(event: object) -> None:
        seen.append(event)
        await inbound(event)  # type: ignore[arg-type]

    teams.adapter._endpoint.open(spy)  # observe what the adapter hands over
    said = teams.message("bob", "rolled back api to v41", channel=thread)
    await teams.deliver(said)
    on_it = {"user": "carol", "conversation": thread, "reply_to": said["id"], "service_url": teams.connector.url}
    pin, like = reaction("1f4cc_pushpin", **on_it), reaction("like", **on_it)
    assert (await teams.deliver(pin)).status == 202
    assert (await teams.deliver(like)).status == 202
    await teams.settle()
    [marked] = [event for event in seen if getattr(event, "emoji", None)]
    assert marked.emoji == "📌"  # type: ignore[attr-defined]
    assert marked.message == MessageRef(ConversationRef("teams", thread), said["id"])  # type: ignore[attr-defined]


async def test_throttled_posts_are_retried_after_backing_off(teams: TeamsDriver) -> None:
    teams.connector.fail_next = [429, 502]
    await declare(teams)
    statuses = [r.status for r in teams.connector.requests]
    assert statuses[:3] == [429, 502, 201]
    assert len(teams.connector.threads()) == 1
    assert teams.adapter.health().report()["send_failures"] == 0


async def test_a_post_that_keeps_failing_gives_up_and_is_reported(teams: TeamsDriver) -> None:
    thread = await declare(teams)
    teams.connector.fail_next = [403]
    with pytest.raises(Exception, match="403"):
        await teams.adapter.send(ConversationRef("teams", thread), Message.plain("hello"), key="k", in_reply_to=None)
    assert teams.adapter.health().report()["send_failures"] == 1
    assert [r.status for r in teams.connector.requests][-1] == 403  # a 403 is not retried


async def test_edit_replaces_the_card_with_a_put(teams: TeamsDriver) -> None:
    thread = await declare(teams)
    where = ConversationRef("teams", thread)
    posted = await teams.adapter.send(where, Message.plain("first"), key="k1", in_reply_to=None)
    assert posted is not None
    await teams.adapter.edit(posted, Message.plain("second", title="Updated"))
    [put] = teams.connector.succeeded("PUT")
    assert (put.conversation, put.activity_id) == (thread, posted.id)
    assert text_of(put) == "Updated\nsecond"


async def test_health_says_what_the_adapter_is_doing(teams: TeamsDriver) -> None:
    await declare(teams)
    health = teams.adapter.health().report()
    assert health["state"] == "listening"
    assert health["authentication"] == "anonymous (test run)"
    assert health["endpoint"].startswith("http://127.0.0.1:") and health["endpoint"].endswith("/api/messages")
    assert (health["received"], health["sent"], health["in_flight"]) == (1, 2, 0)  # the intro and the announcement
