"""Splitting a chat line into words, for the parser (the rules are in ``parse``'s docstring).

A line in which no quote can open, which is most of them, takes a fast path: ``str.split``.
Any other line goes through the general tokenizer, which reads quotes and escapes.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from warroom.core.commands.spec import UsageError

__all__ = ["DASHES", "Token", "clip", "tokenize"]

_DOUBLE = '"“”„'
_SINGLE = "'‘’"
_QUOTES = _DOUBLE + _SINGLE
DASHES = ("-", "—")  # a leading em dash means `--`: phones "correct" the double hyphen

# The fast path: a line where no quote can open is just its runs of non-space characters.
# (``\s``, ``str.split`` and ``str.isspace`` agree on every code point, so both paths split alike.)
_ANY_QUOTE = re.compile(f"[{_QUOTES}]")
_QUOTE_OPENS = re.compile(f"(?<!\\S)[{_QUOTES}]|=[{_QUOTES}]")  # at a word's start, or after an `=`
_SPACE = re.compile(r"\s")
_WORD = re.compile(r"\S+")
_IN_DOUBLE = re.compile(f"[{_DOUBLE}\\\\]")  # what can end or escape inside double quotes
_IN_SINGLE = re.compile(f"[{_SINGLE}]")


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
    """The words of ``text``; a line where no quote can open (most of them) takes the fast path."""
    if _ANY_QUOTE.search(text) is None or _QUOTE_OPENS.search(text) is None:
        return _tokenize_plain(text)
    return _tokenize_general(text)


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


def _tokenize_general(text: str) -> list[Token]:
    """The general tokenizer, right for any text.

    A quote can open only in a word that starts with one or in a flag with an ``=``; any other
    word is taken whole.
    """
    tokens: list[Token] = []
    search = _WORD.search
    found = search(text)
    while found is not None:
        word = found[0]
        if word[0] in _QUOTES or (word[0] in DASHES and "=" in word):
            token = _read_token(text, found.start())
        else:
            token = _new_token(Token, (word, found.start(), found.end(), False))
        tokens.append(token)
        found = search(text, token.end)
    return tokens


def _read_token(text: str, start: int) -> Token:
    end = _word_end(text, start)
    quote_at = start if text[start] in _QUOTES else -1
    if quote_at < 0 and text[start] in DASHES:
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
    raise UsageError(f"unterminated quote in “{clip(text[open_at:])}”: add the closing quote.")


def clip(text: str, limit: int = 40) -> str:
    """``text`` shortened for a message that quotes it."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
