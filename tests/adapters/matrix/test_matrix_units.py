"""The Matrix adapter's pure parts: settings checks, rendering and event translation (no homeserver)."""

from __future__ import annotations

from pathlib import Path

import pytest
from nio import MatrixRoom, ReactionEvent, RoomMemberEvent, RoomMessageText
from pydantic import ValidationError
from warroom.adapters.matrix import MatrixSettings
from warroom.adapters.matrix.inbound import KEY_MARK, Translator
from warroom.adapters.matrix.render import Renderer
from warroom.core.adapter.events import MemberJoined, MessageReceived, ReactionAdded
from warroom.core.adapter.messages import CodeBlock, Command, Field, Mention, Message, Paragraph, Text, Tone
from warroom.core.adapter.refs import UserRef
from warroom.core.config.loader import ConfigError, load_config

BOT = "@warroom:example.org"
BASE = {"homeserver": "https://matrix.example.org", "user_id": BOT, "password": "s3cret"}


# Settings


def test_settings_need_a_password_or_an_access_token() -> None:
    with pytest.raises(ValidationError, match="set password or access_token"):
        MatrixSettings.model_validate({"homeserver": "https://matrix.example.org", "user_id": BOT})


def test_an_empty_secret_is_refused_by_name() -> None:
    with pytest.raises(ValidationError, match="access_token is empty"):
        MatrixSettings.model_validate({**BASE, "password": None, "access_token": " "})


def test_plain_http_is_only_for_this_machine() -> None:
    MatrixSettings.model_validate({**BASE, "homeserver": "http://127.0.0.1:8008"})
    with pytest.raises(ValidationError, match="plain http"):
        MatrixSettings.model_validate({**BASE, "homeserver": "http://matrix.example.org"})
    MatrixSettings.model_validate({**BASE, "homeserver": "http://matrix.internal", "allow_insecure_http": True})


def test_ids_and_prefix_are_checked() -> None:
    with pytest.raises(ValidationError, match="Matrix user id"):
        MatrixSettings.model_validate({**BASE, "user_id": "warroom"})
    with pytest.raises(ValidationError, match="room id"):
        MatrixSettings.model_validate({**BASE, "space_id": "#ops:example.org"})
    with pytest.raises(ValidationError, match="Element treats"):
        MatrixSettings.model_validate({**BASE, "command_prefix": "/incident"})


def test_invites_are_accepted_from_the_own_server_by_default() -> None:
    settings = MatrixSettings.model_validate(BASE)
    assert settings.accepts_invite_from("@alice:example.org")
    assert not settings.accepts_invite_from("@eve:evil.example")
    listed = MatrixSettings.model_validate({**BASE, "accept_invites_from": ["@ops:other.org", "partner.org"]})
    assert listed.accepts_invite_from("@ops:other.org") and listed.accepts_invite_from("@x:partner.org")
    assert not listed.accepts_invite_from("@alice:example.org")


