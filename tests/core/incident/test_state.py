"""An incident's fields are its table's columns: the state, its loading and saving, and the snapshot follow them."""

from __future__ import annotations

from dataclasses import fields

from warroom.core.incident.snapshots import IncidentView, incident_view
from warroom.core.incident.state import STORED, load_incident
from warroom.core.storage.tables import INCIDENTS
from warroom.core.testing import Harness


def test_the_state_and_the_snapshot_have_every_column_of_the_incident_table() -> None:
    columns = {column.name for column in INCIDENTS.c} - {"id"}
    assert set(STORED) == columns
    assert columns <= {field.name for field in fields(IncidentView)}


async def test_what_is_saved_loads_back_as_the_same_state(harness: Harness) -> None:
    h = harness
    await h.say("/incident declare Checkout is down --severity 2 -a api,db")
    channel = h.channel("INC-1")
    for command in (
        "/incident role take commander",
        "/incident role take communicator",
        "/incident status identified",
        '/incident impact --who "EU customers" --count 0 --where checkout',
        "/incident summary Card payments fail",
        "/incident affected remove db",
        "/incident update Recovering --next 30m",
    ):
        await h.say(command, channel=channel)
    state = h.app.service.get(1)
    assert load_incident(h.app.db, 1) == state
    assert state.row()["affected"] == '["api"]' and state.impact_count == 0


async def test_a_snapshot_copies_every_stored_field_and_shares_nothing_mutable(harness: Harness) -> None:
    h = harness
    await h.say("/incident declare Checkout is down -a api")
    state = h.app.service.get(1)
    view = incident_view(h.app.service, state)
    for name in set(STORED) - {"declared_by", "affected"}:
        assert getattr(view, name) == getattr(state, name), name
    assert (view.declared_by.id, view.declared_by.name) == (state.declared_by, "alice")
    assert view.affected == ("api",) and view.reference == "INC-1"
    state.affected.append("db")
    state.status_times["mitigated"] = "later"
    assert view.affected == ("api",) and "mitigated" not in view.status_times
