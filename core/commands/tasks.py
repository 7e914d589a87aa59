"""Parallel mitigation work: tasks with owners, so low-risk fixes run while others dig."""

from __future__ import annotations

from warroom.core.commands.context import CommandContext, CommandSet
from warroom.core.commands.records import record_entry
from warroom.core.commands.spec import CommandSpec, Flag, Kind, Param
from warroom.core.errors import Invalid, NotFound
from warroom.core.storage import queries
from warroom.core.storage.queries import TaskItem
from warroom.core.storage.tables import TASKS

commands = CommandSet()


@commands.command(
    CommandSpec(
        ("task", "add"),
        "Add a task, optionally with an owner.",
        params=(Param("title", Kind.TEXT, "what needs doing"),),
        flags=(Flag("owner", Kind.PERSON, "who does it", short="o"),),
        examples=("/incident task add Scale down the export queue --owner @bob",),
    )
)
def task_add(ctx: CommandContext) -> None:
    incident = ctx.incident()
    owner = ctx.person("owner") if "owner" in ctx.args else None
    number = incident.next_task
    ctx.service.db.insert(
        TASKS,
        {
            "incident_id": incident.id,
            "number": number,
            "title": ctx.text("title"),
            "owner_id": owner,
            "state": "open",
            "created_at": ctx.tx.at,
        },
    )
    incident.next_task = number + 1
    if owner is not None:
        ctx.bring_in(incident, owner)
    owner_name = ctx.service.people.name(owner) if owner else ""
    text = f"Task {number} added: {ctx.text('title')}" + (f" (owner {owner_name})" if owner else "")
    seq = record_entry(ctx, "task", text, {"task": number, "event": "added", "owner_id": owner})
    ctx.reply(f"☑️ {text} (#{seq}).")


@commands.command(
    CommandSpec(
        ("task", "assign"),
        "Give a task to someone.",
        params=(Param("task", Kind.INT, "the task number"), Param("person", Kind.PERSON, "the new owner")),
        examples=("/incident task assign 2 @carol",),
    )
)
def task_assign(ctx: CommandContext) -> None:
    incident = ctx.incident()
    task = _task(ctx, incident.id)
    owner = ctx.person("person")
    ctx.service.db.update(TASKS, {"incident_id": incident.id, "number": task.number}, {"owner_id": owner})
    ctx.bring_in(incident, owner)
    text = f"Task {task.number} assigned to {ctx.service.people.name(owner)}"
    seq = record_entry(ctx, "task", text, {"task": task.number, "event": "assigned", "owner_id": owner})
    ctx.reply(f"{text} (#{seq}).")


@commands.command(
    CommandSpec(
        ("task", "done"),
        "Mark a task done.",
        params=(Param("task", Kind.INT, "the task number"),),
        examples=("/incident task done 2",),
    )
)
def task_done(ctx: CommandContext) -> None:
    incident = ctx.incident()
    task = _task(ctx, incident.id)
    if task.state == "done":
        raise Invalid(f"Task {task.number} is already done.")
    ctx.service.db.update(
        TASKS, {"incident_id": incident.id, "number": task.number}, {"state": "done", "done_at": ctx.tx.at}
    )
    text = f"Task {task.number} done: {task.title}"
    seq = record_entry(ctx, "task", text, {"task": task.number, "event": "done"})
    ctx.reply(f"✅ {text} (#{seq}).")


@commands.command(
    CommandSpec(
        ("tasks",),
        "List the incident's tasks.",
        examples=("/incident tasks",),
        aliases=(("task", "list"),),
    )
)
def task_list(ctx: CommandContext) -> None:
    incident = ctx.incident()
    found = queries.tasks(ctx.service.db, incident.id)
    if not found:
        ctx.reply(f"No tasks on {incident.reference} yet: “{ctx.prefix} task add …”.")
        return
    names = ctx.service.people.name
    lines = [
        f"{'✅' if t.state == 'done' else '☐'} {t.number}. {t.title}"
        + (f" — {names(t.owner_id)}" if t.owner_id else " — unowned")
        for t in found
    ]
    ctx.reply("\n".join(lines))


def _task(ctx: CommandContext, incident_id: int) -> TaskItem:
    number = ctx.args["task"]
    for task in queries.tasks(ctx.service.db, incident_id):
        if task.number == number:
            return task
    raise NotFound(f"There is no task {number} on INC-{incident_id}; see “{ctx.prefix} tasks”.")
