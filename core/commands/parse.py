"""Turn a chat line into a ParsedCommand (the commands are in ``registry``, their help in ``describe``).

Chat is not a shell: people type on phones, paste log lines and write
apostrophes, so the rules lean towards keeping what was typed.

* A quote opens only at the start of a word (or right after ``--flag=``) and
  never closes before a letter or digit, so ``can't`` and ``it's`` stay
  apostrophes; text right after a closing quote joins the word. Backslash
  escapes exist only inside double quotes (``\\"`` and ``\\\\``); elsewhere a
  backslash is literal, which keeps pasted paths and regexes intact.
* Typographic quotes are quotes, and a leading em dash (``—owner``) means
  ``--`` because phones "correct" the double hyphen. A quoted word is never a
  flag, and neither is a negative number.
* A TEXT param takes the verbatim rest of the line. Once it has started, flags
  are recognised only in a trailing run where every remaining word is a
  well-formed flag of the command; a flag-like word among the text words,
  or a malformed trailing run, stays part of the text.
* Absent optional params and absent value flags are left out of ``args``;
  BOOL flags are always present (``False`` when not given). ``--incident``
  goes to ``ParsedCommand.incident``, never into ``args``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable

from warroom.core.commands.describe import command_help, help_text, placeholder, usage
from warroom.core.commands.registry import Plan, Registry
from warroom.core.commands.spec import (
    INCIDENT_FLAG,
    CommandSpec,
    Flag,
    Kind,
    Param,
    ParsedCommand,
    PersonToken,
    UsageError,
)
from warroom.core.commands.tokens import DASHES, Token, clip, tokenize
from warroom.core.config.types import parse_duration

# Registry, help and tokens are re-exported: callers that parse need them together.
__all__ = ["Registry", "Token", "command_help", "help_text", "parse", "tokenize", "usage"]

_INT_RE = re.compile(r"[+-]?([0-9]+)")
_INCIDENT_RE = re.compile(r"(?:inc-?|#)?([0-9]+)", re.IGNORECASE)
_NEGATIVE_NUMBER = re.compile(r"-[0-9]")


def parse(text: str, registry: Registry) -> ParsedCommand:
    """Parse ``text``, the line after the command prefix; every mistake is a UsageError."""
    return _parse_tokens(text, tokenize(text), registry)


def _parse_tokens(text: str, tokens: list[Token], registry: Registry) -> ParsedCommand:
    if not tokens:
        raise UsageError("Which command?")
    found = registry.match([token.value for token in tokens[: registry.longest]])
    if found is None:
        raise _unknown_command(tokens, registry)
    plan, used = found
    return _Binder(text, plan).bind(tokens[used:])


def _unknown_command(tokens: list[Token], registry: Registry) -> UsageError:
    first = tokens[0].value
    family = registry.group(first)
    if family and len(tokens) == 1:
        names = ", ".join(f"“{spec.name}”" for spec in family)
        return UsageError(f"“{first}” needs one more word: {names}.")
    word = f"{first} {tokens[1].value}" if family else first
    message = f"I don't know the command “{clip(word)}”."
    # "tsk add" is best matched whole, "delcare the outage" by its first word.
    tries = [f"{first} {tokens[1].value}", first] if len(tokens) > 1 else [first]
    close = [m for t in tries for m in difflib.get_close_matches(t.lower(), registry.names(), n=1)]
    if close:
        message += f" Did you mean “{close[0]}”?"
    return UsageError(message)


class _Binder:
    """Parse state for one line of one command; a class only so the helpers share it."""

    __slots__ = ("args", "given", "incident", "long", "plan", "short", "spec", "text")

    def __init__(self, text: str, plan: Plan) -> None:
        self.text = text
        self.plan = plan
        self.spec = plan.spec
        self.long = plan.long
        self.short = plan.short
        self.args: dict[str, object] = dict.fromkeys(plan.bools, False)
        self.given: set[str] = set()
        self.incident: int | None = None

    def bind(self, tokens: list[Token]) -> ParsedCommand:
        positional: list[Token] = []
        literal = False  # after `--`
        text_at = self.plan.text_at
        i = 0
        while i < len(tokens):
            token = tokens[i]
            raw = self._raw(token) if not literal else ""
            if not literal and _is_flag(raw):
                flag, value, i = self._read_flag(tokens, i)
                self._store_flag(flag, value)
            elif not literal and raw == "--":
                literal = True
                i += 1
            elif len(positional) == text_at:
                end = len(tokens) if literal else self._text_end(tokens, i)
                self._store_text(self.spec.params[-1], tokens[i:end])
                i = end  # anything left is trailing flags
            else:
                positional.append(token)
                i += 1
        self._bind_positional(positional)
        return ParsedCommand(self.spec, self.args, self.incident)

    def _raw(self, token: Token) -> str:
        """The token as written: only a quoted token differs from its value."""
        return self.text[token.start : token.end] if token.quoted else token.value

    def _is_flag(self, token: Token) -> bool:
        return _is_flag(self._raw(token))

    def _read_flag(self, tokens: list[Token], i: int, quiet: bool = False) -> tuple[Flag, str | None, int]:
        """The flag at ``i``, its raw value (None for BOOL) and the index after it.

        ``quiet`` only tells whether a flag is well formed: an unknown one raises without suggestions.
        """
        value = tokens[i].value
        name, equals, inline = ("--" + value[1:] if value.startswith("—") else value).partition("=")
        flag = self._lookup(name, quiet)
        if flag.kind is Kind.BOOL:
            if equals:
                raise UsageError(f"--{flag.name} is a switch and takes no value.", self.spec)
            return flag, None, i + 1
        if inline:
            return flag, inline, i + 1
        nxt = tokens[i + 1] if i + 1 < len(tokens) and not equals else None
        if nxt is None or self._is_flag(nxt) or self._raw(nxt) == "--":
            raise UsageError(f"--{flag.name} needs a value: {placeholder(flag)}.", self.spec)
        return flag, nxt.value, i + 2

    def _lookup(self, written: str, quiet: bool = False) -> Flag:
        flag = self.long.get(written[2:].lower()) if written.startswith("--") else self.short.get(written[1:])
        if flag is not None:
            return flag
        if quiet:
            raise UsageError("no such flag", self.spec)
        message = f"“{self.spec.name}” has no flag {clip(written)}."
        options = [f"--{name}" for name in self.long] + [f"-{short}" for short in self.short]
        close = difflib.get_close_matches(written.lower(), options, n=1)
        if close:
            message += f" Did you mean {close[0]}?"
        raise UsageError(message, self.spec)

    def _store_flag(self, flag: Flag, raw: str | None) -> None:
        if flag.name in self.given:
            raise UsageError(f"--{flag.name} was given twice; give it once.", self.spec)
        self.given.add(flag.name)
        value = True if raw is None else _convert(flag.kind, raw, f"--{flag.name}", flag.choices, self.spec)
        if flag is not INCIDENT_FLAG:
            self.args[flag.name] = value
        elif isinstance(value, int):
            self.incident = value

    def _text_end(self, tokens: list[Token], start: int) -> int:
        """Where the text stops: the earliest point after which every token is a well-formed flag."""
        well_formed = [False] * len(tokens) + [True]  # [j]: tokens[j:] are all flags
        end = len(tokens)
        for j in range(len(tokens) - 1, start, -1):
            if self._is_flag(tokens[j]):
                try:
                    _, _, after = self._read_flag(tokens, j, quiet=True)
                except UsageError:
                    continue
                well_formed[j] = well_formed[after]
            if well_formed[j]:
                end = j
            elif not well_formed[j + 1]:
                # A flag takes at most one value, so no flag before two ill-formed places can
                # reach a well-formed run: the rest of the line is text.
                break
        return end

    def _store_text(self, param: Param, tokens: list[Token]) -> None:
        one_quoted = len(tokens) == 1 and tokens[0].quoted
        value = tokens[0].value if one_quoted else self.text[tokens[0].start : tokens[-1].end]
        if value.strip():  # a blank text counts as missing
            choices = param.choices
            self.args[param.name] = _convert(Kind.TEXT, value, param.name, choices, self.spec) if choices else value

    def _bind_positional(self, tokens: list[Token]) -> None:
        i = 0
        for param in self.spec.params:
            if param.name in self.args:  # a TEXT param already taken
                continue
            if param.kind is not Kind.TEXT and i < len(tokens):
                # WORDS takes every remaining word; joining on commas splits them all alike.
                taken = tokens[i:] if param.kind is Kind.WORDS else tokens[i : i + 1]
                i += len(taken)
                value = _convert(param.kind, ",".join(t.value for t in taken), param.name, param.choices, self.spec)
                if value != ():  # WORDS that were only commas count as missing
                    self.args[param.name] = value
                    continue
            if param.required:
                needs = f"“{self.spec.name}” needs {param.name}"
                raise UsageError(f"{needs}: {param.help}." if param.help else f"{needs}.", self.spec)
        if i < len(tokens):
            extra = " ".join(token.value for token in tokens[i:])
            message = f"Too many words for “{self.spec.name}”: I don't know what to do with “{clip(extra)}”."
            if any(param.kind is Kind.WORD for param in self.spec.params):
                message += " Put quotes around a value that has spaces."
            raise UsageError(message, self.spec)


def _is_flag(raw: str) -> bool:
    return raw.startswith(DASHES) and len(raw) > 1 and raw != "--" and not _NEGATIVE_NUMBER.match(raw)


def _split_words(raw: str) -> list[str]:
    return [word.strip() for word in raw.split(",") if word.strip()]


def _convert(kind: Kind, raw: str, label: str, choices: tuple[str, ...], spec: CommandSpec) -> object:
    """One value of one param or flag; the readers say what is wrong and the label is added here."""
    try:
        if kind is Kind.WORDS:
            return tuple(_choose(word, choices) for word in _split_words(raw))
        reader = _READERS.get(kind)
        return reader(raw) if reader else _choose(raw, choices)
    except ValueError as problem:
        raise UsageError(f"{label} {problem}", spec) from None


def _int(raw: str) -> int:
    if not _INT_RE.fullmatch(raw):
        raise ValueError(f"must be a whole number, not “{clip(raw)}”.")
    if len(raw) > 19:  # also keeps int() away from its digit limit
        raise ValueError("is too large.")
    return int(raw)


def _person(raw: str) -> PersonToken:
    name = raw[1:].strip() if raw.startswith("@") else ""
    if not name:
        raise ValueError(f"must be a mention like @alex, not “{clip(raw)}”.")
    return PersonToken(name)


def _incident(raw: str) -> int:
    match = _INCIDENT_RE.fullmatch(raw)
    if match is None or len(match.group(1)) > 9 or int(match.group(1)) == 0:
        raise ValueError(f"must be an incident like INC-12, not “{clip(raw)}”.")
    return int(match.group(1))


def _choose(value: str, choices: tuple[str, ...]) -> str:
    for choice in choices:
        if choice.casefold() == value.casefold():
            return choice
    if choices:
        raise ValueError(f"must be one of {', '.join(choices)}, not “{clip(value)}”.")
    return value


_READERS: dict[Kind, Callable[[str], object]] = {
    Kind.INT: _int,
    Kind.PERSON: _person,
    Kind.DURATION: parse_duration,
    Kind.INCIDENT: _incident,
}
