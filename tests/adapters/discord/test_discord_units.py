"""The Discord adapter's pure parts: settings, rendering, the generated slash command and reading it back."""

from __future__ import annotations

from pathlib import Path

import discord
import pytest
from pydantic import ValidationError
from warroom.adapters.discord import DiscordSettings
from warroom.adapters.discord.render import escape, render
from warroom.adapters.discord.slash import MAX_ENTRIES, SlashCommands
from warroom.adapters.discord.suggest import SUGGESTED
from warroom.core.adapter import Catalogue
from warroom.core.adapter.messages import Button, Command, Field, Mention, Message, Paragraph, Text, Tone
from warroom.core.adapter.refs import UserRef
from warroom.core.app import InstalledAdapters, catalogue_of
from warroom.core.commands.builtin import builtin_commands
from warroom.core.commands.parse import Registry
from warroom.core.commands.spec import CommandSpec
from warroom.core.config.loader import ConfigError, load_config

from tests.adapters.discord.driver import TOKEN


@pytest.mark.parametrize("token", ["", "   ", "changeme", "${DISCORD_TOKEN}", "<your token>", "xxxx", "TOKEN"])
def test_an_empty_or_placeholder_token_is_refused(token: str) -> None:
    with pytest.raises(ValidationError, match="missing or a placeholder"):
        DiscordSettings(token=token)  # type: ignore[arg-type]


def test_a_token_with_the_bot_prefix_or_the_wrong_shape_is_refused() -> None:
    with pytest.raises(ValidationError, match="without the “Bot ” prefix"):
        DiscordSettings(token=f"Bot {TOKEN}")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="does not look like a Discord bot token"):
        DiscordSettings(token="client-secret-pasted-by-mistake")  # type: ignore[arg-type]


def test_the_config_names_the_key_when_the_token_is_missing(tmp_path: Path) -> None:
    text = "adapters:\n  discord:\n    token: ''\n    guild_id: '123456789012345678'\n"
    path = tmp_path / "w.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_config(path, environ={}, adapter_models=InstalledAdapters())
    assert any(error.startswith("adapters.discord.token:") for error in refused.value.errors), refused.value.errors
    path.write_text(text.replace("''", "${DISCORD_TOKEN}"), encoding="utf-8")
    config = load_config(path, environ={"DISCORD_TOKEN": TOKEN}, adapter_models=InstalledAdapters())
    settings = config.adapter_settings["discord"]
    assert isinstance(settings, DiscordSettings)
    assert settings.guild_id == 123456789012345678
    assert TOKEN not in repr(settings)  # a secret never shows in logs


def test_a_plain_message_is_content_and_a_titled_one_an_embed_in_its_tone() -> None:
    plain = render(Message.plain("all *good* <@&1> # not a heading"))
    assert plain.embed is None and plain.view is None and plain.allowed_mentions is None
    assert plain.content == r"all \*good\* \<@&1> # not a heading"
    card = render(Message(title="INC-1 · db down", fields=(Field("Status", "investigating"),), tone=Tone.ERROR))
    assert card.content is None and card.embed is not None
    assert card.embed.title == "INC-1 · db down"
    assert card.embed.colour == discord.Colour(0xED4245)
    assert [(f.name, f.value) for f in card.embed.fields] == [("Status", "investigating")]


def test_a_command_hint_is_written_as_the_slash_command() -> None:
    said = Message.of("Take the lead: “", Command("role take commander"), "”.")
    assert render(said).content == "Take the lead: “/incident role take commander”."
    assert render(said, "/ir").content == "Take the lead: “/ir role take commander”."


def test_only_pinged_people_may_be_mentioned() -> None:
    bob = UserRef("discord", "42", "bob")
    message = Message(blocks=(Paragraph((Text("over to "), Mention(bob))),), pings=(bob,))
    rendered = render(message)
    assert rendered.content == "over to <@42>"
    assert rendered.allowed_mentions is not None
    assert rendered.allowed_mentions.to_dict() == {"parse": [], "users": [42]}
    quiet = render(Message(blocks=(Paragraph((Mention(bob),)),)))
    assert quiet.allowed_mentions is None  # the client-wide default: nobody


