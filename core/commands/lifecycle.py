"""Commands that steer an incident: declare it, lead it, move it to resolved."""

from __future__ import annotations

from datetime import timedelta

from warroom.core.adapter.messages import Command, Message
from warroom.core.commands.context import CommandContext
from warroom.core.commands.declare import PersonArg, TextArg, command
from warroom.core.errors import Invalid
from warroom.core.flows.channels import channel_list
from warroom.core.incident.permissions import can_see
from warroom.core.incident.render import ago, brief_message, duration, headline, status_message
from warroom.core.incident.state import COMMANDER
from warroom.core.storage import queries

MAX_TITLE = 200
ROLE_HELP = "commander, communicator, or a role from config"


class LifecycleCommands:
    @command(
        "declare",
        examples=[
            '/incident declare "Checkout is down" --severity 1',
            "/incident declare Card payments failing -a api,db",
        ],
        help={
            "title": "what is wrong, in a few words",
            "severity": "severity level (see “help severity”)",
            "kind": "technical, security, business… (from config)",
            "private": "open a private channel instead of a public one",
            "affected": "affected systems, comma-separated",
        },
        short={"severity": "s", "kind": "k", "affected": "a"},
        incident_scoped=False,
    )
    def declare(
        self,
        ctx: CommandContext,
        title: TextArg,
        *,
        severity: int | None = None,
        kind: str | None = None,
        private: bool = False,
        affected: tuple[str, ...] = (),
    ) -> None:
        """Declare an incident and open its channel.

        Incidents are public by default so that nobody works the same one unaware; --private is a choice.
        """
        config = ctx.service.config
        one_line = " ".join(title.split())
        if len(one_line) > MAX_TITLE:
            raise Invalid(
                f"That title is {len(one_line)} characters; keep it under {MAX_TITLE} and put details in a log."
            )
        level = severity if severity is not None else config.incidents.default_severity
        if config.severity(level) is None:
            raise Invalid(f"There is no severity {level}. Severities: {_levels(ctx)}.")
        kind = (kind or config.incidents.default_kind).lower()
        if kind not in config.kinds:
            raise Invalid(f"“{kind}” is not an incident kind. Kinds: {', '.join(config.kinds)}.")
        systems = list(dict.fromkeys(affected))
        private = private or config.incidents.private_by_default
        threshold = config.incidents.similar_title_threshold
        similar = [
            (other, reason)
            for other, reason in ctx.service.open_index().similar(one_line, systems, threshold)
            if can_see(ctx.actor, other)
        ][:3]
        incident = ctx.service.declare(
            ctx.actor,
            one_line,
            severity=level,
            kind=kind,
            private=private,
            affected=systems,
            at=ctx.tx.at,
            source=ctx.source(),
        )
        if similar:
            lines = "; ".join(f"{other.reference} “{other.title}” ({reason})" for other, reason in similar)
            ctx.reply(
                f"Heads up: open incidents that look like this one: {lines}. "
                f"If it is the same problem, join that channel instead."
            )
        channel_opener = ctx.channel_opener
        origin, user = ctx.event.conversation, ctx.event.user
        ctx.tx.after_commit(lambda: channel_opener.open(incident.id, origin, user))

    @command("status", examples=["/incident status", "/incident status mitigated"], help={"status": "the new status"})
    def status(self, ctx: CommandContext, status: str | None = None) -> None:
        """Show the incident's status, or move it to a new one.

        Moving the status is the commander's call. “mitigated” means the immediate pain has stopped; “resolved” means it is over.
        """  # noqa: E501 (help shows details as written: one line stays one line)
        incident = ctx.incident()
        if status is None:
            ctx.reply(status_message(ctx.service, incident, ctx.tx.at))
            return
        seq = ctx.service.set_status(ctx.actor, incident, status.lower(), ctx.tx.at, ctx.source())
        ctx.reply(f"{incident.reference} is now {incident.status} (#{seq}).")

    @command(
        "resolve",
        examples=["/incident resolve", "/incident resolve Rolled back to v41; error rate normal for 30 minutes"],
        help={"note": "how it ended"},
    )
    def resolve(self, ctx: CommandContext, note: TextArg | None = None) -> None:
        """Mark the incident resolved."""
        incident = ctx.incident()
        if incident.resolved:
            raise Invalid(f"{incident.reference} is already resolved.")
        seq = ctx.service.set_status(ctx.actor, incident, "resolved", ctx.tx.at, ctx.source())
        if note:
            ctx.service.record(incident, "note", ctx.actor, note, ctx.tx.at, key=True)
        elapsed = ctx.tx.at - incident.declared_at
        took = f"after {duration(elapsed)}" if elapsed >= timedelta(minutes=1) else "within a minute"
        ctx.reply(
            f"✅ {incident.reference} resolved {took} (#{seq}). Thank you all. Write the post-mortem while it is fresh."
        )

    @command("severity", examples=["/incident severity 2"], help={"level": "the new severity level"})
    def severity(self, ctx: CommandContext, level: int) -> None:
        """Change the incident's severity."""
        incident = ctx.incident()
        seq = ctx.service.set_severity(ctx.actor, incident, level, ctx.tx.at, ctx.source())
        ctx.reply(f"{headline(incident, ctx.service.config)} (#{seq})")

    @command(
        "role",
        examples=["/incident role commander @alice", "/incident role communicator @bob"],
        help={"role": ROLE_HELP, "person": "who takes it"},
    )
    def role(self, ctx: CommandContext, role: str, person: PersonArg) -> None:
        """Assign a role to someone (or hand yours over).

        A vacant role can be given to anyone; a held role is handed over by its holder or the commander.
        """
        _assign(ctx, role.lower(), person.id)

    @command("role", "take", examples=["/incident role take commander"], help={"role": ROLE_HELP})
    def role_take(self, ctx: CommandContext, role: str) -> None:
        """Take a role yourself."""
        _assign(ctx, role.lower(), ctx.actor.person_id)

    @command("roles", examples=["/incident roles"])
    def roles(self, ctx: CommandContext) -> None:
        """Show who holds which role, and what each role means."""
        descriptions = ctx.service.config.role_descriptions()
        in_incident = ctx.incident_id or ctx.service.incident_in(ctx.event.conversation)
        incident = ctx.incident() if in_incident else None
        lines = []
        for name, description in descriptions.items():
            holder = incident.roles.get(name) if incident else None
            who = f" — {ctx.service.people.name(holder)}" if holder else (" — vacant" if incident else "")
            lines.append(f"{name}{who}: {description}")
        hint: tuple[str | Command, ...] = ()
        if incident and COMMANDER not in incident.roles:
            hint = (f"\nNobody leads {incident.reference} yet: “", Command("role take commander"), "”.")
        ctx.reply(Message.of("\n".join(lines), *hint))

    @command("brief", examples=["/incident brief", "/incident brief --incident INC-3"])
    def brief(self, ctx: CommandContext) -> None:
        """Catch up: roles, status, impact, open tasks, key events, last update."""
        ctx.reply(brief_message(ctx.service, ctx.incident(), ctx.tx.at))

    @command(
        "list",
        examples=["/incident list", "/incident list --all"],
        help={"all": "include resolved incidents"},
        incident_scoped=False,
    )
    def list_incidents(self, ctx: CommandContext, *, all: bool = False) -> None:
        """List open incidents (add --all for resolved ones too)."""
        service = ctx.service
        if all:
            candidates = [service.get(i) for i in queries.incident_ids(service.db)[:200]]
        else:
            candidates = sorted(service.open_index().incidents(), key=lambda i: -i.id)
        shown = [i for i in candidates if can_see(ctx.actor, i)][:25]
        if not shown:
            ctx.reply("No open incidents. 🎉" if not all else "No incidents yet.")
            return
        lines = [f"{headline(i, service.config)} — {ago(ctx.tx.at - i.declared_at)}" for i in shown]
        ctx.reply("\n".join(lines))


def _assign(ctx: CommandContext, role: str, person_id: int) -> None:
    incident = ctx.incident()
    seq = ctx.service.assign_role(ctx.actor, incident, role, person_id, ctx.tx.at, ctx.source())
    name = ctx.service.people.name(person_id)
    description = ctx.service.config.role_descriptions()[role]
    invited = ctx.bring_in(incident, person_id)  # a role holder must be able to reach the channel
    where = f" I invited them to {channel_list(invited)}." if invited and incident.private else ""
    ctx.reply(f"{name} is now the {role} of {incident.reference} (#{seq}). {description}{where}")


def _levels(ctx: CommandContext) -> str:
    return ", ".join(f"{s.level} ({s.name})" for s in ctx.service.config.severities)
