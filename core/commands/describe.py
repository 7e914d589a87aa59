"""Describe commands back to people: usage lines, the command list and per-command help.

Kept apart from the parser so each stays small; the parser re-exports these names. ``flags_of``
is the spec's own, and is importable from here too for the adapters that still look for it here.
"""

from __future__ import annotations

from warroom.core.commands.registry import Registry
from warroom.core.commands.spec import CommandSpec, Flag, Kind, Param, flags_of

__all__ = ["command_help", "flag_value", "flags_of", "help_text", "param_usage", "placeholder", "typed_with", "usage"]


def usage(spec: CommandSpec, prefix: str = "/incident") -> str:
    """One line people can copy: ``/incident task add <title…> [--owner @person]``."""
    parts = [f"{prefix} {spec.name}".lstrip()]
    parts += [param_usage(param) for param in spec.params]
    parts += [f"[--{flag.name}{flag_value(flag)}]" for flag in spec.flags]
    return " ".join(parts)


def help_text(registry: Registry, prefix: str = "/incident") -> str:
    """Single-word commands first, then each family (``task …``) under its own heading."""
    specs = registry.specs()
    families = dict.fromkeys(spec.path[0].lower() for spec in specs if len(spec.path) > 1)
    sections = [("Commands:", [s for s in specs if s.path[0].lower() not in families])]
    sections += [(f"\n{word}:", registry.group(word)) for word in families]
    lines: list[str] = []
    for heading, members in sections:
        lines.append(heading)
        lines += [f"  {usage(spec, prefix)}\n      {spec.summary}" for spec in members]
    if any(spec.incident_scoped for spec in specs):
        lines += ["", "Commands about an incident use the channel's incident; add --incident INC-n to pick another."]
    lines.append("Details on one command: " + f"{prefix} help <command>".lstrip())
    return "\n".join(lines)


def command_help(spec: CommandSpec, prefix: str = "/incident") -> str:
    lines = [usage(spec, prefix), spec.summary]
    if spec.details:
        lines += ["", spec.details]
    if spec.params:
        lines += ["", "Arguments:"]
        lines += [f"  {param_usage(param)}  {param.help}".rstrip() for param in spec.params]
    flags = flags_of(spec)
    if flags:
        lines += ["", "Flags:"]
        for flag in flags:
            names = f"-{flag.short}, --{flag.name}" if flag.short else f"--{flag.name}"
            lines.append(f"  {names}{flag_value(flag)}  {flag.help}".rstrip())
    if spec.aliases:
        lines += ["", "Also written: " + ", ".join(f"{prefix} {' '.join(alias)}".lstrip() for alias in spec.aliases)]
    if spec.examples:
        lines += ["", "Examples:"] + [f"  {typed_with(example, prefix)}" for example in spec.examples]
    return "\n".join(lines)


def typed_with(example: str, prefix: str) -> str:
    """An example as typed with ``prefix``: examples are written with one (``/incident …``), platforms differ."""
    first, _, rest = example.partition(" ")
    if first[:1].isalnum():
        return example
    return f"{prefix} {rest}".strip() if rest else prefix


def param_usage(param: Param) -> str:
    inner = "|".join(param.choices) if param.choices else param.name
    if param.kind in (Kind.TEXT, Kind.WORDS):
        inner += "…"
    return f"<{inner}>" if param.required else f"[{inner}]"


def placeholder(flag: Flag) -> str:
    if flag.choices:
        return "|".join(flag.choices)
    known = {Kind.PERSON: "@person", Kind.DURATION: "<duration>", Kind.INT: "<n>", Kind.INCIDENT: "INC-n"}
    return known.get(flag.kind, f"<{flag.name},…>" if flag.kind is Kind.WORDS else f"<{flag.name}>")


def flag_value(flag: Flag) -> str:
    return "" if flag.kind is Kind.BOOL else f" {placeholder(flag)}"
