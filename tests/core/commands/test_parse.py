"""Tests for the chat command parser: tokenizing, binding, conversions, usage and help."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from warroom.core.commands.describe import typed_with
from warroom.core.commands.parse import Registry, Token, command_help, help_text, parse, tokenize, usage
from warroom.core.commands.spec import CommandSpec, Flag, Kind, Param, ParsedCommand, PersonToken, UsageError

DECLARE = CommandSpec(
    ("declare",),
    "Open a new incident.",
    params=(Param("title", Kind.TEXT, "what is broken"),),
    flags=(Flag("severity", Kind.WORD, "how bad", short="s", choices=("sev1", "sev2", "sev3")),),
    examples=("/incident declare Checkout is down --severity sev1",),
    aliases=(("open",),),
    incident_scoped=False,
    details="Creates a channel and pages the on-call commander.",
)
TASK_ADD = CommandSpec(
    ("task", "add"),
    "Add a task.",
    params=(Param("title", Kind.TEXT, "what needs doing"),),
    flags=(
        Flag("owner", Kind.PERSON, "who does it", short="o"),
        Flag("due", Kind.DURATION, "when it is due"),
        Flag("urgent", Kind.BOOL, "put it on top", short="u"),
    ),
    examples=("/incident task add Check the replica --owner @ana",),
)
TASK_DONE = CommandSpec(
    ("task", "done"),
    "Mark a task done.",
    params=(Param("number", Kind.INT, "the task's number"),),
    aliases=(("task", "finish"), ("done",)),
)
TASK_LIST = CommandSpec(("task", "list"), "List tasks.", flags=(Flag("mine", Kind.BOOL, "only mine"),))
ASSIGN = CommandSpec(
    ("assign",),
    "Give someone a role.",
    params=(Param("who", Kind.PERSON), Param("role", Kind.WORD, choices=("Commander", "scribe", "comms"))),
)
PAGE = CommandSpec(
    ("page",),
    "Page teams.",
    params=(Param("teams", Kind.WORDS, "team names"),),
    flags=(Flag("note", Kind.TEXT, "a note for the pager"), Flag("tags", Kind.WORDS)),
)
SHOW = CommandSpec(("show",), "Show an incident.", params=(Param("incident", Kind.INCIDENT),), incident_scoped=False)
REMIND = CommandSpec(
    ("remind",),
    "Set a reminder.",
    params=(Param("after", Kind.DURATION), Param("message", Kind.TEXT, required=False)),
)
STATUS = CommandSpec(
    ("status",),
    "Show or set the status.",
    params=(Param("state", Kind.WORD, required=False, choices=("investigating", "identified", "monitoring")),),
    flags=(Flag("count", Kind.INT, "how many updates", short="n"),),
)
LOG = CommandSpec(("log",), "Log a line verbatim.", params=(Param("line", Kind.TEXT),), incident_scoped=False)
SPECS = (DECLARE, TASK_ADD, TASK_DONE, TASK_LIST, ASSIGN, PAGE, SHOW, REMIND, STATUS, LOG)


def registry() -> Registry:
    return Registry(SPECS)


REG = registry()


def p(text: str) -> ParsedCommand:
    return parse(text, REG)


def error(text: str) -> UsageError:
    with pytest.raises(UsageError) as info:
        parse(text, REG)
    return info.value


# --- Registry ---------------------------------------------------------------


def test_find_resolves_path_case_insensitively_and_counts_words() -> None:
    assert REG.find(["Task", "ADD", "x"]) == (TASK_ADD, 2)
    assert REG.find(["declare"]) == (DECLARE, 1)
    assert REG.find(["nope", "add"]) is None
    assert REG.find([]) is None


def test_find_resolves_aliases() -> None:
    assert REG.find(["open", "db"]) == (DECLARE, 1)
    assert REG.find(["task", "finish", "3"]) == (TASK_DONE, 2)
    assert REG.find(["DONE", "3"]) == (TASK_DONE, 1)


def test_find_prefers_the_longest_match() -> None:
    task = CommandSpec(("task",), "Show a task.", params=(Param("number", Kind.INT),))
    reg = Registry([task, TASK_ADD])
    assert reg.find(["task", "add", "x"]) == (TASK_ADD, 2)
    assert reg.find(["task", "3"]) == (task, 1)


def test_add_rejects_duplicate_paths_and_aliases() -> None:
    reg = registry()
    with pytest.raises(ValueError):
        reg.add(CommandSpec(("TASK", "add"), "again"))
    with pytest.raises(ValueError):
        reg.add(CommandSpec(("reopen",), "clash", aliases=(("open",),)))
    with pytest.raises(ValueError):
        reg.add(CommandSpec(("done",), "clashes with an alias"))


def test_add_rejects_malformed_specs() -> None:
    reg = Registry()
    with pytest.raises(ValueError):
        reg.add(CommandSpec(("x",), "", params=(Param("a", Kind.TEXT), Param("b", Kind.WORD))))
    with pytest.raises(ValueError):
        reg.add(CommandSpec(("y",), "", flags=(Flag("incident", Kind.WORD),)))
    with pytest.raises(ValueError):
        reg.add(CommandSpec(("z",), "", flags=(Flag("a", Kind.BOOL, short="q"), Flag("b", Kind.BOOL, short="q"))))
    assert reg.specs() == []


def test_specs_keep_insertion_order_and_group_by_first_word() -> None:
    assert REG.specs() == list(SPECS)
    assert REG.group("task") == [TASK_ADD, TASK_DONE, TASK_LIST]
    assert REG.group("TASK") == [TASK_ADD, TASK_DONE, TASK_LIST]
    assert REG.group("declare") == [DECLARE]
    assert REG.group("nothing") == []


# --- tokenize ---------------------------------------------------------------


def test_tokenize_splits_on_any_whitespace_with_offsets() -> None:
    assert tokenize("  a  bc\n\td ") == [
        Token("a", 2, 3, False),
        Token("bc", 5, 7, False),
        Token("d", 9, 10, False),
    ]
    assert tokenize("") == []
    assert tokenize(" \n ") == []


def test_tokenize_quotes_group_words_and_offsets_cover_the_quotes() -> None:
    text = """x "two words" 'single one' ""  """
    tokens = tokenize(text)
    assert [t.value for t in tokens] == ["x", "two words", "single one", ""]
    assert [t.quoted for t in tokens] == [False, True, True, True]
    assert [text[t.start : t.end] for t in tokens] == ["x", '"two words"', "'single one'", '""']


def test_tokenize_escapes_inside_double_quotes_only() -> None:
    assert [t.value for t in tokenize(r'"say \"hi\"" "a\\b" "c\d"')] == ['say "hi"', "a\\b", "c\\d"]
    assert [t.value for t in tokenize(r"'a\b' 'c\'")] == ["a\\b", "c\\"]
    assert [t.value for t in tokenize(r"C:\temp a\ b")] == ["C:\\temp", "a\\", "b"]


def test_tokenize_typographic_quotes_behave_like_ascii() -> None:
    text = "“db is down” ‘and slow’ ”both ends”"
    tokens = tokenize(text)
    assert [t.value for t in tokens] == ["db is down", "and slow", "both ends"]
    assert all(t.quoted for t in tokens)
    assert text[tokens[0].start : tokens[0].end] == "“db is down”"


def test_tokenize_keeps_apostrophes_inside_words() -> None:
    assert [t.value for t in tokenize("we can't restart it’s fine")] == ["we", "can't", "restart", "it’s", "fine"]
    assert [t.value for t in tokenize("'it's broken' now")] == ["it's broken", "now"]
    assert [t.value for t in tokenize('"a"b" c')] == ['a"b', "c"]
    assert [t.value for t in tokenize("'don't'")] == ["don't"]


def test_tokenize_joins_text_right_after_a_closing_quote() -> None:
    text = '"site reliability",db "a"-b x'
    tokens = tokenize(text)
    assert [t.value for t in tokens] == ["site reliability,db", "a-b", "x"]
    assert text[tokens[0].start : tokens[0].end] == '"site reliability",db'
    assert tokens[0].quoted and not tokens[2].quoted


def test_tokenize_groups_a_quoted_flag_value() -> None:
    text = '--owner="@Ana Lima" x'
    tokens = tokenize(text)
    assert tokens[0] == Token("--owner=@Ana Lima", 0, 19, True)
    assert tokens[1].value == "x"
    assert [t.value for t in tokenize('a="b c"')] == ['a="b', 'c"']


@pytest.mark.parametrize("text", ['say "hello', "it 'was", "“open", 'x "a"b', '--x="open'])
def test_tokenize_rejects_unterminated_quotes(text: str) -> None:
    with pytest.raises(UsageError, match=r"^unterminated quote"):
        tokenize(text)


# --- parse: command selection ----------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_text_asks_for_a_command(text: str) -> None:
    err = error(text)
    assert "Which command?" in err.message
    assert err.spec is None


def test_unknown_command_names_it_and_suggests_a_close_one() -> None:
    err = error("delcare the db is down")
    assert err.message.startswith("I don't know the command “delcare”.")
    assert "Did you mean “declare”?" in err.message
    assert err.spec is None


def test_unknown_command_without_close_match_has_no_suggestion() -> None:
    err = error("xyzzy")
    assert err.message.startswith("I don't know the command “xyzzy”.")
    assert "Did you mean" not in err.message


def test_unknown_subcommand_of_a_group() -> None:
    err = error("task ad Fix it")
    assert err.message.startswith("I don't know the command “task ad”.")
    assert "Did you mean “task add”?" in err.message
    assert "Did you mean “task add”?" in error("tsk add Fix it").message


def test_group_word_alone_lists_its_commands() -> None:
    err = error("task")
    assert "“task add”" in err.message and "“task list”" in err.message
    assert err.spec is None


def test_command_words_are_case_insensitive() -> None:
    assert p("Task ADD x").spec is TASK_ADD
    assert p("OPEN Checkout down").spec is DECLARE


# --- parse: flags -----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "task add Fix db --owner @ana",
        "task add Fix db --owner=@ana",
        "task add Fix db -o @ana",
        "task add Fix db -o=@ana",
        "task add --owner @ana Fix db",
        "task add -o @ana Fix db",
        "task add Fix db --OWNER @ana",
        "task add Fix db —owner @ana",
    ],
)
def test_flag_forms(text: str) -> None:
    parsed = p(text)
    assert parsed.args == {"title": "Fix db", "owner": PersonToken("ana"), "urgent": False}


def test_bool_flags_default_to_false_and_take_no_value() -> None:
    assert p("task list").args == {"mine": False}
    assert p("task list --mine").args == {"mine": True}
    assert p("task add -u x").args["urgent"] is True
    err = error("task list --mine=yes")
    assert "--mine" in err.message and "no value" in err.message
    assert err.spec is TASK_LIST


def test_flags_anywhere_among_non_text_positionals() -> None:
    assert p("assign --incident 4 @ana scribe").incident == 4
    assert p("assign @ana -i 4 scribe").args == {"who": PersonToken("ana"), "role": "scribe"}
    assert p("status -n 3 monitoring").args == {"state": "monitoring", "count": 3}
    assert p("status monitoring -n 3").args == {"state": "monitoring", "count": 3}


def test_unknown_flag_is_named_with_a_suggestion() -> None:
    err = error("task list --mien")
    assert "--mien" in err.message and "Did you mean --mine?" in err.message
    assert err.spec is TASK_LIST
    err = error("status -x 3")
    assert "-x" in err.message and err.spec is STATUS
    err = error("status --zzzzzz")
    assert err.message == "“status” has no flag --zzzzzz."


def test_missing_flag_value() -> None:
    err = error("status --count")
    assert "--count needs a value" in err.message and "<n>" in err.message
    assert err.spec is STATUS
    assert "--count needs a value" in error("status --count=").message
    assert "--count needs a value" in error("status --count --incident 3").message
    assert "--owner needs a value" in error("task add --owner").message
    assert "--severity needs a value: sev1|sev2|sev3" in error("declare -s").message


def test_flag_given_twice() -> None:
    err = error("status -n 1 --count 2")
    assert "--count was given twice" in err.message and err.spec is STATUS
    assert "--owner was given twice" in error("task add --owner @a x --owner @b").message
    assert "--incident was given twice" in error("task list -i 1 --incident 2").message


def test_double_dash_ends_flags() -> None:
    assert p("task add -- --owner is wrong").args["title"] == "--owner is wrong"
    assert "owner" not in p("task add -- --owner is wrong").args
    assert p("task add -o @ana -- -u x").args == {"title": "-u x", "owner": PersonToken("ana"), "urgent": False}
    assert p("page -- --db").args["teams"] == ("--db",)
    assert p("task done -- 3").args == {"number": 3}


def test_a_quoted_word_is_never_a_flag() -> None:
    assert p('page "--db" api').args["teams"] == ("--db", "api")


def test_negative_numbers_are_values_not_flags() -> None:
    assert p("task done -3").args == {"number": -3}
    assert p("status --count -2").args["count"] == -2


def test_flag_values_convert_like_params() -> None:
    parsed = p("page db --note 'call me' --tags a,b")
    assert parsed.args == {"teams": ("db",), "note": "call me", "tags": ("a", "b")}
    assert p("declare x -s SEV2").args["severity"] == "sev2"
    assert p("task add x --due 1h30m").args["due"] == timedelta(hours=1, minutes=30)


# --- parse: --incident ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("task list --incident INC-12", 12),
        ("task list --incident inc-12", 12),
        ("task list --incident 12", 12),
        ("task list -i INC-7", 7),
        ("task list --incident=INC-3", 3),
        ("task add Fix it --incident INC-9", 9),
        ("task add --incident 9 Fix it", 9),
    ],
)
def test_incident_flag(text: str, number: int) -> None:
    parsed = p(text)
    assert parsed.incident == number
    assert "incident" not in parsed.args


def test_incident_is_none_without_the_flag() -> None:
    assert p("task list").incident is None


def test_incident_flag_is_rejected_when_not_scoped() -> None:
    err = error("show INC-1 --incident 2")
    assert "--incident" in err.message and err.spec is SHOW


@pytest.mark.parametrize("value", ["INC-x", "0", "INC-", "4.5", "INC-1234567890"])
def test_bad_incident_flag(value: str) -> None:
    err = error(f"task list --incident {value}")
    assert "--incident must be an incident like INC-12" in err.message
    assert err.spec is TASK_LIST


# --- parse: TEXT ------------------------------------------------------------


def test_text_is_verbatim_with_odd_spacing_and_newlines() -> None:
    assert p("task add   Fix   the\n  db\tnow  ").args["title"] == "Fix   the\n  db\tnow"


def test_text_keeps_multi_line_logs_and_code() -> None:
    body = '```\nERROR 12:00:01  conn refused  host="db-1"\n    at pool.get (pool.js:42)\n```'
    assert p(f"log {body}").args["line"] == body
    assert p(f"log\n{body}\n").args["line"] == body


def test_text_keeps_quotes_inside() -> None:
    assert p('task add restart "api" now').args["title"] == 'restart "api" now'
    assert p("task add it's 'mostly' fine").args["title"] == "it's 'mostly' fine"
    assert p('task add "a b" "c"').args["title"] == '"a b" "c"'
    note = 'customer said "it\'s slow", escalating to “tier 2”.'
    assert p(f"task add {note}").args["title"] == note


def test_text_of_one_quoted_token_is_unquoted() -> None:
    assert p('task add "  padded  "').args["title"] == "  padded  "
    assert p("task add “Fix db” -o @a").args == {"title": "Fix db", "owner": PersonToken("a"), "urgent": False}


def test_trailing_flags_after_text_are_flags() -> None:
    parsed = p("task add Fix the db --owner @ana --urgent -i INC-2")
    assert parsed.args == {"title": "Fix the db", "owner": PersonToken("ana"), "urgent": True}
    assert parsed.incident == 2


def test_flags_between_text_words_stay_text() -> None:
    parsed = p("task add Fix --owner @ana the db")
    assert parsed.args == {"title": "Fix --owner @ana the db", "urgent": False}


def test_malformed_trailing_flags_stay_text() -> None:
    assert p("task add run ls --all").args["title"] == "run ls --all"
    assert p("task add ship it --urgent now").args["title"] == "ship it --urgent now"
    assert p("task add rollback --owner").args["title"] == "rollback --owner"


def test_trailing_known_flag_with_a_bad_value_is_an_error() -> None:
    err = error("task add Fix db --due soon")
    assert "--due" in err.message and err.spec is TASK_ADD


def test_blank_text_counts_as_missing() -> None:
    assert "needs title" in error('task add ""').message
    assert "needs title" in error("task add --urgent").message


def test_optional_text_absent_is_not_in_args() -> None:
    assert p("remind 10m").args == {"after": timedelta(minutes=10)}
    parsed = p("remind 10m check  the\nreplica")
    assert parsed.args == {"after": timedelta(minutes=10), "message": "check  the\nreplica"}


# --- parse: WORDS and positionals -------------------------------------------


def test_words_split_on_spaces_and_commas() -> None:
    assert p("page db, api net").args["teams"] == ("db", "api", "net")
    assert p("page db,,api ,").args["teams"] == ("db", "api")
    assert p('page "site reliability",db').args["teams"] == ("site reliability", "db")


def test_words_with_flags_in_between() -> None:
    assert p("page db --note hi api").args == {"teams": ("db", "api"), "note": "hi"}


def test_words_that_are_all_commas_count_as_missing() -> None:
    assert "needs teams" in error("page , ,").message


def test_missing_required_param_names_it() -> None:
    err = error("task add")
    assert err.message == "“task add” needs title: what needs doing."
    assert err.spec is TASK_ADD
    err = error("assign @ana")
    assert err.message == "“assign” needs role."
    assert err.spec is ASSIGN


def test_too_many_positionals() -> None:
    err = error("task done 3 4 5")
    assert "Too many words for “task done”" in err.message and "“4 5”" in err.message
    assert err.spec is TASK_DONE
    assert "quotes" not in err.message
    assert error("task list now").spec is TASK_LIST
    assert "Put quotes around a value that has spaces." in error("status monitoring closely").message


def test_optional_positional_absent_is_not_in_args() -> None:
    assert p("status").args == {}
    assert p("status Monitoring").args == {"state": "monitoring"}


# --- parse: conversions -----------------------------------------------------


@pytest.mark.parametrize(("raw", "value"), [("3", 3), ("+3", 3), ("-2", -2), ("007", 7)])
def test_int_values(raw: str, value: int) -> None:
    assert p(f"task done {raw}").args["number"] == value


@pytest.mark.parametrize("raw", ["3.5", "three", "3x", "٣", "1" * 40])
def test_int_rejects_non_integers(raw: str) -> None:
    err = error(f"task done {raw}")
    assert err.message.startswith("number ")
    assert err.spec is TASK_DONE


def test_person_values() -> None:
    assert p("assign @ana scribe").args["who"] == PersonToken("ana")
    assert p('assign "@Ana Lima" scribe').args["who"] == PersonToken("Ana Lima")
    for bad in ("ana", "@"):
        err = error(f"assign {bad} scribe")
        assert err.message.startswith("who must be a mention like @alex")
        assert err.spec is ASSIGN
    assert error("task add x --owner ana").message.startswith("--owner must be a mention")


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("90s", timedelta(seconds=90)),
        ("30m", timedelta(minutes=30)),
        ("1h", timedelta(hours=1)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1H30M", timedelta(hours=1, minutes=30)),
        ("2d", timedelta(days=2)),
        ("45", timedelta(minutes=45)),
        ("1d2h3m4s", timedelta(days=1, hours=2, minutes=3, seconds=4)),
        ("30d", timedelta(days=30)),
    ],
)
def test_duration_values(raw: str, value: timedelta) -> None:
    assert p(f"remind {raw}").args["after"] == value


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("0m", "after must be longer than zero."),
        ("0", "after must be longer than zero."),
        ("31d", "after can be at most 30 days."),
        ("30d1s", "after can be at most 30 days."),
        ("9" * 30 + "d", "after can be at most 30 days."),
        ("soon", "after must be a duration like 30m, 1h30m or 2d, not “soon”."),
        ("1m30h", "after must be a duration like 30m, 1h30m or 2d, not “1m30h”."),
        ("-5m", "after must be a duration like 30m, 1h30m or 2d, not “-5m”."),
        ("1.5h", "after must be a duration like 30m, 1h30m or 2d, not “1.5h”."),
    ],
)
def test_duration_rejects(raw: str, message: str) -> None:
    err = error(f"remind {raw}")
    assert err.message == message
    assert err.spec is REMIND


@pytest.mark.parametrize(("raw", "value"), [("INC-12", 12), ("inc-12", 12), ("12", 12)])
def test_incident_values(raw: str, value: int) -> None:
    assert p(f"show {raw}").args == {"incident": value}


def test_incident_value_rejects() -> None:
    err = error("show INC-abc")
    assert err.message == "incident must be an incident like INC-12, not “INC-abc”."
    assert err.spec is SHOW


def test_choices_match_case_insensitively_and_normalise() -> None:
    assert p("assign @ana SCRIBE").args["role"] == "scribe"
    assert p("assign @ana commander").args["role"] == "Commander"


def test_choices_error_lists_the_allowed_values() -> None:
    err = error("assign @ana cook")
    assert err.message == "role must be one of Commander, scribe, comms, not “cook”."
    assert err.spec is ASSIGN
    assert "sev1, sev2, sev3" in error("declare x --severity sev9").message


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("declare", DECLARE),
        ("declare x --severity nope", DECLARE),
        ("task add x --due 0", TASK_ADD),
        ("task done", TASK_DONE),
        ("task done x", TASK_DONE),
        ("task list --bogus", TASK_LIST),
        ("assign ana scribe", ASSIGN),
        ("page", PAGE),
        ("show", SHOW),
        ("remind", REMIND),
        ("status unknown", STATUS),
        ("status -n", STATUS),
        ("log", LOG),
    ],
)
def test_errors_for_known_commands_carry_the_spec(text: str, spec: CommandSpec) -> None:
    assert error(text).spec is spec


# --- usage and help ---------------------------------------------------------


def test_usage_lines() -> None:
    assert usage(TASK_ADD) == "/incident task add <title…> [--owner @person] [--due <duration>] [--urgent]"
    assert usage(DECLARE, "!inc") == "!inc declare <title…> [--severity sev1|sev2|sev3]"
    assert usage(ASSIGN) == "/incident assign <who> <Commander|scribe|comms>"
    assert usage(STATUS) == "/incident status [investigating|identified|monitoring] [--count <n>]"
    assert usage(PAGE) == "/incident page <teams…> [--note <note>] [--tags <tags,…>]"
    assert usage(REMIND) == "/incident remind <after> [message…]"
    assert usage(TASK_LIST, "") == "task list [--mine]"


def test_help_text_lists_every_command_grouped() -> None:
    text = help_text(REG)
    for spec in SPECS:
        assert usage(spec) in text
        assert spec.summary in text
    lines = text.splitlines()
    heading = lines.index("task:")
    assert lines[heading + 1].strip() == usage(TASK_ADD)
    assert text.index(usage(TASK_ADD)) < text.index(usage(TASK_DONE)) < text.index(usage(TASK_LIST))
    assert "--incident INC-n" in text
    assert "/incident help <command>" in text


def test_command_help_shows_everything_about_one_command() -> None:
    text = command_help(TASK_ADD)
    assert text.splitlines()[0] == usage(TASK_ADD)
    assert "Add a task." in text
    assert "<title…>  what needs doing" in text
    assert "-o, --owner @person  who does it" in text
    assert "--due <duration>  when it is due" in text
    assert "-i, --incident INC-n" in text
    assert "/incident task add Check the replica --owner @ana" in text
    declare = command_help(DECLARE, "/inc")
    assert "Creates a channel" in declare
    assert "Also written: /inc open" in declare
    assert "--incident" not in declare


# --- properties -------------------------------------------------------------

QUOTE_CHARS = "\"'“”„‘’"
VOCAB = [
    *"task add done list declare assign page show remind status log @ana @ INC-3 3 -3 1h30m 0 scribe a,b".split(),
    *"--owner -o --due --urgent --incident -i -- --mine --count= -n —owner = \\".split(),
    *['"', "'", "“", "”", '"x y"'],
]
command_lines = st.one_of(
    st.text(),
    st.lists(st.one_of(st.sampled_from(VOCAB), st.text(max_size=5)), max_size=8).map(" ".join),
)


@settings(max_examples=200)
@given(st.text())
def test_tokenize_only_raises_usage_error(text: str) -> None:
    try:
        tokens = tokenize(text)
    except UsageError:
        return
    for token in tokens:
        assert 0 <= token.start < token.end <= len(text)


@settings(max_examples=200)
@given(command_lines)
def test_parse_only_raises_usage_error(text: str) -> None:
    try:
        parsed = parse(text, REG)
    except UsageError:
        return
    assert parsed.spec in SPECS


no_quotes = st.text(alphabet=st.characters(exclude_characters=QUOTE_CHARS, exclude_categories=("Cs",)))


@settings(max_examples=200)
@given(no_quotes)
def test_text_param_is_the_stripped_raw_remainder(body: str) -> None:
    # A first word starting with a dash is read as a flag, before the text starts.
    assume(body.strip() and not body.split(maxsplit=1)[0].startswith(("-", "—")))
    assert parse(f"log {body}", REG).args == {"line": body.strip()}
    assert parse(f"log -- {body}", REG).args == {"line": body.strip()}


def quote(word: str) -> str:
    escaped = word.replace("\\", "\\\\")
    for char in '"“”„':
        escaped = escaped.replace(char, "\\" + char)
    return f'"{escaped}"'


@settings(max_examples=200)
@given(st.lists(st.text(), max_size=6), st.sampled_from([" ", "  ", "\n", " \t "]))
def test_quoting_round_trips(words: list[str], separator: str) -> None:
    tokens = tokenize(separator.join(quote(word) for word in words))
    assert [token.value for token in tokens] == words
    assert all(token.quoted for token in tokens)


@settings(max_examples=200)
@given(st.integers(min_value=1, max_value=999_999_999), st.sampled_from(["INC-{}", "inc-{}", "{}"]))
def test_incident_numbers_round_trip(number: int, form: str) -> None:
    written = form.format(number)
    assert parse(f"show {written}", REG).args == {"incident": number}
    assert parse(f"task list --incident {written}", REG).incident == number


def test_help_writes_examples_with_the_prefix_people_type() -> None:
    text = command_help(TASK_ADD, "!incident")
    examples = text.split("Examples:\n")[1].splitlines()
    assert examples and all(line.startswith("  !incident task add") for line in examples), examples
    assert typed_with("/incident help", "@Warroom incident") == "@Warroom incident help"
    assert typed_with("/incident", "!ir") == "!ir"
    assert typed_with("task add x", "!ir") == "task add x"  # written without a prefix: left as it is
