"""The shape of the code: import-linter's contracts (in pyproject.toml) hold, and they catch what they are for.

``.ci/run`` runs ``lint-imports`` itself; these tests run the same contracts
on the same import graph, and then break the graph on purpose, one crossing
at a time, to show that each contract fails when the rule it states is broken.
"""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import grimp
import pytest
from importlinter import api
from importlinter.contracts.acyclic_siblings import AcyclicSiblingsContract
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.layers import LayersContract
from importlinter.contracts.protected import ProtectedContract
from importlinter.domain.contract import Contract

from tests import REPO

MAX_LINES = 400
CONTRACT_TYPES: dict[str, type[Contract]] = {
    "forbidden": ForbiddenContract,
    "layers": LayersContract,
    "acyclic_siblings": AcyclicSiblingsContract,
    "protected": ProtectedContract,
}


@cache
def configuration() -> dict[str, Any]:
    return api.read_configuration(str(REPO / "pyproject.toml"))


def contract_ids() -> list[str]:
    return [options["id"] for options in configuration()["contracts_options"]]


def contract(contract_id: str) -> Contract:
    config = configuration()
    found = next(o for o in config["contracts_options"] if o["id"] == contract_id)
    options = {key: value for key, value in found.items() if key not in ("id", "name", "type")}
    cls = CONTRACT_TYPES[found["type"]]
    return cls(name=found["name"], session_options=config["session_options"], contract_options=options)


@cache
def real_graph() -> grimp.ImportGraph:
    session = configuration()["session_options"]
    roots = session["root_packages"]
    return grimp.build_graph(*roots, include_external_packages=True, cache_dir=None)


def kept(contract_id: str, graph: grimp.ImportGraph) -> bool:
    return contract(contract_id).check(graph, verbose=False).kept


def with_import(importer: str, imported: str) -> grimp.ImportGraph:
    graph = copy.deepcopy(real_graph())
    graph.add_import(importer=importer, imported=imported, line_number=1, line_contents=f"import {imported}")
    return graph


@pytest.mark.parametrize("contract_id", contract_ids())
def test_the_code_keeps_every_contract(contract_id: str) -> None:
    report = contract(contract_id).check(real_graph(), verbose=False)
    assert report.kept, contract(contract_id).render_broken_contract(report) or contract_id


@pytest.mark.parametrize(
    ("contract_id", "importer", "imported"),
    [
        ("no-platform", "warroom.core.engine.outbox", "discord"),
        ("no-platform", "warroom.core.incident.render", "nio"),
        ("no-platform", "warroom.plugins.reminders", "microsoft_agents"),
        ("no-platform", "warroom.core.app", "warroom.adapters.console"),
        ("core-layers", "warroom.core.storage.queries", "warroom.core.commands"),
        ("core-layers", "warroom.core.incident.service", "warroom.core.engine.writer"),
        ("core-layers", "warroom.core.adapter.messages", "warroom.core.config"),
        ("core-layers", "warroom.core.plugin.host", "warroom.core.inbound"),
        ("no-cycles", "warroom.core.commands.spec", "warroom.core.commands.parse"),
        ("no-cycles", "warroom.core.storage.database", "warroom.core.storage.queries"),
        ("adapter-facade", "warroom.adapters.matrix.adapter", "warroom.core.storage.queries"),
        ("adapter-facade", "warroom.adapters.web.adapter", "warroom.core.app"),
        ("adapter-contract-modules", "warroom.adapters.console.adapter", "warroom.core.adapter.refs"),
        ("plugin-facade", "warroom.plugins.postmortem.draft", "warroom.core.storage.queries"),
        ("plugin-facade", "warroom.plugins.confirmations", "warroom.core.flows.confirmations"),
        ("plugin-api-modules", "warroom.plugins.reminders", "warroom.core.plugin.context"),
    ],
)
def test_a_crossing_breaks_its_contract(contract_id: str, importer: str, imported: str) -> None:
    assert kept(contract_id, real_graph()), "the code as it is keeps the contract; only the crossing breaks it"
    assert not kept(contract_id, with_import(importer, imported))


def test_a_core_module_outside_every_layer_breaks_the_layers_contract() -> None:
    graph = copy.deepcopy(real_graph())
    graph.add_module("warroom.core.misc")
    assert not kept("core-layers", graph)



def python_modules() -> list[Path]:
    found = sorted(path for folder in ("core", "adapters", "plugins") for path in (REPO / folder).rglob("*.py"))
    assert found
    return found


@pytest.mark.parametrize("path", python_modules(), ids=lambda path: str(path.relative_to(REPO)))
def test_every_module_is_short(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines < MAX_LINES, f"{path} has {lines} lines; split it (limit {MAX_LINES})"
