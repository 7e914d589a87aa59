"""The public plugin API: ``__all__`` is exactly what the façade offers, and every part of it is documented.

A plugin author reads these docstrings (in an editor, or with ``help()``) rather
than Warroom's source, so a name without one is a name nobody can use safely.
"""

from __future__ import annotations

import ast
import inspect
import itertools
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
import warroom.core.plugin as api

DOCUMENTED_MEMBERS = (
    "Plugin",
    "PluginContext",
    "Call",
    "IncidentView",
    "PersonView",
    "RoleSpell",
    "TaskItem",
    "Entry",
    "Tool",
    "ToolRun",
)
"""The classes whose public methods and properties a plugin calls, so each of those is documented too."""


def _source_modules() -> dict[str, str]:
    """Where each name of the façade comes from, read from its ``from … import …`` lines."""
    tree = ast.parse(Path(api.__file__).read_text(encoding="utf-8"))
    return {
        alias.asname or alias.name: node.module
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module
        for alias in node.names
    }


def _attribute_docstring(module: str, name: str) -> str:
    """The string right after ``name = …`` at the top of ``module``: how an alias or a constant is documented."""
    source = inspect.getsource(import_module(module))
    body = ast.parse(source).body
    for statement, following in itertools.pairwise(body):
        targets = statement.targets if isinstance(statement, ast.Assign) else []
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            if isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant):
                return str(following.value.value)
            return ""
    return ""


def _own_docstring(value: Any) -> str:
    """The docstring written for ``value`` itself: not a base class's, nor the signature a dataclass makes up."""
    if isinstance(value, type):
        doc = value.__dict__.get("__doc__") or ""
        return "" if doc.startswith(value.__name__ + "(") else doc
    return getattr(value, "__doc__", None) or ""


def test_all_is_exactly_the_public_names_of_the_facade() -> None:
    public = {
        name for name, value in vars(api).items() if not name.startswith("_") and not inspect.ismodule(value)
    }
    assert len(api.__all__) == len(set(api.__all__)), "a name is listed twice"
    assert set(api.__all__) == public


@pytest.mark.parametrize("name", api.__all__)
def test_every_name_of_the_api_has_a_docstring(name: str) -> None:
    value = getattr(api, name)
    if isinstance(value, type) or inspect.isfunction(value):
        doc = _own_docstring(value)
    else:  # an alias such as Duration or TextArg: documented where it is assigned
        doc = _attribute_docstring(_source_modules()[name], name)
    assert doc.strip(), f"warroom.core.plugin.{name} has no docstring"


def _public_members(cls: type) -> list[tuple[str, Any]]:
    """Methods, class methods, static methods and properties the class itself defines, not starting with _."""
    members = []
    for name, value in vars(cls).items():
        if name.startswith("_"):
            continue
        if isinstance(value, property):
            members.append((name, value.fget))
        elif isinstance(value, classmethod | staticmethod):
            members.append((name, value.__func__))
        elif inspect.isfunction(value):
            members.append((name, value))
    return members


@pytest.mark.parametrize("name", DOCUMENTED_MEMBERS)
def test_every_public_method_and_property_has_a_docstring(name: str) -> None:
    cls = getattr(api, name)
    members = _public_members(cls)
    undocumented = [member for member, function in members if not (function.__doc__ or "").strip()]
    assert undocumented == [], f"{name}: {', '.join(undocumented)} without a docstring"


def test_the_members_checked_are_really_there() -> None:
    """Guard the check itself: it must see the methods and properties it is meant to check."""
    names = {name: [member for member, _ in _public_members(getattr(api, name))] for name in DOCUMENTED_MEMBERS}
    assert {"setup", "teardown"} <= set(names["Plugin"])
    assert {"incident", "open_incidents", "schedule_at", "next_run", "load", "save"} <= set(names["PluginContext"])
    assert {"at", "actor", "incident", "reply", "record", "from_command", "internal"} <= set(names["Call"])
    assert names["IncidentView"] == ["resolved"]
    assert names["Entry"] == ["export"]
    assert set(names["ToolRun"]) == {"args", "settings", "context"}
    assert _attribute_docstring("warroom.core.config.types", "Duration").startswith("A config field holding a duration")
    assert _own_docstring(api.PersonArg) and not _own_docstring(type("Bare", (), {}))
    assert not _own_docstring(dataclass(type("Undocumented", (), {"__annotations__": {"x": "int"}})))
