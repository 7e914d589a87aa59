"""Turn a chat line into a ParsedCommand (describing commands back to people is in ``describe``).

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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from .describe import INCIDENT_FLAG, command_help, flags_of, help_text, placeholder, usage
from .spec import CommandSpec, Flag, Kind, Param, ParsedCommand, PersonToken, UsageError

__all__ = ["Registry", "Token", "command_help", "help_text", "parse", "tokenize", "usage"]

_DOUBLE = '"“”„'
_SINGLE = "'‘’"
_QUOTES = _DOUBLE + _SINGLE
_DASHES = ("-", "—")
_MAX_DURATION = int(timedelta(days=30).total_seconds())
_INT_RE = re.compile(r"[+-]?([0-9]+)")
_INCIDENT_RE = re.compile(r"(?:inc-?|#)?([0-9]+)", re.IGNORECASE)
_DURATION_RE = re.compile(r"(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?", re.IGNORECASE)
_UNIT_SECONDS = (86400, 3600, 60, 1)
_NEGATIVE_NUMBER = re.compile(r"-[0-9]")


class Registry:
    """Command words to specs.

    Paths and aliases share one namespace so a plugin cannot silently shadow a
    built-in; ``add`` refuses clashes and malformed specs at startup rather
    than as a confusing parse in the middle of an incident.
    """

    def __init__(self, specs: Iterable[CommandSpec] = ()) -> None:
        self._specs: list[CommandSpec] = []
        self._by_words: dict[tuple[str, ...], CommandSpec] = {}
        for spec in specs:
            self.add(spec)

    def add(self, spec: CommandSpec) -> None:
        _check_spec(spec)
        keys = [_key(words) for words in (spec.path, *spec.aliases)]
        for key in keys:
            if not key or key in self._by_words or keys.count(key) > 1:
                raise ValueError(f"command words {' '.join(key)!r} are empty or already taken")
        self._specs.append(spec)
        self._by_words.update(dict.fromkeys(keys, spec))

    def find(self, words: Sequence[str]) -> tuple[CommandSpec, int] | None:
        """The spec for the longest path or alias the words start with, and how many words it used."""
        longest = max((len(key) for key in self._by_words), default=0)
        for count in range(min(longest, len(words)), 0, -1):
            spec = self._by_words.get(_key(words[:count]))
            if spec is not None:
                return spec, count
        return None

    def specs(self) -> list[CommandSpec]:
        return list(self._specs)

    def group(self, word: str) -> list[CommandSpec]:
        """Specs whose path starts with ``word``: what ``help task`` shows."""
        return [spec for spec in self._specs if spec.path[0].lower() == word.lower()]

    def names(self) -> list[str]:
        """Every way of writing a command, for suggestions and completion."""
        return [" ".join(key) for key in self._by_words]


@dataclass(frozen=True, slots=True)
class Token:
    """One word; ``start``/``end`` cover its quotes so TEXT params can slice the original line."""

    value: str
    start: int
    end: int
    quoted: bool


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        if text[i].isspace():
            i += 1
        else:
            tokens.append(_read_token(text, i))
            i = tokens[-1].end
    return tokens


def _read_token(text: str, start: int) -> Token:
    end = _word_end(text, start)
    quote_at = start if text[start] in _QUOTES else -1
    if quote_at < 0 and text[start] in _DASHES:
        # `--owner="Ana Lima"`: a quote may also open right after a flag's first `=`.
        equals = text.find("=", start, end)
        quote_at = equals + 1 if 0 <= equals < end - 1 and text[equals + 1] in _QUOTES else -1
    if quote_at < 0:
        return Token(text[start:end], start, end, False)
    inner, after = _read_quoted(text, quote_at)
    end = _word_end(text, after)  # `"a b",c` is one word: a b,c
    return Token(text[start:quote_at] + inner + text[after:end], start, end, True)


def _word_end(text: str, i: int) -> int:
    while i < len(text) and not text[i].isspace():
        i += 1
    return i


def _read_quoted(text: str, open_at: int) -> tuple[str, int]:
    """The unquoted value and the index after the closing quote.

    A quote followed by a letter or digit is an apostrophe, not a close, so
    ``'it's down'`` and ``"it's slow", said ops`` read the way people meant.
    """
    double = text[open_at] in _DOUBLE
    family = _DOUBLE if double else _SINGLE
    out: list[str] = []
    i = open_at + 1
    while i < len(text):
        char = text[i]
        if double and char == "\\" and i + 1 < len(text) and text[i + 1] in _DOUBLE + "\\":
            out.append(text[i + 1])
            i += 2
            continue
        if char in family and (i + 1 == len(text) or not text[i + 1].isalnum()):
            return "".join(out), i + 1
        out.append(char)
        i += 1
    raise UsageError(f"unterminated quote in “{_clip(text[open_at:])}”: add the closing quote.")


def parse(text: str, registry: Registry) -> ParsedCommand:
    """Parse ``text``, the line after the command prefix; every mistake is a UsageError."""
    tokens = tokenize(text)
    if not tokens:
        raise UsageError("Which command?")
    found = registry.find([token.value for token in tokens])
    if found is None:
        raise _unknown_command(tokens, registry)
    spec, used = found
    return _Binder(text, spec).bind(tokens[used:])


def _unknown_command(tokens: list[Token], registry: Registry) -> UsageError:
    first = tokens[0].value
    family = registry.group(first)
    if family and len(tokens) == 1:
        names = ", ".join(f"“{spec.name}”" for spec in family)
        return UsageError(f"“{first}” needs one more word: {names}.")
    word = f"{first} {tokens[1].value}" if family else first
    message = f"I don't know the command “{_clip(word)}”."
    # "tsk add" is best matched whole, "delcare the outage" by its first word.
    tries = [f"{first} {tokens[1].value}", first] if len(tokens) > 1 else [first]
    close = [m for t in tries for m in difflib.get_close_matches(t.lower(), registry.names(), n=1)]
    if close:
        message += f" Did you mean “{close[0]}”?"
    return UsageError(message)


class _Binder:
    """Parse state for one line of one command; a class only so the helpers share it."""

    def __init__(self, text: str, spec: CommandSpec) -> None:
        self.text = text
        self.spec = spec
        flags = flags_of(spec)
        self.long = {flag.name.lower(): flag for flag in flags}
        self.short = {flag.short: flag for flag in flags if flag.short}
        self.args: dict[str, object] = {f.name: False for f in spec.flags if f.kind is Kind.BOOL}
        self.given: set[str] = set()
        self.incident: int | None = None

    def bind(self, tokens: list[Token]) -> ParsedCommand:
        positional: list[Token] = []
        literal = False  # after `--`
        params = self.spec.params
        i = 0
        while i < len(tokens):
            if not literal and self._is_flag(tokens[i]):
                flag, raw, i = self._read_flag(tokens, i)
                self._store_flag(flag, raw)
            elif not literal and self._raw(tokens[i]) == "--":
                literal = True
                i += 1
            elif params and params[-1].kind is Kind.TEXT and len(positional) == len(params) - 1:
                end = len(tokens) if literal else self._text_end(tokens, i)
                self._store_text(params[-1], tokens[i:end])
                i = end  # anything left is trailing flags
            else:
                positional.append(tokens[i])
                i += 1
        self._bind_positional(positional)
        return ParsedCommand(self.spec, self.args, self.incident)

    def _raw(self, token: Token) -> str:
        return self.text[token.start : token.end]

    def _is_flag(self, token: Token) -> bool:
        raw = self._raw(token)
        return raw.startswith(_DASHES) and len(raw) > 1 and raw != "--" and not _NEGATIVE_NUMBER.match(raw)

    def _read_flag(self, tokens: list[Token], i: int) -> tuple[Flag, str | None, int]:
        """The flag at ``i``, its raw value (None for BOOL) and the index after it."""
        name, equals, inline = re.sub("^—", "--", tokens[i].value).partition("=")
        flag = self._lookup(name)
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

    def _lookup(self, written: str) -> Flag:
        flag = self.long.get(written[2:].lower()) if written.startswith("--") else self.short.get(written[1:])
        if flag is not None:
            return flag
        message = f"“{self.spec.name}” has no flag {_clip(written)}."
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
                    _, _, after = self._read_flag(tokens, j)
                except UsageError:
                    continue
                well_formed[j] = well_formed[after]
            if well_formed[j]:
                end = j
        return end

    def _store_text(self, param: Param, tokens: list[Token]) -> None:
        one_quoted = len(tokens) == 1 and tokens[0].quoted
        value = tokens[0].value if one_quoted else self.text[tokens[0].start : tokens[-1].end]
        if value.strip():  # a blank text counts as missing
            self.args[param.name] = _convert(Kind.TEXT, value, param.name, param.choices, self.spec)

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
            message = f"Too many words for “{self.spec.name}”: I don't know what to do with “{_clip(extra)}”."
            if any(param.kind is Kind.WORD for param in self.spec.params):
                message += " Put quotes around a value that has spaces."
            raise UsageError(message, self.spec)


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
        raise ValueError(f"must be a whole number, not “{_clip(raw)}”.")
    if len(raw) > 19:  # also keeps int() away from its digit limit
        raise ValueError("is too large.")
    return int(raw)


def _person(raw: str) -> PersonToken:
    name = raw[1:].strip() if raw.startswith("@") else ""
    if not name:
        raise ValueError(f"must be a mention like @alex, not “{_clip(raw)}”.")
    return PersonToken(name)


def _duration(raw: str) -> timedelta:
    # A bare number is minutes: "remind 45" is what people type.
    match = _DURATION_RE.fullmatch(f"{raw}m" if raw.isascii() and raw.isdigit() else raw)
    parts = match.groups() if match else ()
    if not any(parts):
        raise ValueError(f"must be a duration like 30m, 1h30m or 2d, not “{_clip(raw)}”.")
    if any(part and len(part) > 9 for part in parts):
        raise ValueError("can be at most 30 days.")
    seconds = sum(int(part) * unit for part, unit in zip(parts, _UNIT_SECONDS, strict=True) if part)
    if seconds <= 0:
        raise ValueError("must be longer than zero.")
    if seconds > _MAX_DURATION:
        raise ValueError("can be at most 30 days.")
    return timedelta(seconds=seconds)


def _incident(raw: str) -> int:
    match = _INCIDENT_RE.fullmatch(raw)
    if match is None or len(match.group(1)) > 9 or int(match.group(1)) == 0:
        raise ValueError(f"must be an incident like INC-12, not “{_clip(raw)}”.")
    return int(match.group(1))


def _choose(value: str, choices: tuple[str, ...]) -> str:
    for choice in choices:
        if choice.casefold() == value.casefold():
            return choice
    if choices:
        raise ValueError(f"must be one of {', '.join(choices)}, not “{_clip(value)}”.")
    return value


_READERS: dict[Kind, Callable[[str], object]] = {
    Kind.INT: _int,
    Kind.PERSON: _person,
    Kind.DURATION: _duration,
    Kind.INCIDENT: _incident,
}


def _key(words: Sequence[str]) -> tuple[str, ...]:
    return tuple(word.lower() for word in words)


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
