"""Cards built as data, and Teams activities read as Warroom events (pure functions, no peer needed)."""

from __future__ import annotations

import json
from typing import Any

from warroom.adapters.teams.inbound import Translator, addresses_bot
from warroom.adapters.teams.render import activity, card, summary
from warroom.core.adapter.messages import Button, CodeBlock, Command, Field, Mention, Message, Paragraph, Text, Tone
from warroom.core.adapter.refs import ConversationRef, UserRef

from tests.adapters.teams.activities import BOT, INCIDENTS, message, person, reaction
from tests.adapters.teams.connector import card_text

URL = "http://127.0.0.1:1/"
THREAD = f"{INCIDENTS};messageid=7"
READ = Translator("/incident", "1f4cc_pushpin")
HOSTILE = "**everyone** <at>Eve</at> [click](http://evil.example) {{DATE(2020-01-01T00:00:00Z)}}"


def as_sdk_delivers(raw: dict[str, Any]) -> dict[str, Any]:
    """The activity after the SDK removed the bot's own mention (``remove_recipient_mention``)."""
    text = str(raw.get("text", "")).replace("<at>Warroom</at>", "").strip()
    return {**raw, "text": text}


def texts_in(element: Any) -> list[str]:
    """Every string under a card element whose key is ``text``: where a renderer might read markup."""
    if isinstance(element, dict):
        return [v for k, v in element.items() if k == "text" and isinstance(v, str)] + [
            t for v in element.values() for t in texts_in(v)
        ]
    if isinstance(element, list):
        return [t for v in element for t in texts_in(v)]
    return []


# --- cards -----------------------------------------------------------------------------------------


def test_user_text_stays_literal_text_and_pings_nobody() -> None:
    message_ = Message(
        title=HOSTILE, blocks=(Paragraph((Text(HOSTILE, bold=True),)),), fields=(Field("Impact", HOSTILE),)
    )
    built = card(message_)
    kinds = {element["type"] for element in built["body"]}
    assert "TextBlock" not in kinds  # TextBlock reads markdown; RichTextBlock's TextRuns do not
    assert texts_in(built["body"]).count(HOSTILE) == 2
    [fact] = built["body"][2]["facts"]
    assert (
        fact["value"].startswith(r"\*\*everyone\*\* \<at\>Eve\<")
        and r"\[click\]\(http://evil.example\)" in fact["value"]
    )
    payload = activity(message_)
    assert "entities" not in payload and "text" not in payload  # no mention entity: nobody is pinged
    assert json.loads(json.dumps(payload)) == payload  # plain data all the way down


def test_fact_values_cannot_start_lists_or_links() -> None:
    [fact] = card(Message(fields=(Field("Impact", "- all users\n2. EU only\nsee [x](y) a_b"),)))["body"][0]["facts"]
    assert fact["value"] == "\\- all users\n\n2\\. EU only\n\nsee \\[x\\]\\(y\\) a\\_b"


def test_only_the_pinged_people_are_mentioned() -> None:
    bob = UserRef("teams", "29:bob", "Bob <Ops>")
    message_ = Message(blocks=(Paragraph((Text("go ahead "), Mention(bob))),), pings=(bob, bob))
    payload = activity(message_)
    assert payload["text"] == "<at>Bob &lt;Ops&gt;</at>"
    assert payload["entities"] == [
        {"type": "mention", "text": "<at>Bob &lt;Ops&gt;</at>", "mentioned": {"id": "29:bob", "name": "Bob <Ops>"}}
    ]
    assert card_text(payload["attachments"][0]["content"]) == "go ahead @Bob <Ops>"


def test_a_command_hint_mentions_the_bot_the_way_people_type_commands() -> None:
    said = Message.of("Take the lead: “", Command("role take commander"), "”.")
    built = card(said, "@Ops ir")
    assert built["body"][0]["inlines"][1] == {"type": "TextRun", "text": "@Ops ir role take commander"}
    assert built["fallbackText"] == summary(said, "@Ops ir") == "Take the lead: “@Ops ir role take commander”."
    assert card_text(card(said)) == "Take the lead: “@Warroom incident role take commander”."


def test_the_parts_of_a_message_become_the_parts_of_a_card() -> None:
    message_ = Message(
        title="INC-3 declared",
        blocks=(Paragraph((Text("status "), Text("mitigated", italic=True))), CodeBlock("kubectl get pods")),
        fields=(Field("Severity", "SEV1"), Field("Key events", "10:02 paged\n10:05 rolled back", inline=False)),
        buttons=(Button("confirm:3:approve", "Approve"), Button("confirm:3:reject", "Reject", danger=True)),
        tone=Tone.WARNING,
    )
    built = card(message_)
    assert built["version"] == "1.5"
    assert built["body"][0]["inlines"][0] == {
        "type": "TextRun",
        "text": "INC-3 declared",
        "weight": "Bolder",
        "size": "Medium",
        "color": "Warning",
    }
    assert built["body"][1]["inlines"][1] == {"type": "TextRun", "text": "mitigated", "italic": True}
    assert built["body"][2]["items"][0]["inlines"][0]["fontType"] == "Monospace"
    assert built["body"][3] == {"type": "FactSet", "facts": [{"title": "Severity", "value": "SEV1"}]}
    assert built["body"][5]["inlines"][0]["text"] == "10:02 paged\n10:05 rolled back"
    assert built["actions"] == [
        {
            "type": "Action.Execute",
            "title": "Approve",
            "verb": "warroom",
            "data": {"action": "confirm:3:approve"},
            "style": "positive",
        },
        {
            "type": "Action.Execute",
            "title": "Reject",
            "verb": "warroom",
            "data": {"action": "confirm:3:reject"},
            "style": "destructive",
        },
    ]
    assert card_text(built).splitlines()[:3] == ["INC-3 declared", "status mitigated", "kubectl get pods"]


