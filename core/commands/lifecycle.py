"""Commands that steer an incident: declare it, lead it, move it to resolved."""

from __future__ import annotations

from datetime import timedelta

from warroom.core.commands.context import CommandContext, CommandSet
from warroom.core.commands.spec import CommandSpec, Flag, Kind, Param
from warroom.core.errors import Invalid
from warroom.core.flows.channels import channel_list
from warroom.core.incident.permissions import can_see
from warroom.core.incident.render import ago, brief_message, duration, headline, status_message
from warroom.core.incident.state import COMMANDER
from warroom.core.storage import queries

commands = CommandSet()
MAX_TITLE = 200


@commands.command(
    CommandSpec(
        ("declare",),
        "Declare an incident and open its channel.",
        params=(Param("title", Kind.TEXT, "what is wrong, in a few words"),),
        flags=(
            Flag("severity", Kind.INT, "severity level (see “help severity”)", short="s"),
            Flag("kind", Kind.WORD, "technical, security, business… (from config)", short="k"),
            Flag("private", Kind.BOOL, "open a private channel instead of a public one"),
            Flag("affected", Kind.WORDS, "affected systems, comma-separated", short="a"),
        ),
        examples=(
            '/incident declare "Checkout is down" --severity 1',
            "/incident declare Card payments failing -a api,db",
        ),
        incident_scoped=False,
        details="Incidents are public by default so that nobody works the same one unaware; --private is a choice.",
    )
)
def declare(ctx: CommandContext) -> None:
    config = ctx.service.config
    title = " ".join(ctx.text("title").split())
    if len(title) > MAX_TITLE:
        raise Invalid(f"That title is {len(title)} characters; keep it under {MAX_TITLE} and put details in a log.")
    severity = ctx.args.get("severity")
    level = severity if isinstance(severity, int) else config.incidents.default_severity
    if config.severity(level) is None:
        raise Invalid(f"There is no severity {level}. Severities: {_levels(ctx)}.")
    kind = str(ctx.args.get("kind") or config.incidents.default_kind).lower()
    if kind not in config.kinds:
        raise Invalid(f"“{kind}” is not an incident kind. Kinds: {', '.join(config.kinds)}.")
    affected = list(dict.fromkeys(ctx.args.get("affected") or ()))  # type: ignore[call-overload]
    private = bool(ctx.args.get("private")) or config.incidents.private_by_default
    similar = [
        (other, reason)
        for other, reason in ctx.service.open_index().similar(title, affected, config.incidents.similar_title_threshold)
        if can_see(ctx.actor, other)
    ][:3]
    incident = ctx.service.declare(
        ctx.actor,
        title,
        severity=level,
        kind=kind,
        private=private,
        affected=affected,
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


@commands.command(
    CommandSpec(
        ("status",),
        "Show the incident's status, or move it to a new one.",
        params=(Param("status", Kind.WORD, "the new status", required=False),),
        examples=("/incident status", "/incident status mitigated"),
        details="Moving the status is the commander's call. “mitigated” means the immediate pain has stopped; "
        "“resolved” means it is over.",
    )
)
def status(ctx: CommandContext) -> None:
    incident = ctx.incident()
    new = ctx.args.get("status")
    if new is None:
        ctx.reply(status_message(ctx.service, incident, ctx.tx.at))
        return
    seq = ctx.service.set_status(ctx.actor, incident, str(new).lower(), ctx.tx.at, ctx.source())
    ctx.reply(f"{incident.reference} is now {incident.status} (#{seq}).")


@commands.command(
    CommandSpec(
        ("resolve",),
        "Mark the incident resolved.",
        params=(Param("note", Kind.TEXT, "how it ended", required=False),),
        examples=("/incident resolve", "/incident resolve Rolled back to v41; error rate normal for 30 minutes"),
    )
)
def resolve(ctx: CommandContext) -> None:
    incident = ctx.incident()
    if incident.resolved:
        raise Invalid(f"{incident.reference} is already resolved.")
    seq = ctx.service.set_status(ctx.actor, incident, "resolved", ctx.tx.at, ctx.source())
    note = ctx.text("note")
    if note:
        ctx.service.record(incident, "note", ctx.actor, note, ctx.tx.at, key=True)
    elapsed = ctx.tx.at - incident.declared_at
    took = f"after {duration(elapsed)}" if elapsed >= timedelta(minutes=1) else "within a minute"
    ctx.reply(
        f"✅ {incident.reference} resolved {took} (#{seq}). Thank you all. Write the post-mortem while it is fresh."
    )


@commands.command(
    CommandSpec(
        ("severity",),
        "Change the incident's severity.",
        params=(Param("level", Kind.INT, "the new severity level"),),
        examples=("/incident severity 2",),
    )
)
def severity(ctx: CommandContext) -> None:
    incident = ctx.incident()
    seq = ctx.service.set_severity(ctx.actor, incident, int(ctx.args["level"]), ctx.tx.at, ctx.source())  # type: ignore[call-overload]
    ctx.reply(f"{headline(incident, ctx.service.config)} (#{seq})")


@commands.command(
    CommandSpec(
        ("role",),
        "Assign a role to someone (or hand yours over).",
        params=(
            Param("role", Kind.WORD, "commander, communicator, or a role from config"),
            Param("person", Kind.PERSON, "who takes it"),
        ),
        examples=("/incident role commander @alice", "/incident role communicator @bob"),
        details="A vacant role can be given to anyone; a held role is handed over by its holder or the commander.",
    )
)
def role(ctx: CommandContext) -> None:
    _assign(ctx, str(ctx.args["role"]).lower(), ctx.person("person"))


@commands.command(
    CommandSpec(
        ("role", "take"),
        "Take a role yourself.",
        params=(Param("role", Kind.WORD, "commander, communicator, or a role from config"),),
        examples=("/incident role take commander",),
    )
)
def role_take(ctx: CommandContext) -> None:
    _assign(ctx, str(ctx.args["role"]).lower(), ctx.actor.person_id)


def _assign(ctx: CommandContext, role: str, person_id: int) -> None:
    incident = ctx.incident()
    seq = ctx.service.assign_role(ctx.actor, incident, role, person_id, ctx.tx.at, ctx.source())
    name = ctx.service.people.name(person_id)
    description = ctx.service.config.role_descriptions()[role]
    invited = ctx.bring_in(incident, person_id)  # a role holder must be able to reach the channel
    where = f" I invited them to {channel_list(invited)}." if invited and incident.private else ""
    ctx.reply(f"{name} is now the {role} of {incident.reference} (#{seq}). {description}{where}")


@commands.command(
    CommandSpec(
        ("roles",),
        "Show who holds which role, and what each role means.",
        examples=("/incident roles",),
        incident_scoped=True,
    )
)
def roles(ctx: CommandContext) -> None:
    descriptions = ctx.service.config.role_descriptions()
    in_incident = ctx.incident_id or ctx.service.incident_in(ctx.event.conversation)
    incident = ctx.incident() if in_incident else None
    lines = []
    for name, description in descriptions.items():
        holder = incident.roles.get(name) if incident else None
        who = f" — {ctx.service.people.name(holder)}" if holder else (" — vacant" if incident else "")
        lines.append(f"{name}{who}: {description}")
    if incident and COMMANDER not in incident.roles:
        lines.append(f"Nobody leads {incident.reference} yet: “{ctx.prefix} role take commander”.")
    ctx.reply("\n".join(lines))


@commands.command(
    CommandSpec(
        ("brief",),
        "Catch up: roles, status, impact, open tasks, key events, last update.",
        examples=("/incident brief", "/incident brief --incident INC-3"),
    )
)
def brief(ctx: CommandContext) -> None:
    ctx.reply(brief_message(ctx.service, ctx.incident(), ctx.tx.at))


@commands.command(
    CommandSpec(
        ("list",),
        "List open incidents (add --all for resolved ones too).",
        flags=(Flag("all", Kind.BOOL, "include resolved incidents"),),
        examples=("/incident list", "/incident list --all"),
        incident_scoped=False,
    )
)
def list_incidents(ctx: CommandContext) -> None:
    service = ctx.service
    include_resolved = bool(ctx.args.get("all"))
    if include_resolved:
        candidates = [service.get(i) for i in queries.incident_ids(service.db)[:200]]
    else:
        candidates = sorted(service.open_index().incidents(), key=lambda i: -i.id)
    shown = [i for i in candidates if can_see(ctx.actor, i)][:25]
    if not shown:
        ctx.reply("No open incidents. 🎉" if not include_resolved else "No incidents yet.")
        return
    lines = [f"{headline(i, service.config)} — {ago(ctx.tx.at - i.declared_at)}" for i in shown]
    ctx.reply("\n".join(lines))


def _levels(ctx: CommandContext) -> str:
    return ", ".join(f"{s.level} ({s.name})" for s in ctx.service.config.severities)
