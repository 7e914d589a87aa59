"""Command words to specs, and what parsing needs to know about each spec.

Both the parser and the help texts read the registry, so it sits below them:
imports go parse → describe → registry → spec, never back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from warroom.core.commands.spec import CommandSpec, Kind, flags_of


class Registry:
    """Command words to specs.

    Paths and aliases share one namespace so a plugin cannot silently shadow a
    built-in; ``add`` refuses clashes and malformed specs at startup rather
    than as a confusing parse in the middle of an incident. ``add`` also
    prepares what parsing needs (flag tables, the longest command), so a
    parse does no per-spec work.
    """

    def __init__(self, specs: Iterable[CommandSpec] = ()) -> None:
        self._specs: list[CommandSpec] = []
        self._by_words: dict[tuple[str, ...], Plan] = {}
        self._longest = 0  # words in the longest path or alias
        for spec in specs:
            self.add(spec)

    def add(self, spec: CommandSpec) -> None:
        _check_spec(spec)
        keys = [_key(words) for words in (spec.path, *spec.aliases)]
        for key in keys:
            if not key or key in self._by_words or keys.count(key) > 1:
                raise ValueError(f"command words {' '.join(key)!r} are empty or already taken")
        self._specs.append(spec)
        self._by_words.update(dict.fromkeys(keys, Plan(spec)))
        self._longest = max(self._longest, *map(len, keys))

    @property
    def longest(self) -> int:
        """Words in the longest path or alias: no more of a line can name the command."""
        return self._longest

    def find(self, words: Sequence[str]) -> tuple[CommandSpec, int] | None:
        """The spec for the longest path or alias the words start with, and how many words it used."""
        found = self.match(words)
        return None if found is None else (found[0].spec, found[1])

    def match(self, words: Sequence[str]) -> tuple[Plan, int] | None:
        """Like :meth:`find`, with the plan the parser binds the rest of the line by."""
        lowered = [word.lower() for word in words[: self._longest]]
        for count in range(len(lowered), 0, -1):
            plan = self._by_words.get(tuple(lowered[:count]))
            if plan is not None:
                return plan, count
        return None

    def specs(self) -> list[CommandSpec]:
        return list(self._specs)

    def group(self, word: str) -> list[CommandSpec]:
        """Specs whose path starts with ``word``: what ``help task`` shows."""
        return [spec for spec in self._specs if spec.path[0].lower() == word.lower()]

    def names(self) -> list[str]:
        """Every way of writing a command, for suggestions and completion."""
        return [" ".join(key) for key in self._by_words]


class Plan:
    """What binding needs to know about one spec, worked out once when it is registered."""

    __slots__ = ("bools", "long", "short", "spec", "text_at")

    def __init__(self, spec: CommandSpec) -> None:
        flags = flags_of(spec)
        self.spec = spec
        self.long = {flag.name.lower(): flag for flag in flags}
        self.short = {flag.short: flag for flag in flags if flag.short}
        self.bools = tuple(flag.name for flag in spec.flags if flag.kind is Kind.BOOL)
        params = spec.params
        # The index of a trailing TEXT param, or -1: the positionals bound before the text starts.
        self.text_at = len(params) - 1 if params and params[-1].kind is Kind.TEXT else -1


def _key(words: Sequence[str]) -> tuple[str, ...]:
    return tuple(word.lower() for word in words)


def _check_spec(spec: CommandSpec) -> None:
    kinds = [param.kind for param in spec.params]
    if Kind.BOOL in kinds or Kind.TEXT in kinds[:-1] or Kind.WORDS in kinds[:-1]:
        raise ValueError(f"{spec.name}: only the last param may be TEXT or WORDS, and BOOL is for flags")
    flags = flags_of(spec)
    keys = [param.name for param in spec.params] + [flag.name for flag in spec.flags]
    options = [f"--{flag.name.lower()}" for flag in flags] + [f"-{flag.short}" for flag in flags if flag.short]
    for names in (keys, options):
        if len(set(names)) < len(names):
            raise ValueError(f"{spec.name}: a name is declared twice in {names} (--incident is built in)")
