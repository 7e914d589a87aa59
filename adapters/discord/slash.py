"""The ``/incident`` slash command, generated from the host's command catalogue, and read back.

Each command becomes a subcommand (``task add`` a subcommand of the group
``task``, or ``role-take`` where ``role`` is a command itself) whose options
are its parameters and flags; a TEXT parameter is one free-text option. Discord
allows 25 subcommands per command: what does not fit is reachable through
``/incident more command:<as typed in chat>``. An invocation is read back into
the argv the core parses, with every chosen user as a mention.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from warroom.core.adapter import Catalogue, CatalogueCommand, CatalogueOption, OptionKind, UserRef

log = logging.getLogger(__name__)

SUB_COMMAND, GROUP, STRING, INTEGER, BOOLEAN, USER = 1, 2, 3, 4, 5, 6
MAX_ENTRIES = 25
MAX_CHOICES = 25
DESCRIPTION_LIMIT = 100
MORE = "more"
_NAME = re.compile(r"^[-_\w]{1,32}$")
_TOKEN = re.compile(r"^[\w.-]+$")
_TYPES = {OptionKind.INT: INTEGER, OptionKind.PERSON: USER, OptionKind.BOOL: BOOLEAN}
_HINTS = {OptionKind.DURATION: " (e.g. 30m, 1h30m)", OptionKind.INCIDENT: " (INC-n)"}

Suggest = Callable[[str, str], Sequence[tuple[str, str | int]]]
"""``(option name, typed so far)`` → ``(label, value)`` candidates for autocompletion."""


@dataclass(frozen=True, slots=True)
class Invocation:
    """What the person asked for: ``argv`` from a subcommand, or ``text`` typed into ``/incident more``."""

    argv: tuple[str, ...] = ()
    text: str = ""
    mentions: dict[str, UserRef] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Target:
    spec: CatalogueCommand | None  # None: the catch-all ``more``
    options: dict[str, CatalogueOption]


def person_token(user_id: str, username: str) -> str:
    """How a Discord user is written as ``@token`` for the core: the unique username, else the id."""
    return username if username and _TOKEN.match(username) else user_id


class SlashCommands:
    """The slash command's definition for one catalogue, and how to read its invocations back."""

    def __init__(self, catalogue: Catalogue, name: str, suggested: frozenset[str]) -> None:
        self.catalogue = catalogue
        self.name = name
        self._suggested = suggested
        self._targets: dict[tuple[str, ...], _Target] = {}
        self.definition = self._build()

    def digest(self, scope: str) -> str:
        """Changes exactly when what Discord must be told changes."""
        text = json.dumps({"scope": scope, "command": self.definition}, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()

    def invocation(self, data: Mapping[str, Any]) -> Invocation | None:
        """The command in an interaction's ``data``; None when it is not one of ours."""
        found = self._find(data)
        if found is None:
            return None
        target, values = found
        people = _resolved(data)
        mentions = dict(people.values())
        if target.spec is None:
            return Invocation(text=str(values.get("command", "")), mentions=mentions)
        argv = list(target.spec.path)
        for name, option in target.options.items():
            if name not in values:
                continue
            value = values[name]
            if option.flag:
                if option.kind is OptionKind.BOOL:
                    argv += [f"--{option.name}"] if value else []
                    continue
                argv.append(f"--{option.name}")
            if option.kind is OptionKind.PERSON:
                argv.append("@" + people[str(value)][0] if str(value) in people else "@" + str(value))
            elif option.kind is OptionKind.WORDS:
                argv.append(",".join(word for word in re.split(r"[\s,]+", str(value)) if word))
            else:
                argv.append(str(value))
        return Invocation(argv=tuple(argv), mentions=mentions)

    def focused(self, data: Mapping[str, Any]) -> tuple[str, str] | None:
        """The option being typed into (its name and text so far), for autocompletion."""
        found = self._find(data, focused=True)
        if found is None:
            return None
        _target, values = found
        return next(((name, str(value)) for name, value in values.items()), None)

    def _find(self, data: Mapping[str, Any], *, focused: bool = False) -> tuple[_Target, dict[str, Any]] | None:
        if data.get("name") != self.name or not data.get("options"):
            return None
        first = data["options"][0]
        key: tuple[str, ...] = (first["name"],)
        options = first.get("options", [])
        if first.get("type") == GROUP and options:
            key, options = (first["name"], options[0]["name"]), options[0].get("options", [])
        target = self._targets.get(key)
        if target is None:
            return None
        values = {o["name"]: o.get("value") for o in options if not focused or o.get("focused")}
        return target, values

    def _build(self) -> dict[str, Any]:
        entries: dict[str, dict[str, Any]] = {}
        commands = self.catalogue.commands
        singles = {spec.path[0].lower() for spec in commands if len(spec.path) == 1}
        overflow: list[str] = []  # the 25th place is kept for ``more``, which reaches these
        for spec in commands:
            words = tuple(word.lower() for word in spec.path)
            grouped = len(words) == 2 and words[0] not in singles
            key = words if grouped else ("-".join(words),)
            if not all(_NAME.match(word) for word in key) or key[0] == MORE:
                log.warning("the command %r has no slash form; it stays reachable as /%s more", spec.name, self.name)
                overflow.append(spec.name)
                continue
            sub, options = self._subcommand(key[-1], spec)
            if grouped:
                group = entries.get(key[0]) or {"type": GROUP, "name": key[0], "options": []}
                full = key[0] not in entries and len(entries) >= MAX_ENTRIES - 1
                if full or len(group["options"]) >= MAX_ENTRIES:
                    overflow.append(spec.name)
                    continue
                group.setdefault("description", _describe(f"{key[0]} …"))
                group["options"].append(sub)
                entries[key[0]] = group
            elif len(entries) >= MAX_ENTRIES - 1:
                overflow.append(spec.name)
                continue
            else:
                entries[key[0]] = sub
            self._targets[key] = _Target(spec, options)
        if overflow:
            entries[MORE] = self._more(overflow)
        return {
            "name": self.name,
            "type": 1,
            "description": "Warroom incident response",
            "options": list(entries.values()),
            "contexts": [0],
            "integration_types": [0],
        }

    def _subcommand(self, name: str, spec: CatalogueCommand) -> tuple[dict[str, Any], dict[str, CatalogueOption]]:
        options: dict[str, CatalogueOption] = {}  # in the order the core reads them
        for option in spec.options:
            option_name = option.name.lower()
            if option_name in options or not _NAME.match(option_name):
                log.warning("skipping the option %r of %r: its name is taken or not valid", option.name, spec.name)
                continue
            options[option_name] = option
        sub = {
            "type": SUB_COMMAND,
            "name": name,
            "description": _describe(spec.summary),
            "options": sorted(  # Discord wants required options first
                (self._option(option_name, option) for option_name, option in options.items()),
                key=lambda o: not o["required"],
            )[:MAX_ENTRIES],
        }
        return sub, options

    def _option(self, name: str, option: CatalogueOption) -> dict[str, Any]:
        kind = option.kind
        described = _describe((option.help or option.name) + _HINTS.get(kind, ""))
        result: dict[str, Any] = {"type": _TYPES.get(kind, STRING), "name": name, "description": described}
        result["required"] = not option.flag and option.required
        if option.choices and len(option.choices) <= MAX_CHOICES:
            result["choices"] = [{"name": choice, "value": choice} for choice in option.choices]
        elif name in self._suggested and kind in (OptionKind.WORD, OptionKind.INT, OptionKind.WORDS):
            result["autocomplete"] = True
        return result

    def _more(self, names: list[str]) -> dict[str, Any]:
        self._targets[(MORE,)] = _Target(None, {})
        described = _describe("More: " + ", ".join(dict.fromkeys(name.split()[0] for name in names)))
        command = {
            "type": STRING,
            "name": "command",
            "description": "the command as typed in chat, e.g. “action restart db-1”",
            "required": True,
            "autocomplete": True,
        }
        return {"type": SUB_COMMAND, "name": MORE, "description": described, "options": [command]}


def autocomplete_choices(candidates: Sequence[tuple[str, str | int]], typed: str) -> list[tuple[str, str | int]]:
    """Candidates containing what was typed, those starting with it first; at most Discord's 25."""
    typed = typed.strip().lower()
    hits = [c for c in candidates if typed in c[0].lower() or typed in str(c[1]).lower()]
    hits.sort(key=lambda c: not (c[0].lower().startswith(typed) or str(c[1]).lower().startswith(typed)))
    return hits[:MAX_CHOICES]


def _resolved(data: Mapping[str, Any]) -> dict[str, tuple[str, UserRef]]:
    """Users the interaction resolved: id → (``@token``, who), named as people see them (nickname first)."""
    resolved = data.get("resolved", {})
    members = resolved.get("members", {})
    found = {}
    for user_id, user in resolved.get("users", {}).items():
        username = str(user.get("username", ""))
        nick = members.get(user_id, {}).get("nick")
        display = nick or user.get("global_name") or username or user_id
        found[user_id] = (person_token(user_id, username), UserRef("discord", user_id, display))
    return found


def _describe(text: str) -> str:
    text = " ".join(text.split()) or "—"
    return text if len(text) <= DESCRIPTION_LIMIT else text[: DESCRIPTION_LIMIT - 1] + "…"
