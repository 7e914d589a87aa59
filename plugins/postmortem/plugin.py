"""The post-mortem plugin: drafts from the record, and a review a few days after resolution.

A few days after an incident the team sits down with the chat logs and
writes what happened, why, and how to prevent it, for themselves and, in
other words, for customers. Warroom does the gathering: both drafts come from
the same record, the external one stripped of people and internal details and
marked as a draft, since only a person can decide it is fit to publish.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from warroom.core.plugin import (
    Call,
    CodeBlock,
    Command,
    IncidentResolved,
    Message,
    Paragraph,
    Plugin,
    Text,
    command,
    duration,
    hook,
    job,
)
from warroom.plugins.postmortem.draft import external_draft, internal_draft, read_record
from warroom.plugins.postmortem.render import DraftError
from warroom.plugins.postmortem.settings import PostmortemSettings


class Postmortem(Plugin[PostmortemSettings]):
    """Drafts internal and external post-mortems and reminds the team of the review."""

    def draft(self, incident_id: int, *, external: bool = False) -> str:
        """The draft as Markdown; LookupError for an unknown incident, DraftError for a broken template."""
        record = read_record(self.context, incident_id)
        return (external_draft if external else internal_draft)(record, self.context.config)

    @command(
        "postmortem",
        examples=["/incident postmortem", "/incident postmortem --external"],
        help={"external": "the version for customers: no names or internal details, a draft to review"},
    )
    def postmortem(self, call: Call, *, external: bool = False) -> None:
        """Draft the post-mortem from the record: internal, or --external for customers.

        Both come from the timeline, roles, impact and actions. The external one leaves out
        people and internal details; it is a draft to review and is never published by Warroom.
        """
        incident = call.incident

        def render() -> Message:  # a long timeline takes a while: read and render off the writer
            try:
                text = self.draft(incident.id, external=external)
            except DraftError as error:
                call.fail(str(error))
            return self._message(incident.reference, text, external)

        call.read_then_reply(render)

    @command(
        "postmortem",
        "review",
        examples=["/incident postmortem review", "/incident postmortem review --in 5d"],
        help={"in_": "how long after the incident is resolved, e.g. 3d (default from config)"},
    )
    def review(self, call: Call, *, in_: timedelta | None = None) -> None:
        """Schedule the post-mortem review a few days after the incident is resolved.

        Warroom reminds the incident's channel when the review is due. Asked before the
        incident is resolved, the review is scheduled when it is.
        """
        delay = in_ if in_ is not None else self.context.config.review_after  # the parser keeps it within 30 days
        incident = call.incident
        key = _plan_key(incident.id)
        if incident.resolved_at is None:
            call.save(key, {"delay": delay.total_seconds(), "at": None})
            call.record("postmortem", f"Post-mortem review to be held {duration(delay)} after resolution")
            call.reply(
                f"📅 I'll schedule the post-mortem review of {incident.reference} for {duration(delay)} "
                f"after it is resolved, and say so here."
            )
            return
        at, why = incident.resolved_at + delay, f"{duration(delay)} after it was resolved"
        if at <= call.at:
            at, why = call.at + delay, f"{duration(delay)} from now: {duration(delay)} after resolution has passed"
        call.save(key, {"delay": delay.total_seconds(), "at": at.isoformat()})
        call.record("postmortem", f"Post-mortem review scheduled for {moment(at)}")
        incident_id = incident.id

        async def schedule() -> None:
            self.context.schedule_at(_job_id(incident_id), at, self.review_due, incident_id, at.isoformat())

        call.after_commit(schedule)
        call.reply(
            Message.of(
                f"📅 Post-mortem review of {incident.reference}: {moment(at)} ({why}). I'll remind this channel then; "
                "the draft is one command away: “",
                Command("postmortem"),
                "”.",
            )
        )

    @hook(IncidentResolved)
    async def on_resolved(self, event: IncidentResolved) -> None:
        """Resolution is when a review gets planned: schedule the one already asked for, or offer to."""
        key = _plan_key(event.incident_id)
        plan: dict[str, Any] | None = self.context.load(key)
        if plan is None:
            after = duration(self.context.config.review_after).replace(" ", "")
            offer = Message.of("Schedule the post-mortem review? ", Command(f"postmortem review --in {after}"))
            await self.context.run(lambda call: call.post(event.incident_id, offer))
            return
        if plan.get("at") is not None:
            return  # planned already, after an earlier resolution
        at = event.at + timedelta(seconds=float(plan["delay"]))
        await self.context.save(key, {**plan, "at": at.isoformat()})
        self.context.schedule_at(_job_id(event.incident_id), at, self.review_due, event.incident_id, at.isoformat())
        await self.context.announce(
            event.incident_id,
            f"📅 Post-mortem review of {event.reference} scheduled for {moment(at)}, "
            f"{duration(at - event.at)} after resolution.",
            kind="postmortem",
            key=f"review-planned:{event.incident_id}:{at.isoformat()}",
        )

    @job()
    async def review_due(self, incident_id: int, at: str) -> None:
        """Remind the channel of the review, once per planned time, and only if that is still the plan."""
        key = _plan_key(incident_id)
        plan: dict[str, Any] | None = self.context.load(key)
        if plan is None or plan.get("at") != at:
            return  # re-planned since this job was scheduled
        try:
            incident = self.context.incident(incident_id)
        except LookupError:
            return
        if incident.resolved_at is None:
            await self.context.save(key, {**plan, "at": None})  # reopened: plan again when it is resolved
            return
        ago = duration(self.context.clock.now() - incident.resolved_at)
        await self.context.announce(
            incident_id,
            Message.of(
                f"🗓️ Time for the post-mortem review of {incident.reference} “{incident.title}” (resolved {ago} ago). "
                "Start from the draft: “",
                Command("postmortem"),
                "”; the customer version is “",
                Command("postmortem --external"),
                "”, a draft to review before anything is published. Blame systems, not people.",
            ),
            kind="postmortem",
            key=f"review:{incident_id}:{at}",
        )

    def _message(self, reference: str, text: str, external: bool) -> Message:
        which = "external, review before publishing" if external else "internal"
        title = f"Post-mortem draft for {reference} ({which})"
        limit = self.context.config.chat_limit
        if len(text) <= limit:
            return Message(title=title, blocks=(CodeBlock(text, "markdown"),))
        head = text[:limit].rsplit("\n", 1)[0]
        flag, suffix = (" --external", "-external") if external else ("", "")
        how = (
            f"That's the first {len(head.splitlines())} of {len(text.splitlines())} lines. For the whole draft, "
            f"run “warroom postmortem {reference}{flag} --out {reference}-postmortem{suffix}.md” where Warroom runs."
        )
        return Message(title=title, blocks=(CodeBlock(head, "markdown"), Paragraph((Text(how),))))


def moment(at: datetime) -> str:
    """``Sun 4 Jan 10:00 UTC``: a meeting time people read at a glance."""
    return f"{at:%a} {at.day} {at:%b} {at:%H:%M} UTC"


def _plan_key(incident_id: int) -> str:
    return f"review:{incident_id}"


def _job_id(incident_id: int) -> str:
    return f"review:{incident_id}"
