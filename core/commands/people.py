"""Commands about who works an incident: bringing people in."""

from __future__ import annotations

from warroom.core.adapter.refs import ConversationRef
from warroom.core.commands.context import CommandContext
from warroom.core.commands.declare import PersonArg, command
from warroom.core.errors import Invalid
from warroom.core.flows.channels import channel_list
from warroom.core.incident.permissions import require_member


class PeopleCommands:
    @command(
        "invite",
        examples=["/incident invite @bob", "/incident invite @bob @carol", "/incident invite @dana --incident INC-3"],
        help={"person": "who to bring in", "others": "more people to bring in, as @mentions"},
    )
    def invite(self, ctx: CommandContext, person: PersonArg, others: tuple[str, ...] = ()) -> None:
        """Bring people into the incident: they become members and are invited to its channel.

        Anyone working on the incident may invite (its commander, its role holders and whoever is in its channel). A private incident is visible only to its members, and its channel admits only who was there when it opened: inviting is how someone else gets in. Inviting yourself from elsewhere sends you the channel invitation again.
        """  # noqa: E501 (help shows details as written: one line stays one line)
        incident = ctx.incident()
        require_member(ctx.actor, incident, "invite people")
        service, at = ctx.service, ctx.tx.at
        people = list(dict.fromkeys([person.id, *(ctx.mentioned(_mention(word)) for word in others)]))
        added: list[str] = []
        already: list[str] = []
        channels: dict[ConversationRef, None] = {}
        for person_id in people:
            name = service.people.name(person_id)
            if person_id in incident.members:
                already.append(name)
            else:
                text = f"{name} invited by {ctx.actor.name}"
                seq = service.record(
                    incident, "invite", ctx.actor, text, at, {"person_id": person_id}, source=ctx.source()
                )
                added.append(f"{name} (#{seq})")
            channels.update(dict.fromkeys(ctx.bring_in(incident, person_id)))
        lines = []
        if added:
            lines.append(f"Invited {_and(added)} to {incident.reference}.")
            if incident.private:
                lines.append("They can now see it.")
        if already:
            verb = "is already a member" if len(already) == 1 else "are already members"
            lines.append(f"{_and(already)} {verb} of {incident.reference}.")
        where = channel_list(list(channels))
        if channels and added:
            lines.append(f"I sent the invitation to {where}.")
        elif channels:  # the platform skips whoever is in the channel already
            lines.append(f"Whoever of them is not in {where} is invited to it again.")
        ctx.reply(" ".join(lines))


def _mention(word: str) -> str:
    name = word[1:].strip() if word.startswith("@") else ""
    if not name:
        raise Invalid(f"“{word}” is not a mention; name each person as @name.")
    return name


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
