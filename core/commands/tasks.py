"""Parallel mitigation work: tasks with owners, so low-risk fixes run while others dig."""

from __future__ import annotations

from warroom.core.adapter.messages import Command, Message
from warroom.core.commands.context import CommandContext
from warroom.core.commands.declare import PersonArg, TextArg, command
from warroom.core.commands.records import record_entry
from warroom.core.errors import Invalid, NotFound
from warroom.core.storage import queries
from warroom.core.storage.queries import TaskItem
from warroom.core.storage.tables import TASKS


class TaskCommands:
    @command(
        "task",
        "add",
        examples=["/incident task add Scale down the export queue --owner @bob"],
        help={"title": "what needs doing", "owner": "who does it"},
        short={"owner": "o"},
    )
    def task_add(self, ctx: CommandContext, title: TextArg, *, owner: PersonArg | None = None) -> None:
        """Add a task, optionally with an owner."""
        incident = ctx.incident()
        owner_id = owner.id if owner else None
        number = incident.next_task
        ctx.service.db.insert(
            TASKS,
            {
                "incident_id": incident.id,
                "number": number,
                "title": title,
                "owner_id": owner_id,
                "state": "open",
                "created_at": ctx.tx.at,
            },
        )
        incident.next_task = number + 1
        if owner is not None:
            ctx.bring_in(incident, owner.id)
        text = f"Task {number} added: {title}" + (f" (owner {owner.name})" if owner else "")
        seq = record_entry(ctx, "task", text, {"task": number, "event": "added", "owner_id": owner_id})
        ctx.reply(f"☑️ {text} (#{seq}).")

    @command(
        "task",
        "assign",
        examples=["/incident task assign 2 @carol"],
        help={"task": "the task number", "person": "the new owner"},
    )
    def task_assign(self, ctx: CommandContext, task: int, person: PersonArg) -> None:
        """Give a task to someone."""
        incident = ctx.incident()
        found = _task(ctx, incident.id, task)
        ctx.service.db.update(TASKS, {"incident_id": incident.id, "number": found.number}, {"owner_id": person.id})
        ctx.bring_in(incident, person.id)
        text = f"Task {found.number} assigned to {person.name}"
        seq = record_entry(ctx, "task", text, {"task": found.number, "event": "assigned", "owner_id": person.id})
        ctx.reply(f"{text} (#{seq}).")

    @command("task", "done", examples=["/incident task done 2"], help={"task": "the task number"})
    def task_done(self, ctx: CommandContext, task: int) -> None:
        """Mark a task done."""
        incident = ctx.incident()
        found = _task(ctx, incident.id, task)
        if found.state == "done":
            raise Invalid(f"Task {found.number} is already done.")
        ctx.service.db.update(
            TASKS, {"incident_id": incident.id, "number": found.number}, {"state": "done", "done_at": ctx.tx.at}
        )
        text = f"Task {found.number} done: {found.title}"
        seq = record_entry(ctx, "task", text, {"task": found.number, "event": "done"})
        ctx.reply(f"✅ {text} (#{seq}).")

    @command("tasks", examples=["/incident tasks"], aliases=[["task", "list"]])
    def task_list(self, ctx: CommandContext) -> None:
        """List the incident's tasks."""
        incident = ctx.incident()
        found = queries.tasks(ctx.service.db, incident.id)
        if not found:
            ctx.reply(Message.of(f"No tasks on {incident.reference} yet: “", Command("task add …"), "”."))
            return
        names = ctx.service.people.name
        lines = [
            f"{'✅' if t.state == 'done' else '☐'} {t.number}. {t.title}"
            + (f" — {names(t.owner_id)}" if t.owner_id else " — unowned")
            for t in found
        ]
        ctx.reply("\n".join(lines))


def _task(ctx: CommandContext, incident_id: int, number: int) -> TaskItem:
    for task in queries.tasks(ctx.service.db, incident_id):
        if task.number == number:
            return task
    raise NotFound(Message.of(f"There is no task {number} on INC-{incident_id}; see “", Command("tasks"), "”."))