def test_the_config_file_reports_the_matrix_section_by_key(tmp_path: Path) -> None:
    from warroom.core.app import InstalledAdapters

    path = tmp_path / "warroom.yaml"
    path.write_text(
        "adapters:\n  matrix:\n    homeserver: https://matrix.example.org\n"
        "    user_id: '@warroom:example.org'\n    password: ${MATRIX_PASSWORD}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as missing:
        load_config(path, environ={}, adapter_models=InstalledAdapters())
    assert "adapters.matrix.password" in str(missing.value)
    config = load_config(path, environ={"MATRIX_PASSWORD": "pw"}, adapter_models=InstalledAdapters())
    settings = config.adapter_settings["matrix"]
    assert isinstance(settings, MatrixSettings) and settings.password is not None
    assert settings.password.get_secret_value() == "pw" and "pw" not in repr(settings)


# Rendering


def test_user_text_is_escaped_and_pings_nobody() -> None:
    message = Message(
        title="<b>Checkout</b> & @room",
        blocks=(Paragraph((Text("see <script>x</script> "), Text("now", bold=True))), CodeBlock("a < b", "sql")),
        fields=(Field("Impact", "<i>all</i>\nusers"),),
    )
    content = Renderer("!incident").content(message)
    assert content["msgtype"] == "m.notice" and content["m.mentions"] == {}
    html = content["formatted_body"]
    assert "<b>" not in html and "<script>" not in html and "<i>" not in html
    assert "<p><strong>&lt;b&gt;Checkout&lt;/b&gt; &amp; @room</strong></p>" in html
    assert "<strong>now</strong>" in html
    assert '<pre><code class="language-sql">a &lt; b</code></pre>' in html
    assert "<ul><li><strong>Impact</strong>: &lt;i&gt;all&lt;/i&gt;<br>users</li></ul>" in html
    assert content["body"].startswith("<b>Checkout</b> & @room\nsee <script>x</script> now\n```sql")


def test_only_pinged_people_become_pills() -> None:
    bob = UserRef("matrix", "@bob:example.org", "Bob <3")
    carol = UserRef("matrix", "@carol:example.org", "carol")
    message = Message(blocks=(Paragraph((Mention(bob), Text(" and "), Mention(carol))),), pings=(bob,))
    content = Renderer("!incident").content(message)
    assert content["m.mentions"] == {"user_ids": ["@bob:example.org"]}
    assert '<a href="https://matrix.to/#/@bob:example.org">Bob &lt;3</a>' in content["formatted_body"]
    assert "@carol" in content["formatted_body"] and "matrix.to/#/@carol" not in content["formatted_body"]
    assert content["body"] == "@Bob <3 and @carol"


def test_command_hints_use_the_matrix_prefix_text_stays_as_written_and_edits_replace() -> None:
    renderer = Renderer("!incident")
    content = renderer.content(Message.of("Type “", Command("approve 3"), "” or ", Command("help"), "."))
    assert content["body"] == "Type “!incident approve 3” or !incident help."
    quoted = renderer.content(Message.plain("bob wrote: /incident is broken"))
    assert quoted["body"] == "bob wrote: /incident is broken"  # what people wrote is never rewritten
    edit = renderer.edit("$original", Message.plain("Approved"))
    assert edit["m.relates_to"] == {"rel_type": "m.replace", "event_id": "$original"}
    assert edit["m.new_content"]["body"] == "Approved" and edit["body"] == "* Approved"
    assert edit["m.mentions"] == {} and edit["m.new_content"]["m.mentions"] == {}


def test_command_parts_are_written_with_the_matrix_prefix() -> None:
    message = Message.of("Take it: “", Command("role take commander"), "” <now>", tone=Tone.WARNING)
    content = Renderer("!ir").content(message)
    assert content["body"] == "Take it: “!ir role take commander” <now>"
    assert content["formatted_body"] == "<p>Take it: “!ir role take commander” &lt;now&gt;</p>"
    assert Renderer("!ir").content(Message.of(Command()))["body"] == "!ir"


def test_a_huge_message_still_fits_in_an_event() -> None:
    content = Renderer("!incident").content(Message.plain("x" * 100_000))
    assert "formatted_body" not in content and len(content["body"].encode()) < 61_000
    assert content["body"].endswith("(truncated)")


# Translating events


def _room() -> MatrixRoom:
    room = MatrixRoom("!room:example.org", BOT)
    room.name = "inc-1-checkout"
    for user_id, name in (("@alice:example.org", "Alice"), ("@bob:example.org", "Bob"), (BOT, "Warroom")):
        room.add_member(user_id, name, None)
    return room


def _text(content: dict[str, object], sender: str = "@alice:example.org") -> RoomMessageText:
    source = {
        "type": "m.room.message",
        "event_id": "$e1",
        "sender": sender,
        "origin_server_ts": 1_700_000_000_123,
        "content": {"msgtype": "m.text", **content},
    }
    event = RoomMessageText.from_dict(source)
    assert isinstance(event, RoomMessageText)
    return event


def test_a_pill_becomes_a_mention_of_that_user() -> None:
    pill = '!incident role communicator <a href="https://matrix.to/#/%40bob%3Aexample.org">Bob</a>'
    event = _text(
        {"body": "!incident role communicator Bob", "format": "org.matrix.custom.html", "formatted_body": pill}
    )
    translated = Translator(BOT, "📌").translate(_room(), event)
    assert translated is not None and isinstance(translated.event, MessageReceived)
    received = translated.event
    assert received.text == "!incident role communicator @bob:example.org"
    assert received.mentions == {"bob:example.org": UserRef("matrix", "@bob:example.org", "Bob")}
    assert received.user == UserRef("matrix", "@alice:example.org", "Alice")
    assert received.event_id == "$e1" and received.at.timestamp() == 1_700_000_000.123
    assert received.conversation.name == "inc-1-checkout"


def test_typed_ids_and_unique_names_are_mentions() -> None:
    event = _text({"body": "ping @bob:example.org, and @alice too; @nobody"})
    translated = Translator(BOT, "📌").translate(_room(), event)
    assert translated is not None and isinstance(translated.event, MessageReceived)
    assert set(translated.event.mentions) == {"bob:example.org", "alice"}


def test_replies_lose_their_fallback_and_threads_are_remembered() -> None:
    event = _text(
        {
            "body": "> <@bob:example.org> db is slow\n\n!incident log it is",
            "m.relates_to": {"rel_type": "m.thread", "event_id": "$root", "m.in_reply_to": {"event_id": "$x"}},
        }
    )
    translated = Translator(BOT, "📌").translate(_room(), event)
    assert translated is not None and isinstance(translated.event, MessageReceived)
    assert translated.event.text == "!incident log it is" and translated.thread_root == "$root"


def test_edits_own_events_and_other_reactions_are_ignored() -> None:
    translator = Translator(BOT, "📌")
    edit = _text({"body": "* !incident resolve", "m.relates_to": {"rel_type": "m.replace", "event_id": "$e0"}})
    assert translator.translate(_room(), edit) is None
    assert translator.translate(_room(), _text({"body": "hello"}, sender=BOT)) is None
    assert translator.translate(_room(), _reaction("👍")) is None


def _reaction(key: str) -> ReactionEvent:
    source = {
        "type": "m.reaction",
        "event_id": "$r1",
        "sender": "@bob:example.org",
        "origin_server_ts": 1_700_000_000_000,
        "content": {"m.relates_to": {"rel_type": "m.annotation", "event_id": "$prompt", "key": key}},
    }
    event = ReactionEvent.from_dict(source)
    assert isinstance(event, ReactionEvent)
    return event


def test_approvals_and_the_key_reaction_reach_the_core() -> None:
    translator = Translator(BOT, "⭐")
    approve = translator.translate(_room(), _reaction("✅\ufe0f"))
    assert approve is not None and isinstance(approve.event, ReactionAdded)
    assert approve.event.emoji == "✅" and approve.event.message.id == "$prompt"
    key = translator.translate(_room(), _reaction("⭐"))
    assert key is not None and isinstance(key.event, ReactionAdded) and key.event.emoji == KEY_MARK


def test_arrivals_are_members_joining_but_profile_changes_are_not() -> None:
    def member(prev: str | None) -> RoomMemberEvent:
        source = {
            "type": "m.room.member",
            "event_id": "$m1",
            "sender": "@bob:example.org",
            "state_key": "@bob:example.org",
            "origin_server_ts": 1_700_000_000_000,
            "content": {"membership": "join", "displayname": "Bob"},
            "unsigned": {"prev_content": {"membership": prev}} if prev else {},
        }
        event = RoomMemberEvent.from_dict(source)
        assert isinstance(event, RoomMemberEvent)
        return event

    translator = Translator(BOT, "📌")
    joined = translator.translate(_room(), member("invite"))
    assert joined is not None and isinstance(joined.event, MemberJoined)
    assert translator.translate(_room(), member("join")) is None
