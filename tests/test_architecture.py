"""The shape of the code: the core knows no chat platform, adapters use only the core's public package."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {"core": "warroom.core", "adapters": "warroom.adapters"}
PLATFORM_LIBRARIES = ("discord", "nio", "microsoft_agents", "aiohttp")
MAX_LINES = 400


def modules(folder: str) -> list[Path]:
    found = sorted((ROOT / folder).rglob("*.py"))
    assert found, f"no modules under {folder}/"
    return found


def dotted_name(path: Path) -> str:
    """``core/commands/parse.py`` -> ``warroom.core.commands.parse`` (the installed name)."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([PACKAGES[parts[0]], *parts[1:]])


def imports(source: str, module: str, *, is_package: bool = False) -> Iterator[tuple[int, str, int]]:
    """(line, absolute module name, relative level) of every import in ``source``, relative ones resolved."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, 0
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                base = node.module or ""
            else:
                anchor = package[: len(package) - node.level + 1]
                base = ".".join([*anchor, node.module] if node.module else anchor)
            yield node.lineno, base, node.level
            for alias in node.names:  # "from warroom import adapters" names a module too
                yield node.lineno, f"{base}.{alias.name}", node.level


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def core_violations(source: str, module: str, *, is_package: bool = False) -> list[str]:
    problems = []
    for line, name, _level in imports(source, module, is_package=is_package):
        if any(within(name, library) for library in PLATFORM_LIBRARIES):
            problems.append(f"line {line}: imports {name}; the core knows no platform")
        if within(name, "warroom.adapters") or within(name, "adapters"):
            problems.append(f"line {line}: imports {name}; the core must not depend on adapters")
    return problems


def adapter_violations(source: str, module: str, *, is_package: bool = False) -> list[str]:
    adapter = ".".join(module.split(".")[:3])  # warroom.adapters.<name>
    problems = []
    for line, name, level in imports(source, module, is_package=is_package):
        if level and not within(name, adapter):
            problems.append(f"line {line}: relative import of {name} reaches outside {adapter}; use warroom.core")
        if within(name, "core") or within(name, "adapters"):
            problems.append(f"line {line}: imports {name} by its source folder; use the warroom.* package")
    return problems


def check(path: Path, rule: Callable[..., list[str]]) -> list[str]:
    return rule(path.read_text(encoding="utf-8"), dotted_name(path), is_package=path.name == "__init__.py")


def ids(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", modules("core"), ids=ids)
def test_the_core_knows_no_platform(path: Path) -> None:
    assert check(path, core_violations) == []


@pytest.mark.parametrize("path", modules("adapters"), ids=ids)
def test_adapters_reach_the_core_only_through_warroom_core(path: Path) -> None:
    assert check(path, adapter_violations) == []


@pytest.mark.parametrize("path", [*modules("core"), *modules("adapters")], ids=ids)
def test_every_module_is_short(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines < MAX_LINES, f"{path} has {lines} lines; split it (limit {MAX_LINES})"


# --- the checks catch what they are meant to catch -----------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "import discord",
        "import discord.ext.commands as commands",
        "from nio import AsyncClient",
        "from microsoft_agents.hosting import core",
        "import aiohttp.web",
        "def later():\n    from aiohttp import web",
        "from warroom.adapters.console import ConsoleAdapter",
        "from warroom import adapters",
        "from ...adapters import console",
    ],
)
def test_core_rule_catches_platform_and_adapter_imports(source: str) -> None:
    assert core_violations(source, "warroom.core.commands.parse")


@pytest.mark.parametrize(
    "source",
    [
        "from warroom.core.events import MessageReceived",
        "from . import errors",
        "from ..models import ENTRIES",
        "import json",
    ],
)
def test_core_rule_allows_core_imports(source: str) -> None:
    assert core_violations(source, "warroom.core.commands.parse") == []


@pytest.mark.parametrize(
    "source",
    [
        "from ...core import events",
        "from ...core.events import MessageReceived",
        "from core.events import X",
        "import core.app",
        "from .. import other",
    ],
)
def test_adapter_rule_catches_imports_around_warroom_core(source: str) -> None:
    assert adapter_violations(source, "warroom.adapters.console.adapter")


@pytest.mark.parametrize(
    "source", ["from warroom.core.adapter import Sink", "from .adapter import ConsoleAdapter", "import asyncio"]
)
def test_adapter_rule_allows_the_public_core_and_its_own_modules(source: str) -> None:
    assert adapter_violations(source, "warroom.adapters.console.adapter") == []
    assert adapter_violations(source, "warroom.adapters.console", is_package=True) == []


def test_module_names_are_the_installed_ones() -> None:
    assert dotted_name(ROOT / "core" / "commands" / "parse.py") == "warroom.core.commands.parse"
    assert dotted_name(ROOT / "adapters" / "console" / "__init__.py") == "warroom.adapters.console"
