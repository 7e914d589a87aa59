"""A scripted incident for the post-mortem tests: two days, five people, hosts, addresses and a blaming line.

Alice declares and commands, Carol communicates, Bob digs, Dave owns a
follow-up, Erin takes over as commander overnight. The chat mentions internal
hosts, an IP address and an email, and so do the title, the summary and the
updates, so the external draft has something to leave out.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from warroom.core.plugin import Call, Plugin, TextArg, command
from warroom.core.testing import Harness
from warroom.plugins.postmortem import Postmortem

PEOPLE = ("Alice", "Bob", "Carol", "Dave", "Erin")
TITLE = "Checkout failing after Bob's deploy to db-1.internal.example.com"
BLAMING = "this is probably Dave's fault, he forgot to run the migration"
NEUTRAL = "the migration step isn't enforced by the deploy pipeline"
SECRETS = (
    "db-1",
    "internal.example.com",
    "10.0.3.7",
    "dba@example.com",
    "grafana",
    "api-3",
    "ledgerd",
    "Nimbus",
)
CONFIG: dict[str, Any] = {
    "redact": [{"pattern": "(?i)project nimbus", "replacement": "a new feature"}],
    "internal_services": ["ledgerd"],
    "chat_limit": 100_000,
}


class Asker(Plugin):
    """Asks for confirmations, as the confirmations plugin would."""

    @command("ask", examples=["/incident ask restart db-1"])
    def ask(self, call: Call, action: TextArg) -> None:
        """Ask the commander before doing something destructive."""
        call.confirm(action)


def harness(warroom: Any, **config: Any) -> Harness:
    h: Harness = warroom(
        plugins={"postmortem": Postmortem, "asker": Asker}, plugin_config={"postmortem": {**CONFIG, **config}}
    )
    return h


async def restart(warroom: Any, h: Harness) -> Harness:
    """Close ``h`` and start Warroom again on its database, at the time it stopped."""
    now = h.clock.now()
    await h.close()
    again: Harness = warroom(config=h.config, plugins={"postmortem": Postmortem}, plugin_config={"postmortem": CONFIG})
    again.clock.set(now)
    return again


async def scripted(h: Harness) -> None:
    """INC-1 from 22:40 on 1 January to 09:10 the next day, resolved."""
    h.advance(timedelta(hours=22, minutes=40))
    await h.say(f'/incident declare "{TITLE}" -s 2 -a api,db', user="Alice")
    ch = h.channel("INC-1")

    async def say(user: str, text: str) -> list[str]:
        return await h.say(text, channel=ch, user=user)

    await say("Alice", "/incident role take commander")
    await say("Alice", "/incident role communicator @Carol")
    h.advance(timedelta(minutes=3))
    await say("Bob", "seeing timeouts from 10.0.3.7 to db-1.internal.example.com:5432, paging dba@example.com")
    await say("Bob", "/incident assume The 22:30 deploy of ledgerd leaks connections")
    await say("Bob", BLAMING)
    await say("Bob", NEUTRAL)
    h.advance(timedelta(minutes=7))
    await say(
        "Bob",
        "/incident verify Connections maxed on db-1 "
        '--cmd "psql -h db-1.internal.example.com -c \'select count(*) from pg_stat_activity\'" --result "500 of 500"',
    )
    await say("Alice", "/incident decide Roll back ledgerd to v41 rather than raise max_connections")
    await say("Carol", '/incident impact --who "EU card customers" --count 1200 --where checkout')
    await say(
        "Carol",
        "/incident summary Card payments failed for EU customers: the project Nimbus deploy exhausted the "
        "connections of db-1.internal.example.com (10.0.3.7)",
    )
    await say("Alice", "/incident task add Roll back ledgerd to v41 --owner @Bob")
    await say("Alice", "/incident task add Alert on connection-pool use of db-1.internal.example.com --owner @Dave")
    await say("Bob", "/incident attach --name pg-log FATAL: remaining connection slots are reserved (db-1:5432)")
    await say("Bob", "/incident ask restart ledgerd on api-3")
    prompt = [s for s in h.adapter.sent if s.actions][-1]
    await h.click(prompt.actions[0], user="Alice", channel=ch)
    await say("Bob", "/incident ask drop the connection table")
    await say("Alice", "/incident reject 2 not while the rollback runs")
    await say(
        "Carol",
        "/incident update Card payments are failing for some EU customers; Carol is rolling back ledgerd. "
        "Dashboard: https://grafana.internal.example.com/d/pg --next 30m",
    )
    h.advance(timedelta(minutes=20))
    await say("Bob", "/incident log Rolled back ledgerd on api-3 and api-4; connections dropping")
    await say("Bob", "/incident task done 1")
    await say("Alice", "/incident status mitigated")
    await say("Carol", '/incident update "Payments are working again; we are monitoring." --next 1h')
    h.advance(timedelta(hours=2))
    await say("Alice", "/incident role commander @Erin")
    h.advance(timedelta(hours=8))
    await say("Erin", "/incident resolve Error rate normal since 23:45")


def entry_number(h: Harness, text: str) -> int:
    """The timeline number of the entry with exactly this text."""
    context = h.plugin("postmortem").context
    return next(e.seq for e in context.timeline(1) if e.text == text)
