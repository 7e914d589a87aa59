"""A command declared as a typed method: the spec read from its signature, and the handler that calls it."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any, Literal, Optional

import pytest
from warroom.core.commands.build import build
from warroom.core.commands.declare import (
    PersonArg,
    TextArg,
    command,
    command_info,
    command_spec,
    flag_name,
    parameter_name,
)
from warroom.core.commands.spec import CommandSpec, Flag, Kind, Param, PersonToken


class Group:
    def __init__(self) -> None:
        self.calls: list[tuple[object, dict[str, object]]] = []

    @command(
        "page",
        "team",
        examples=["/incident page team ops db --urgency high"],
        help={"who": "whoever is paged", "teams": "team names", "in_": "when", "urgency": "how loud"},
        short={"urgency": "u"},
        aliases=[["page"]],
        incident_scoped=False,
    )
    def page(
        self,
        ctx: object,
        who: PersonArg,
        mode: Literal["call", "text"],
        count: int | None = None,
        teams: tuple[str, ...] = (),
        *,
        in_: timedelta | None = None,
        urgency: Optional[Literal["low", "high"]] = None,  # noqa: UP045 (the older spelling works too)
        quiet: bool = False,
        tags: tuple[Literal["db", "api"], ...] = (),
    ) -> None:
        """Page a team.

        Paging wakes people up:
        page only for what cannot wait.
        """
        self.calls.append((ctx, {"who": who, "mode": mode, "count": count, "teams": teams, "in_": in_}))

    @command("note")
    def note(self, ctx: object, text: TextArg, *, by: str | None = None) -> None:
        """Note something."""
        self.calls.append((ctx, {"text": text, "by": by}))


def spec_of(method: Any) -> CommandSpec:
    info = command_info(method)
    assert info is not None
    return command_spec(method, info)


def test_the_signature_is_the_spec() -> None:
    assert spec_of(Group.page) == CommandSpec(
        ("page", "team"),
        "Page a team.",
        params=(
            Param("who", Kind.PERSON, "whoever is paged"),
            Param("mode", Kind.WORD, choices=("call", "text")),
            Param("count", Kind.INT, required=False),
            Param("teams", Kind.WORDS, "team names", required=False),
        ),
        flags=(
            Flag("in", Kind.DURATION, "when"),
            Flag("urgency", Kind.WORD, "how loud", short="u", choices=("low", "high")),
            Flag("quiet", Kind.BOOL),
            Flag("tags", Kind.WORDS, choices=("db", "api")),
        ),
        examples=("/incident page team ops db --urgency high",),
        aliases=(("page",),),
        incident_scoped=False,
        details="Paging wakes people up:\npage only for what cannot wait.",
    )
    assert spec_of(Group.note) == CommandSpec(
        ("note",), "Note something.", params=(Param("text", Kind.TEXT),), flags=(Flag("by", Kind.WORD),)
    )


def test_a_keyword_flag_is_written_without_its_underscore() -> None:
    assert (flag_name("in_"), flag_name("all"), flag_name("type_")) == ("in", "all", "type_")
    assert (parameter_name("in"), parameter_name("all")) == ("in_", "all")


def test_what_cannot_be_a_command_is_refused_when_it_is_declared() -> None:
    with pytest.raises(ValueError):
        command()

    def undocumented(self: object, ctx: object) -> None: ...

    def positional_switch(self: object, ctx: object, force: bool) -> None:
        """Force it."""

    def unsupported(self: object, ctx: object, ratio: float) -> None:
        """Take a ratio."""

    def numbers(self: object, ctx: object, ids: tuple[int, ...]) -> None:
        """Take numbers."""

    def numeric_choice(self: object, ctx: object, level: Literal[1, 2]) -> None:
        """Take a level."""

    with pytest.raises(TypeError, match="needs a docstring"):
        spec_of(command("x")(undocumented))
    with pytest.raises(TypeError, match="must be keyword-only"):
        spec_of(command("x")(positional_switch))
    for method in (unsupported, numbers, numeric_choice):
        with pytest.raises(TypeError, match="supported annotations"):
            spec_of(command("x")(method))


def test_the_handler_calls_the_method_with_keyword_arguments_and_people_resolved() -> None:
    group = Group()
    spec, handle = build(group.page)  # type: ignore[arg-type]
    assert spec == spec_of(Group.page)
    people = {"ana": 7}
    args = {"who": PersonToken("ana"), "mode": "call", "in": timedelta(minutes=5), "quiet": False}
    ctx = SimpleNamespace(
        args=args,
        person=lambda key: people[args[key].name],  # type: ignore[union-attr]
        service=SimpleNamespace(people=SimpleNamespace(name=lambda person_id: f"person {person_id}")),
    )
    handle(ctx)  # type: ignore[arg-type]
    assert group.calls == [
        (
            ctx,
            {"who": PersonArg(7, "person 7"), "mode": "call", "count": None, "teams": (), "in_": timedelta(minutes=5)},
        )
    ]
    _, handle = build(group.note, lambda ctx: ("made from", ctx))  # type: ignore[arg-type]
    handle(SimpleNamespace(args={"text": "hi"}))  # type: ignore[arg-type]
    assert group.calls[-1][0][0] == "made from"


def test_only_a_declared_method_builds() -> None:
    class Plain:
        def method(self, ctx: object) -> None:
            """Not a command."""

    with pytest.raises(TypeError, match="not declared with @command"):
        build(Plain().method)  # type: ignore[arg-type]
