"""The bundled plugins are written like any team's plugin: one layout, and only the public plugin API.

They are the examples people copy, so they keep to what a plugin outside
Warroom can do: import ``warroom.core.plugin`` and nothing else of the core.
"""

from __future__ import annotations

import ast
from importlib import import_module
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from pydantic import BaseModel
from warroom.core.plugin import Plugin

from tests import REPO

PLUGINS = REPO / "plugins"
BUNDLED = {"reminders": "Reminders", "confirmations": "Confirmations", "postmortem": "Postmortem"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("path", sorted(PLUGINS.rglob("*.py")), ids=lambda p: str(p.relative_to(PLUGINS)))
def test_plugins_use_only_the_public_plugin_api_of_the_core(path: Path) -> None:
    core = sorted(name for name in _imports(path) if name == "warroom.core" or name.startswith("warroom.core."))
    assert set(core) <= {"warroom.core.plugin"}, f"{path.name} imports {core}"


@pytest.mark.parametrize(("package", "name"), BUNDLED.items())
def test_each_bundled_plugin_has_the_same_layout(package: str, name: str) -> None:
    module = import_module(f"warroom.plugins.{package}")
    plugin = import_module(f"warroom.plugins.{package}.plugin")
    settings = import_module(f"warroom.plugins.{package}.settings")
    cls = getattr(plugin, name)
    model = getattr(settings, f"{name}Settings")

    assert module.__all__ == [name] and getattr(module, name) is cls
    assert isinstance(cls, type) and issubclass(cls, Plugin) and cls.__module__ == plugin.__name__
    assert isinstance(model, type) and issubclass(model, BaseModel) and cls.Config is model
    (point,) = [p for p in entry_points(group="warroom.plugins") if p.name == package]
    assert point.load() is cls
