"""The parser's fast paths give exactly what the general path gives.

``tokenize`` reads a line in which no quote can open with ``str.split`` (most chat lines),
and everything else with the general tokenizer; both are checked here against each other and
against a character-by-character reference, the tokenizer as it was first written.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from warroom.core.commands.builtin import builtin_commands
from warroom.core.commands.parse import Registry, Token, _parse_tokens, parse, tokenize
from warroom.core.commands.spec import CommandSpec, Kind, Param, UsageError
from warroom.core.commands.tokens import _QUOTE_OPENS, _tokenize_general, _tokenize_plain

from tests.core.commands.test_parse import REG, SPECS, TASK_ADD, VOCAB

BUILTIN = builtin_commands().registry

# --- the reference: the original one-character-at-a-time tokenizer ---------

_DOUBLE = '"“”„'
_QUOTES = _DOUBLE + "'‘’"


def reference_tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        if text[i].isspace():
            i += 1
        else:
            tokens.append(_reference_token(text, i))
            i = tokens[-1].end
    return tokens


def _reference_token(text: str, start: int) -> Token:
    end = _reference_word_end(text, start)
    quote_at = start if text[start] in _QUOTES else -1
    if quote_at < 0 and text[start] in "-—":
        equals = text.find("=", start, end)
        quote_at = equals + 1 if 0 <= equals < end - 1 and text[equals + 1] in _QUOTES else -1
    if quote_at < 0:
        return Token(text[start:end], start, end, False)
    double = text[quote_at] in _DOUBLE
    family = _DOUBLE if double else "'‘’"
    out: list[str] = []
    i = quote_at + 1
    while i < len(text):
        char = text[i]
        if double and char == "\\" and i + 1 < len(text) and text[i + 1] in _DOUBLE + "\\":
            out.append(text[i + 1])
            i += 2
            continue
        if char in family and (i + 1 == len(text) or not text[i + 1].isalnum()):
            after = _reference_word_end(text, i + 1)
            return Token(text[start:quote_at] + "".join(out) + text[i + 1 : after], start, after, True)
        out.append(char)
        i += 1
    raise UsageError("unterminated quote")


def _reference_word_end(text: str, i: int) -> int:
    while i < len(text) and not text[i].isspace():
        i += 1
    return i


# --- strategies ---------------------------------------------------------------

# Every kind of whitespace str.split and str.isspace know, including some that look unusual.
SPACES = [" ", "  ", "\n", "\t", "\r\n", "\x0b", "\x1c", "\x85", "\u00a0", "\u2003", "\u3000", ""]
TRICKY = [
    *VOCAB,
    *"can't it’s ‘x „x x” a=b --owner= --owner=\"@a b\" -o=“x” —owner=‘x’ \\\" \\\\ '' x'y' \"\"".split(),
    *"log note decide impact --who --where --count role take task add -w".split(),
]
words = st.one_of(st.sampled_from(TRICKY), st.text(max_size=4))
lines = st.one_of(
    st.text(),
    st.text(alphabet=st.sampled_from(list("ab1@,-—=\\\"'“”„‘’ \n\t\u00a0\x85"))),
    st.lists(st.tuples(words, st.sampled_from(SPACES)), max_size=10).map(lambda ws: "".join(w + s for w, s in ws)),
)


def outcome(run: Callable[[], object]) -> object:
    """What ``run`` returns, or the message and spec of the UsageError it raises."""
    try:
        return run()
    except UsageError as error:
        return ("UsageError", error.message, error.spec)


# --- properties ---------------------------------------------------------------


@settings(max_examples=500)
@given(lines)
def test_tokenize_agrees_with_the_general_path_and_the_reference(text: str) -> None:
    general = outcome(lambda: _tokenize_general(text))
    assert outcome(lambda: tokenize(text)) == general
    expected = outcome(lambda: reference_tokenize(text))
    if isinstance(expected, tuple):  # the reference raises without the message's detail
        assert isinstance(general, tuple) and general[1].startswith("unterminated quote")
    else:
        assert general == expected


@settings(max_examples=500)
@given(lines)
def test_the_plain_tokenizer_is_right_wherever_no_quote_can_open(text: str) -> None:
    assume(_QUOTE_OPENS.search(text) is None)
    assert _tokenize_plain(text) == _tokenize_general(text) == reference_tokenize(text)


@settings(max_examples=500)
@given(lines, st.sampled_from(["", "log ", "task add ", "page ", "remind 5m ", "impact ", "role take "]))
def test_parse_agrees_with_the_general_path(body: str, command: str) -> None:
    text = command + body
    for registry in (REG, BUILTIN):
        fast = outcome(partial(parse, text, registry))
        general = outcome(lambda registry=registry: _parse_tokens(text, _tokenize_general(text), registry))
        assert fast == general


# --- examples -----------------------------------------------------------------


def test_apostrophes_inside_words_stay_on_the_fast_path() -> None:
    text = "we can't restart it’s x=y"
    assert _QUOTE_OPENS.search(text) is None
    assert tokenize(text) == reference_tokenize(text)
    assert [token.value for token in tokenize(text)] == ["we", "can't", "restart", "it’s", "x=y"]


def test_a_quote_that_may_open_takes_the_general_path() -> None:
    for text in ['say "hi there"', "--owner='Ana Lima'", "x ‘a b’", 'a="b c"']:
        assert _QUOTE_OPENS.search(text) is not None
        assert tokenize(text) == reference_tokenize(text)


def test_unusual_whitespace_splits_the_same_on_both_paths() -> None:
    text = "a\u00a0b\x1cc\x85d\u3000e\u200bf"  # U+200B is not whitespace
    assert tokenize(text) == reference_tokenize(text)
    assert [token.value for token in tokenize(text)] == ["a", "b", "c", "d", "e\u200bf"]


def test_text_with_unknown_dash_words_is_text() -> None:
    parsed = parse("task add ran kubectl get pods -n prod --watch", REG)
    assert parsed.args["title"] == "ran kubectl get pods -n prod --watch"


def test_a_command_added_later_can_be_longer() -> None:
    registry = Registry(SPECS)
    deep = CommandSpec(("task", "add", "many"), "Add several.", params=(Param("titles", Kind.WORDS),))
    registry.add(deep)
    assert registry.find(["task", "add", "many", "a"]) == (deep, 3)
    assert registry.find(["task", "add", "x"]) == (TASK_ADD, 2)
    assert parse("Task ADD many a b", registry).args == {"titles": ("a", "b")}
