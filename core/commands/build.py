"""From a declared command method to its spec and handler: the one path built-ins and plugins share.

The handler calls the method with keyword arguments made from what was parsed: a flag
by its parameter's name (``--in`` is ``in_``), a mention as a :class:`PersonArg`,
resolved (the person created on first sight) as the command runs. What the method
runs with is the caller's choice: a built-in gets the :class:`CommandContext`, a
plugin the narrower ``Call`` the plugin host makes from it.
"""

from __future__ import annotations

from collections.abc import Callable
from types import MethodType

from warroom.core.commands.context import CommandContext, CommandSet, Handler
from warroom.core.commands.declare import PersonArg, command_info, command_spec, parameter_name
from warroom.core.commands.spec import CommandSpec, Flag, Kind, Param, PersonToken


def build(
    method: MethodType, runs_with: Callable[[CommandContext], object] | None = None
) -> tuple[CommandSpec, Handler]:
    """The spec read from a bound ``@command`` method's signature, and the handler that calls it."""
    info = command_info(method)
    if info is None:
        raise TypeError(f"{method.__qualname__} is not declared with @command")
    spec = command_spec(method.__func__, info)
    options: tuple[Param | Flag, ...] = (*spec.params, *spec.flags)
    mentions = frozenset(option.name for option in options if option.kind is Kind.PERSON)
    renamed = any(parameter_name(option.name) != option.name for option in options)

    def handle(ctx: CommandContext) -> None:
        arguments = {parameter_name(key): _argument(ctx, key, value) for key, value in ctx.args.items()}
        method(ctx if runs_with is None else runs_with(ctx), **arguments)

    def handle_as_parsed(ctx: CommandContext) -> None:
        method(ctx if runs_with is None else runs_with(ctx), **ctx.args)

    # Most commands take no mention and no keyword-named flag: they get the parsed arguments as they are,
    # which keeps the per-command cost of the shared path at what a hand-written handler costs.
    return spec, handle if mentions or renamed else handle_as_parsed


def add_commands(commands: CommandSet, group: object) -> None:
    """Register every command ``group``'s class declares, in the order it declares them (help lists them so)."""
    for name, member in vars(type(group)).items():
        if command_info(member) is not None:
            spec, handler = build(getattr(group, name))
            commands.command(spec)(handler)


def _argument(ctx: CommandContext, key: str, value: object) -> object:
    if isinstance(value, PersonToken):
        person_id = ctx.person(key)
        return PersonArg(person_id, ctx.service.people.name(person_id))
    return value