# --- activities ------------------------------------------------------------------------------------


def test_a_command_after_the_bots_mention_is_handed_over_with_the_core_prefix() -> None:
    raw = message('incident declare "DB down"', user="alice", conversation=THREAD, service_url=URL)
    assert addresses_bot(raw)
    event = READ.message(as_sdk_delivers(raw), addressed=True)
    assert event is not None
    assert event.text == '/incident declare "DB down"'
    assert event.event_id == f"{THREAD}:{raw['id']}"
    assert event.conversation == ConversationRef("teams", THREAD)
    assert event.user == UserRef("teams", "29:alice", "alice")


def test_without_the_bots_mention_incident_is_just_a_word() -> None:
    raw = message("incident is getting worse", user="bob", conversation=THREAD, service_url=URL, mention_bot=False)
    assert not addresses_bot(raw)
    event = READ.message(raw, addressed=False)
    assert event is not None and event.text == "incident is getting worse"


def test_mentions_become_one_word_tokens_naming_each_person() -> None:
    raw = message("incident role commander @x", user="alice", conversation=THREAD, service_url=URL)
    raw["text"] = "<at>Warroom</at> incident role commander <at>Bob Smith</at> and <at>Bob Smith</at>"
    other = {"id": "29:bob2", "name": "Bob Smith"}
    raw["entities"] += [
        {"type": "mention", "text": "<at>Bob Smith</at>", "mentioned": {"id": "29:bob", "name": "Bob Smith"}},
        {"type": "mention", "text": "<at>Bob Smith</at>", "mentioned": other},
    ]
    event = READ.message(as_sdk_delivers(raw), addressed=True)
    assert event is not None
    assert event.text == "/incident role commander @Bob_Smith and @Bob_Smith"
    assert event.mentions["Bob_Smith"] == UserRef("teams", "29:bob", "Bob Smith")


def test_teams_html_is_read_as_plain_text() -> None:
    raw = message("x", user="bob", conversation=THREAD, service_url=URL, mention_bot=False)
    raw["text"] = "<p>p99 &gt; 2s &amp; rising<br/>see&nbsp;dashboard</p>"
    event = READ.message(raw, addressed=False)
    assert event is not None and event.text == "p99 > 2s & rising\nsee dashboard"


def test_the_bots_own_and_empty_messages_are_ignored() -> None:
    own = message("hello", user="x", conversation=THREAD, service_url=URL, mention_bot=False)
    own["from"] = BOT
    empty = message("   ", user="bob", conversation=THREAD, service_url=URL, mention_bot=False)
    assert READ.message(own, addressed=False) is None
    assert READ.message(empty, addressed=False) is None


def test_reactions_the_core_acts_on() -> None:
    def emoji(kind: str) -> list[str]:
        raw = reaction(kind, user="carol", conversation=THREAD, reply_to="42", service_url=URL)
        return [event.emoji for event in READ.reactions(raw)]

    assert emoji("1f4cc_pushpin") == ["📌"]
    assert emoji("2705_whiteheavycheckmark") == ["✅"]
    assert emoji("274c_crossmark") == ["❌"]
    assert emoji("like") == [] and emoji("heart") == []


def test_in_a_one_to_one_chat_no_mention_is_needed() -> None:
    raw = message("incident list", user="bob", conversation="a:1bob", service_url=URL, mention_bot=False)
    raw["conversation"]["conversationType"] = "personal"
    assert addresses_bot(raw)
    event = READ.message(raw, addressed=addresses_bot(raw))
    assert event is not None and event.text == "/incident list"


def test_a_post_in_a_graph_created_channel_belongs_to_the_channel() -> None:
    channel = "19:graph1@thread.tacv2"
    read = Translator("/incident", "like", {channel})
    raw = message("db is back", user="bob", conversation=f"{channel};messageid=9", service_url=URL, mention_bot=False)
    event = read.message(raw, addressed=False)
    assert event is not None
    assert event.conversation.id == channel
    assert event.event_id == f"{channel};messageid=9:{raw['id']}"


def test_the_teams_timestamp_is_kept() -> None:
    raw = message("x", user="bob", conversation=THREAD, service_url=URL, timestamp="2026-03-01T10:15:30.250Z")
    event = READ.message(raw, addressed=False)
    assert event is not None and event.at.isoformat() == "2026-03-01T10:15:30.250000+00:00"
    assert person("bob")["id"] == event.user.id