def test_buttons_carry_the_core_action_as_custom_id_and_never_time_out() -> None:
    buttons = (Button("confirm:7:approve", "Approve"), Button("x" * 101, "Too long for a custom_id"))
    rendered = render(Message(blocks=(Paragraph((Text("approve?"),)),), buttons=buttons))
    assert rendered.view is not None and rendered.view.timeout is None
    components = rendered.view.to_components()
    assert [c["custom_id"] for c in components[0]["components"]] == ["confirm:7:approve"]


def test_escaping_keeps_user_text_literal() -> None:
    assert escape("> quoted\n# heading\n**bold** <@1>") == "\\> quoted\n\\# heading\n\\*\\*bold\\*\\* \\<@1>"


def catalogue(registry: Registry) -> Catalogue:
    """What the app hands the adapter for ``registry``, with the default configuration."""
    return catalogue_of(registry, load_config(None, environ={}))


def test_the_slash_command_fits_discords_limits_and_reads_back_into_argv() -> None:
    slash = SlashCommands(catalogue(builtin_commands().registry), "incident", SUGGESTED)
    options = slash.definition["options"]
    assert len(options) <= MAX_ENTRIES
    names = [o["name"] for o in options]
    assert "role" in names and "role-take" in names and "task" in names
    task = next(o for o in options if o["name"] == "task")
    assert [o["name"] for o in task["options"]] == ["add", "assign", "done"]
    role = next(o for o in options if o["name"] == "role")
    assert [(o["name"], o["type"], o["required"]) for o in role["options"]][:2] == [
        ("role", 3, True),
        ("person", 6, True),
    ]
    data = {
        "name": "incident",
        "options": [
            {
                "type": 1,
                "name": "role",
                "options": [
                    {"name": "role", "type": 3, "value": "commander"},
                    {"name": "person", "type": 6, "value": "9"},
                ],
            }
        ],
        "resolved": {"users": {"9": {"id": "9", "username": "bob.b", "global_name": "Bob"}}, "members": {}},
    }
    invocation = slash.invocation(data)
    assert invocation is not None
    assert invocation.argv == ("role", "commander", "@bob.b")
    assert invocation.mentions == {"bob.b": UserRef("discord", "9", "Bob")}


def test_flags_and_grouped_subcommands_read_back_in_the_cores_order() -> None:
    slash = SlashCommands(catalogue(builtin_commands().registry), "incident", SUGGESTED)
    declare = {
        "name": "incident",
        "options": [
            {
                "type": 1,
                "name": "declare",
                "options": [
                    {"name": "private", "type": 5, "value": True},
                    {"name": "title", "type": 3, "value": "db down --severity 9"},
                    {"name": "affected", "type": 3, "value": "api db"},
                ],
            }
        ],
    }
    found = slash.invocation(declare)
    assert found is not None and found.argv == ("declare", "db down --severity 9", "--private", "--affected", "api,db")
    done = {"type": 1, "name": "done", "options": [{"name": "task", "type": 4, "value": 3}]}
    found = slash.invocation({"name": "incident", "options": [{"type": 2, "name": "task", "options": [done]}]})
    assert found is not None and found.argv == ("task", "done", "3")
    assert slash.invocation({"name": "other", "options": [{"type": 1, "name": "declare"}]}) is None


def test_commands_beyond_discords_25_stay_reachable_through_more() -> None:
    commands = builtin_commands()
    for number in range(10):
        commands.command(CommandSpec((f"extra{number}",), "an extra command", incident_scoped=False))(lambda ctx: None)
    slash = SlashCommands(catalogue(commands.registry), "incident", SUGGESTED)
    options = slash.definition["options"]
    assert len(options) == MAX_ENTRIES and options[-1]["name"] == "more"
    data = {
        "name": "incident",
        "options": [{"type": 1, "name": "more", "options": [{"name": "command", "value": "extra9"}]}],
    }
    found = slash.invocation(data)
    assert found is not None and found.text == "extra9" and found.argv == ()
    again = SlashCommands(catalogue(commands.registry), "incident", SUGGESTED)
    assert slash.digest("a") == again.digest("a") != slash.digest("b")
