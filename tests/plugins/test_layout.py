"""The bundled plugins are written like any team's plugin, in one layout (they are the examples people copy).

That they import only ``warroom.core.plugin`` of the core is import-linter's
``plugin-facade`` contract, checked by ``tests/test_architecture.py``.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import entry_points

import pytest
from pydantic import BaseModel
from warroom.core.plugin import Plugin

BUNDLED = {"reminders": "Reminders", "confirmations": "Confirmations", "postmortem": "Postmortem"}


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
