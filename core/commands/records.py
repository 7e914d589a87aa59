"""Commands that record what responders see, think, decide and do."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from warroom.core.commands.context import CommandContext, CommandSet
from warroom.core.commands.spec import CommandSpec, Flag, Kind, Param
from warroom.core.errors import Invalid, NotFound
from warroom.core.incident.permissions import require_communicator
from warroom.core.incident.render import affected_text, clock_time
from warroom.core.storage import queries

commands = CommandSet()


def record_entry(
    ctx: CommandContext, kind: str, text: str, data: Mapping[str, object] | None = None, *, key: bool = False
) -> int:
    """Record on the incident this command is about; whoever records something has joined it."""
    incident = ctx.incident()
    ctx.service.join(incident, ctx.actor.person_id, ctx.tx.at)
    return ctx.service.record(incident, kind, ctx.actor, text, ctx.tx.at, data, key=key, source=ctx.source())


@commands.command(
    CommandSpec(
        ("log",),
        "Record an action or observation on the timeline.",
        params=(Param("text", Kind.TEXT, "what happened or what you did"),),
        examples=("/incident log Restarted api-3; error rate unchanged",),
        aliases=(("note",),),
    )
)
def log_entry(ctx: CommandContext) -> None:
    seq = record_entry(ctx, "note", ctx.text("text"))
    ctx.reply(f"📝 Logged #{seq}.")


@commands.command(
    CommandSpec(
        ("verify",),
        "Record how you verified something: what, the command, the result.",
        params=(Param("what", Kind.TEXT, "what you checked"),),
        flags=(
            Flag("cmd", Kind.WORD, "the command you ran (quote it)", short="c"),
            Flag("result", Kind.WORD, "what it showed (quote it)", short="r"),
        ),
        examples=(
            '/incident verify DB replication healthy --cmd "SELECT now() - pg_last_xact_replay_timestamp()" '
            '--result "0.4 s"',
        ),
        details="Trust, but verify: write down what you checked and how, so others can rely on it.",
    )
)
def verify(ctx: CommandContext) -> None:
    command, result = ctx.args.get("cmd"), ctx.args.get("result")
    text = ctx.text("what")
    data = {"what": text, "command": command, "result": result}
    seq = record_entry(ctx, "verification", text, {k: v for k, v in data.items() if v})
    ctx.reply(f"🔎 Verification #{seq} recorded" + ("" if command else " (tip: add --cmd with what you ran)") + ".")


@commands.command(
    CommandSpec(
        ("assume",),
        "Record an assumption or hypothesis (to verify later).",
        params=(Param("text", Kind.TEXT, "what you are assuming"),),
        examples=("/incident assume The 14:02 deploy caused the error spike",),
    )
)
def assume(ctx: CommandContext) -> None:
    seq = record_entry(ctx, "assumption", ctx.text("text"))
    ctx.reply(f"🤔 Assumption #{seq} recorded. Verify it with “{ctx.prefix} verify …” when you can.")


@commands.command(
    CommandSpec(
        ("decide",),
        "Record a decision.",
        params=(Param("text", Kind.TEXT, "what was decided, and why"),),
        examples=("/incident decide Roll back api to v41 rather than hotfix",),
    )
)
def decide(ctx: CommandContext) -> None:
    seq = record_entry(ctx, "decision", ctx.text("text"), key=True)
    ctx.reply(f"⚖️ Decision #{seq} recorded (key event).")


@commands.command(
    CommandSpec(
        ("impact",),
        "Record who is affected, how many, and where.",
        flags=(
            Flag("who", Kind.WORD, "who is affected", short="w"),
            Flag("count", Kind.INT, "how many (best estimate)", short="n"),
            Flag("where", Kind.WORD, "where: products, regions, endpoints"),
        ),
        examples=('/incident impact --who "EU card customers" --count 1200 --where checkout',),
    )
)
def impact(ctx: CommandContext) -> None:
    incident = ctx.incident()
    who, count, where = ctx.args.get("who"), ctx.args.get("count"), ctx.args.get("where")
    if who is None and count is None and where is None:
        raise Invalid("Tell me at least one of --who, --count or --where.")
    if isinstance(count, int) and count < 0:
        raise Invalid("--count can't be negative.")
    incident.impact_who = str(who) if who is not None else incident.impact_who
    incident.impact_count = count if isinstance(count, int) else incident.impact_count
    incident.impact_where = str(where) if where is not None else incident.impact_where
    ctx.service.save(incident, "impact_who", "impact_count", "impact_where")
    data = {"who": incident.impact_who, "count": incident.impact_count, "where": incident.impact_where}
    text = "Impact: " + " · ".join(str(v) for v in data.values() if v or v == 0)  # "0 affected" is an answer
    seq = record_entry(ctx, "impact", text, data, key=True)
    ctx.reply(f"{text} (#{seq}).")


@commands.command(
    CommandSpec(
        ("affected",),
        "Show affected systems, or add/remove some (with upstream/downstream from the catalog).",
        params=(
            Param("change", Kind.WORD, "add or remove", required=False, choices=("add", "remove")),
            Param("systems", Kind.WORDS, "system names", required=False),
        ),
        examples=("/incident affected", "/incident affected add api db", "/incident affected remove db"),
    )
)
def affected(ctx: CommandContext) -> None:
    incident = ctx.incident()
    config = ctx.service.config
    change, systems = ctx.args.get("change"), list(ctx.args.get("systems") or ())  # type: ignore[call-overload]
    if change is None:
        ctx.reply(f"Affected: {affected_text(config, incident)}")
        return
    if not systems:
        raise Invalid(f"Name the systems to {change}, e.g. “{ctx.prefix} affected {change} api”.")
    before = list(incident.affected)
    if change == "add":
        incident.affected.extend(s for s in systems if s not in incident.affected)
    else:
        incident.affected[:] = [s for s in incident.affected if s not in systems]
    if incident.affected == before:
        raise Invalid("Nothing changed: " + ("already listed." if change == "add" else "not listed."))
    ctx.service.save(incident, "affected")
    ctx.service.reindex(incident)
    unknown = [s for s in systems if config.services and s not in config.services]
    seq = record_entry(
        ctx,
        "affected",
        f"Affected systems: {', '.join(incident.affected) or 'none'}",
        {"added" if change == "add" else "removed": systems, "now": incident.affected},
    )
    note = f" (not in the service catalog: {', '.join(unknown)})" if unknown and change == "add" else ""
    ctx.reply(f"Affected: {affected_text(config, incident)} (#{seq}){note}")


@commands.command(
    CommandSpec(
        ("update",),
        "Post a stakeholder update (communicator), optionally promising the next one.",
        params=(Param("text", Kind.TEXT, "the update, in words management and customers understand"),),
        flags=(Flag("next", Kind.DURATION, "when the next update is due, e.g. 30m", short="n"),),
        examples=('/incident update "Payments recovering; EU customers may see retries" --next 30m',),
    )
)
def update(ctx: CommandContext) -> None:
    incident = ctx.incident()
    require_communicator(ctx.actor, incident, "post a stakeholder update")
    next_in = ctx.args.get("next")
    assert next_in is None or isinstance(next_in, timedelta)
    ctx.service.set_next_update(incident, next_in, ctx.tx.at)
    data = {"next_update_at": incident.next_update_at.isoformat() if incident.next_update_at else None}
    seq = record_entry(ctx, "update", ctx.text("text"), data, key=True)
    due = f" Next update due {clock_time(incident.next_update_at)}." if incident.next_update_at else ""
    ctx.reply(f"📣 Update #{seq} posted.{due}")


@commands.command(
    CommandSpec(
        ("summary",),
        "Show the running summary, or replace it (communicator).",
        params=(Param("text", Kind.TEXT, "the new summary", required=False),),
        examples=("/incident summary", "/incident summary Card payments fail for EU customers since 14:02"),
    )
)
def summary(ctx: CommandContext) -> None:
    incident = ctx.incident()
    text = ctx.text("text")
    if not text:
        ctx.reply(f"Summary of {incident.reference}: {incident.summary or '(none yet)'}")
        return
    require_communicator(ctx.actor, incident, "change the summary")
    incident.summary = text
    ctx.service.save(incident, "summary")
    seq = record_entry(ctx, "summary", text)
    ctx.reply(f"Summary updated (#{seq}).")


@commands.command(
    CommandSpec(
        ("attach",),
        "Attach a code snippet or log lines, kept exactly as given.",
        params=(Param("content", Kind.TEXT, "the snippet or log lines"),),
        flags=(Flag("name", Kind.WORD, "a label for it"),),
        examples=("/incident attach --name api-error ERROR 14:02:11 upstream timeout (db-1:5432)",),
    )
)
def attach(ctx: CommandContext) -> None:
    content = ctx.text("content")
    label = str(ctx.args.get("name") or "snippet")
    seq = record_entry(ctx, "attachment", content, {"name": label, "lines": content.count("\n") + 1})
    ctx.reply(f"📎 Attached “{label}” as #{seq}.")


@commands.command(
    CommandSpec(
        ("key",),
        "Mark a timeline entry as a key event (or unmark it with --off).",
        params=(Param("entry", Kind.INT, "the entry number (#n in my replies)"),),
        flags=(Flag("off", Kind.BOOL, "unmark it"),),
        examples=("/incident key 12", "/incident key 12 --off"),
    )
)
def key(ctx: CommandContext) -> None:
    incident = ctx.incident()
    seq = ctx.args["entry"]
    assert isinstance(seq, int)
    found = queries.entry(ctx.service.db, incident.id, seq)
    if found is None:
        raise NotFound(f"{incident.reference} has no entry #{seq}.")
    on = not ctx.args.get("off")
    ctx.service.mark_key(incident, seq, on)
    record_entry(ctx, "key", f"#{seq} {'marked' if on else 'unmarked'} as key event", {"entry": seq, "key": on})
    ctx.reply(f"#{seq} is {'now' if on else 'no longer'} a key event: {found.text[:80]}")
