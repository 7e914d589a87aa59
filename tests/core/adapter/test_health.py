"""An adapter's health report: judged by its state unless the adapter says, and shown as JSON."""

from __future__ import annotations

from warroom.core.adapter import AdapterHealth


def test_without_a_state_all_is_well() -> None:
    assert AdapterHealth().report() == {"ok": True}


def test_the_down_states_are_not_well_unless_the_adapter_says_otherwise() -> None:
    for state in ("failed", "stopped", "disconnected"):
        assert not AdapterHealth(state).healthy
    assert AdapterHealth("ready").healthy
    assert not AdapterHealth("syncing", ok=False).healthy and AdapterHealth("stopped", ok=True).healthy


def test_the_report_carries_the_details_the_state_and_the_verdict() -> None:
    report = AdapterHealth("serving", details={"port": 8080}).report()
    assert report == {"port": 8080, "state": "serving", "ok": True}
