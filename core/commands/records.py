"""Commands that record what responders see, think, decide and do."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Literal

from warroom.core.adapter.messages import Command, Message
from warroom.core.commands.context import CommandContext
from warroom.core.commands.declare import TextArg, command
from warroom.core.errors import Invalid, NotFound
from warroom.core.incident.permissions import require_communicator
from warroom.core.incident.render import affected_text, clock_time
from warroom.core.storage import queries


def record_entry(
    ctx: CommandContext, kind: str, text: str, data: Mapping[str, object] | None = None, *, key: bool = False
) -> int:
    """Record on the incident this command is about; whoever records something has joined it."""
    incident = ctx.incident()
    ctx.service.join(incident, ctx.actor.person_id, ctx.tx.at)
    return ctx.service.record(incident, kind, ctx.actor, text, ctx.tx.at, data, key=key, source=ctx.source())


class RecordCommands:
    @command(
        "log",
        examples=["/incident log Restarted api-3; error rate unchanged"],
        help={"text": "what happened or what you did"},
        aliases=[["note"]],
    )
    def log_entry(self, ctx: CommandContext, text: TextArg) -> None:
        """Record an action or observation on the timeline."""
        seq = record_entry(ctx, "note", text)
        ctx.reply(f"📝 Logged #{seq}.")

    @command(
        "verify",
        examples=[
            '/incident verify DB replication healthy --cmd "SELECT now() - pg_last_xact_replay_timestamp()" '
            '--result "0.4 s"'
        ],
        help={
            "what": "what you checked",
            "cmd": "the command you ran (quote it)",
            "result": "what it showed (quote it)",
        },
        short={"cmd": "c", "result": "r"},
    )
    def verify(self, ctx: CommandContext, what: TextArg, *, cmd: str | None = None, result: str | None = None) -> None:
        """Record how you verified something: what, the command, the result.

        Trust, but verify: write down what you checked and how, so others can rely on it.
        """
        data = {"what": what, "command": cmd, "result": result}
        seq = record_entry(ctx, "verification", what, {k: v for k, v in data.items() if v})
        ctx.reply(f"🔎 Verification #{seq} recorded" + ("" if cmd else " (tip: add --cmd with what you ran)") + ".")

    @command(
        "assume",
        examples=["/incident assume The 14:02 deploy caused the error spike"],
        help={"text": "what you are assuming"},
    )
    def assume(self, ctx: CommandContext, text: TextArg) -> None:
        """Record an assumption or hypothesis (to verify later)."""
        seq = record_entry(ctx, "assumption", text)
        verify = Command("verify …")
        ctx.reply(Message.of(f"🤔 Assumption #{seq} recorded. Verify it with “", verify, "” when you can."))

    @command(
        "decide",
        examples=["/incident decide Roll back api to v41 rather than hotfix"],
        help={"text": "what was decided, and why"},
    )
    def decide(self, ctx: CommandContext, text: TextArg) -> None:
        """Record a decision."""
        seq = record_entry(ctx, "decision", text, key=True)
        ctx.reply(f"⚖️ Decision #{seq} recorded (key event).")

    @command(
        "impact",
        examples=['/incident impact --who "EU card customers" --count 1200 --where checkout'],
        help={
            "who": "who is affected",
            "count": "how many (best estimate)",
            "where": "where: products, regions, endpoints",
        },
        short={"who": "w", "count": "n"},
    )
    def impact(
        self, ctx: CommandContext, *, who: str | None = None, count: int | None = None, where: str | None = None
    ) -> None:
        """Record who is affected, how many, and where."""
        incident = ctx.incident()
        if who is None and count is None and where is None:
            raise Invalid("Tell me at least one of --who, --count or --where.")
        if count is not None and count < 0:
            raise Invalid("--count can't be negative.")
        incident.impact_who = who if who is not None else incident.impact_who
        incident.impact_count = count if count is not None else incident.impact_count
        incident.impact_where = where if where is not None else incident.impact_where
        ctx.service.save(incident, "impact_who", "impact_count", "impact_where")
        data = {"who": incident.impact_who, "count": incident.impact_count, "where": incident.impact_where}
        text = "Impact: " + " · ".join(str(v) for v in data.values() if v or v == 0)  # "0 affected" is an answer
        seq = record_entry(ctx, "impact", text, data, key=True)
        ctx.reply(f"{text} (#{seq}).")

    @command(
        "affected",
        examples=["/incident affected", "/incident affected add api db", "/incident affected remove db"],
        help={"change": "add or remove", "systems": "system names"},
    )
    def affected(
        self, ctx: CommandContext, change: Literal["add", "remove"] | None = None, systems: tuple[str, ...] = ()
    ) -> None:
        """Show affected systems, or add/remove some (with upstream/downstream from the catalog)."""
        incident = ctx.incident()
        config = ctx.service.config
        if change is None:
            ctx.reply(f"Affected: {affected_text(config, incident)}")
            return
        if not systems:
            raise Invalid(Message.of(f"Name the systems to {change}, e.g. “", Command(f"affected {change} api"), "”."))
        named = list(systems)
        before = list(incident.affected)
        if change == "add":
            incident.affected.extend(s for s in named if s not in incident.affected)
        else:
            incident.affected[:] = [s for s in incident.affected if s not in named]
        if incident.affected == before:
            raise Invalid("Nothing changed: " + ("already listed." if change == "add" else "not listed."))
        ctx.service.save(incident, "affected")
        ctx.service.reindex(incident)
        unknown = [s for s in named if config.services and s not in config.services]
        seq = record_entry(
            ctx,
            "affected",
            f"Affected systems: {', '.join(incident.affected) or 'none'}",
            {"added" if change == "add" else "removed": named, "now": incident.affected},
        )
        note = f" (not in the service catalog: {', '.join(unknown)})" if unknown and change == "add" else ""
        ctx.reply(f"Affected: {affected_text(config, incident)} (#{seq}){note}")

    @command(
        "update",
        examples=['/incident update "Payments recovering; EU customers may see retries" --next 30m'],
        help={
            "text": "the update, in words management and customers understand",
            "next": "when the next update is due, e.g. 30m",
        },
        short={"next": "n"},
    )
    def update(self, ctx: CommandContext, text: TextArg, *, next: timedelta | None = None) -> None:
        """Post a stakeholder update (communicator), optionally promising the next one."""
        incident = ctx.incident()
        require_communicator(ctx.actor, incident, "post a stakeholder update")
        ctx.service.set_next_update(incident, next, ctx.tx.at)
        data = {"next_update_at": incident.next_update_at.isoformat() if incident.next_update_at else None}
        seq = record_entry(ctx, "update", text, data, key=True)
        due = f" Next update due {clock_time(incident.next_update_at)}." if incident.next_update_at else ""
        ctx.reply(f"📣 Update #{seq} posted.{due}")

    @command(
        "summary",
        examples=["/incident summary", "/incident summary Card payments fail for EU customers since 14:02"],
        help={"text": "the new summary"},
    )
    def summary(self, ctx: CommandContext, text: TextArg | None = None) -> None:
        """Show the running summary, or replace it (communicator)."""
        incident = ctx.incident()
        if not text:
            ctx.reply(f"Summary of {incident.reference}: {incident.summary or '(none yet)'}")
            return
        require_communicator(ctx.actor, incident, "change the summary")
        incident.summary = text
        ctx.service.save(incident, "summary")
        seq = record_entry(ctx, "summary", text)
        ctx.reply(f"Summary updated (#{seq}).")

    @command(
        "attach",
        examples=["/incident attach --name api-error ERROR 14:02:11 upstream timeout (db-1:5432)"],
        help={"content": "the snippet or log lines", "name": "a label for it"},
    )
    def attach(self, ctx: CommandContext, content: TextArg, *, name: str | None = None) -> None:
        """Attach a code snippet or log lines, kept exactly as given."""
        label = name or "snippet"
        seq = record_entry(ctx, "attachment", content, {"name": label, "lines": content.count("\n") + 1})
        ctx.reply(f"📎 Attached “{label}” as #{seq}.")

    @command(
        "key",
        examples=["/incident key 12", "/incident key 12 --off"],
        help={"entry": "the entry number (#n in my replies)", "off": "unmark it"},
    )
    def key(self, ctx: CommandContext, entry: int, *, off: bool = False) -> None:
        """Mark a timeline entry as a key event (or unmark it with --off)."""
        incident = ctx.incident()
        found = queries.entry(ctx.service.db, incident.id, entry)
        if found is None:
            raise NotFound(f"{incident.reference} has no entry #{entry}.")
        on = not off
        ctx.service.mark_key(incident, entry, on)
        record_entry(ctx, "key", f"#{entry} {'marked' if on else 'unmarked'} as key event", {"entry": entry, "key": on})
        ctx.reply(f"#{entry} is {'now' if on else 'no longer'} a key event: {found.text[:80]}")
