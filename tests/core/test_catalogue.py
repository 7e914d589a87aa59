"""The command catalogue adapters build native command forms from: the registry and the config, read-only."""

from __future__ import annotations

from pathlib import Path

from warroom.core.adapter import CatalogueOption, OptionKind, SeverityLevel, Term
from warroom.core.app import Warroom, catalogue_of
from warroom.core.commands.builtin import builtin_commands
from warroom.core.config.loader import load_config
from warroom.core.plugin import Call, Plugin, TextArg, command


class Shout(Plugin):
    @command("shout")
    def shout(self, call: Call, what: TextArg) -> None:
        """Say something loudly."""
        call.reply(what.upper())


def test_every_command_is_listed_with_its_parameters_then_its_flags() -> None:
    registry = builtin_commands().registry
    catalogue = catalogue_of(registry, load_config(None, environ={}))
    assert [c.path for c in catalogue.commands] == [spec.path for spec in registry.specs()]
    assert catalogue.names() == registry.names()
    role = next(c for c in catalogue.commands if c.name == "role take")
    found = registry.find(["role", "take"])
    assert found is not None and role.summary == found[0].summary
    assert role.options[0] == CatalogueOption("role", OptionKind.WORD, role.options[0].help, required=True)
    last = role.options[-1]
    assert (last.name, last.kind, last.flag) == ("incident", OptionKind.INCIDENT, True)
    declare = next(c for c in catalogue.commands if c.name == "declare")
    assert declare.options[0].kind is OptionKind.TEXT and declare.options[0].required
    assert not any(option.required for option in declare.options if option.flag)
    assert "incident" not in {option.name for option in declare.options}  # declaring is not about an incident


def test_the_vocabulary_comes_from_the_config() -> None:
    config = load_config(None, environ={})
    catalogue = catalogue_of(builtin_commands().registry, config)
    assert catalogue.prefixes == ("/incident", "!incident")
    assert catalogue.roles[0] == Term("commander", config.role_descriptions()["commander"])
    assert [term.name for term in catalogue.statuses] == list(config.status_names())
    assert [term.name for term in catalogue.kinds] == list(config.kinds)
    first = config.severities[0]
    assert catalogue.severities[0] == SeverityLevel(first.level, first.name, first.description)


async def test_the_app_hands_out_one_catalogue_until_the_commands_change(tmp_path: Path) -> None:
    app = Warroom(load_config(None, environ={"WARROOM_DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}"}))
    await app.start(plugins=False)
    before = app.catalogue()
    assert app.catalogue() is before
    assert await app.plugins.load_class("shout", Shout)
    after = app.catalogue()
    assert after is not before and "shout" in after.names() and "shout" not in before.names()
    assert app.catalogue() is after
    await app.close()
