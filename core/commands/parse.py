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
from datetime import timedelta
from typing import NamedTuple

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
# The fast path: a line where no quote can open is just its runs of non-space characters.
# (``\s``, ``str.split`` and ``str.isspace`` agree on every code point, so both paths split alike.)
_ANY_QUOTE = re.compile(f"[{_QUOTES}]")
_QUOTE_OPENS = re.compile(f"(?<!\\S)[{_QUOTES}]|=[{_QUOTES}]")  # at a word's start, or after an `=`
_SPACE = re.compile(r"\s")
_WORD = re.compile(r"\S+")
_IN_DOUBLE = re.compile(f"[{_DOUBLE}\\\\]")  # what can end or escape inside double quotes
_IN_SINGLE = re.compile(f"[{_SINGLE}]")


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
        self._by_words: dict[tuple[str, ...], _Plan] = {}
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
        self._by_words.update(dict.fromkeys(keys, _Plan(spec)))
        self._longest = max(self._longest, *map(len, keys))

    def find(self, words: Sequence[str]) -> tuple[CommandSpec, int] | None:
        """The spec for the longest path or alias the words start with, and how many words it used."""
        found = self._match(words)
        return None if found is None else (found[0].spec, found[1])

    def _match(self, words: Sequence[str]) -> tuple[_Plan, int] | None:
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


class _Plan:
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


class Token(NamedTuple):
    """One word; ``start``/``end`` cover its quotes so TEXT params can slice the original line.

    A named tuple: immutable and compared by value, and much cheaper to make than a frozen dataclass.
    """

    value: str
    start: int
    end: int
    quoted: bool


_new_token = tuple.__new__  # skips the generated __new__'s argument handling


def tokenize(text: str) -> list[Token]:
    if _ANY_QUOTE.search(text) is None or _QUOTE_OPENS.search(text) is None:
        return _tokenize_plain(text)
    return _tokenize_quoted(text)


def _tokenize_plain(text: str) -> list[Token]:
    """Every word unquoted: right only when no quote can open, which ``tokenize`` checks first.

    ``str.split`` finds the words; each one's offset is its first occurrence after the previous
    word, since only whitespace lies in between and a word holds none.
    """
    tokens: list[Token] = []
    find = text.find
    end = 0
    for word in text.split():
        start = find(word, end)
        end = start + len(word)
        tokens.append(_new_token(Token, (word, start, end, False)))
    return tokens


def _tokenize_quoted(text: str) -> list[Token]:
    """The general tokenizer: right for any text. A quote opens only in a word that starts with one, or in a flag
    with an ``=``; any other word is read as it is."""
    tokens: list[Token] = []
    search = _WORD.search
    found = search(text)
    while found is not None:
        word = found[0]
        if word[0] in _QUOTES or (word[0] in _DASHES and "=" in word):
            token = _read_token(text, found.start())
        else:
            token = _new_token(Token, (word, found.start(), found.end(), False))
        tokens.append(token)
        found = search(text, token.end)
    return tokens


def _read_token(text: str, start: int) -> Token:
    end = _word_end(text, start)
    quote_at = start if text[start] in _QUOTES else -1
    if quote_at < 0 and text[start] in _DASHES:
        # `--owner="Ana Lima"`: a quote may also open right after a flag's first `=`.
        equals = text.find("=", start, end)
        quote_at = equals + 1 if 0 <= equals < end - 1 and text[equals + 1] in _QUOTES else -1
    if quote_at < 0:
        return _new_token(Token, (text[start:end], start, end, False))
    inner, after = _read_quoted(text, quote_at)
    end = _word_end(text, after)  # `"a b",c` is one word: a b,c
    return _new_token(Token, (text[start:quote_at] + inner + text[after:end], start, end, True))


def _word_end(text: str, i: int) -> int:
    space = _SPACE.search(text, i)
    return len(text) if space is None else space.start()


def _read_quoted(text: str, open_at: int) -> tuple[str, int]:
    """The unquoted value and the index after the closing quote.

    A quote followed by a letter or digit is an apostrophe, not a close, so
    ``'it's down'`` and ``"it's slow", said ops`` read the way people meant.
    """
    double = text[open_at] in _DOUBLE
    special = (_IN_DOUBLE if double else _IN_SINGLE).search  # the next quote (or backslash) to look at
    out: list[str] = []
    i = open_at + 1
    found = special(text, i)
    while found is not None:
        at = found.start()
        after = text[at + 1] if at + 1 < len(text) else ""
        if text[at] == "\\":
            if after and after in _DOUBLE + "\\":
                out += (text[i:at], after)
                i = at + 2
            else:
                out.append(text[i : at + 1])
                i = at + 1
        elif not after.isalnum():  # also at the end of the text
            out.append(text[i:at])
            return "".join(out), at + 1
        else:
            out.append(text[i : at + 1])
            i = at + 1
        found = special(text, i)
    raise UsageError(f"unterminated quote in “{_clip(text[open_at:])}”: add the closing quote.")


def parse(text: str, registry: Registry) -> ParsedCommand:
    """Parse ``text``, the line after the command prefix; every mistake is a UsageError."""
    tokens = tokenize(text)
    if not tokens:
        raise UsageError("Which command?")
    found = registry._match([token.value for token in tokens[: registry._longest]])
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
    message = f"I don't know the command “{_clip(word)}”."
    # "tsk add" is best matched whole, "delcare the outage" by its first word.
    tries = [f"{first} {tokens[1].value}", first] if len(tokens) > 1 else [first]
    close = [m for t in tries for m in difflib.get_close_matches(t.lower(), registry.names(), n=1)]
    if close:
        message += f" Did you mean “{close[0]}”?"
    return UsageError(message)


class _Binder:
    """Parse state for one line of one command; a class only so the helpers share it."""

    __slots__ = ("args", "given", "incident", "long", "plan", "short", "spec", "text")

    def __init__(self, text: str, plan: _Plan) -> None:
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
            message = f"Too many words for “{self.spec.name}”: I don't know what to do with “{_clip(extra)}”."
            if any(param.kind is Kind.WORD for param in self.spec.params):
                message += " Put quotes around a value that has spaces."
            raise UsageError(message, self.spec)


def _is_flag(raw: str) -> bool:
    return raw.startswith(_DASHES) and len(raw) > 1 and raw != "--" and not _NEGATIVE_NUMBER.match(raw)


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
