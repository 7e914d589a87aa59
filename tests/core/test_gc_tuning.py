"""`warroom run` tunes the garbage collector once the app is built, before it serves anything."""

from __future__ import annotations

import argparse
import gc
from collections.abc import Iterator

import pytest
from warroom.core import cli
from warroom.core.config.loader import load_config


@pytest.fixture(autouse=True)
def restore_gc() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_tune_gc_freezes_what_exists_and_collects_young_objects_less_often() -> None:
    gc.unfreeze()
    cli.tune_gc()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == (cli.GC_GENERATION_0, 10, 10)
    assert cli.GC_GENERATION_0 > 700  # Python's default


def test_run_tunes_the_gc_after_building_the_app_and_before_serving(monkeypatch: pytest.MonkeyPatch) -> None:
    steps: list[str] = []

    class App:
        def __init__(self, _config: object) -> None:
            steps.append(f"built, frozen={gc.get_freeze_count()}")

        def add_configured_adapters(self) -> None:
            steps.append("adapters")

        async def run(self) -> None:
            steps.append(f"serving, frozen={gc.get_freeze_count() > 0}, gen0={gc.get_threshold()[0]}")

    gc.unfreeze()
    monkeypatch.setattr(cli, "Warroom", App)
    assert cli._run(load_config(None, environ={}), argparse.Namespace()) == 0
    assert steps == ["built, frozen=0", "adapters", f"serving, frozen=True, gen0={cli.GC_GENERATION_0}"]
