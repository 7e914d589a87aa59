"""The commands layer's imports go one way: no module imports one that imports it back, not even for types."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = "warroom.core.commands"
SOURCE = Path(__file__).parents[3] / "core" / "commands"
ABOVE = ("warroom.core.plugin", "warroom.core.inbound", "warroom.core.testing", "warroom.core.app", "warroom.core.cli")


def imports(path: Path) -> set[str]:
    """Every module ``path`` imports anywhere: at the top, in functions and under TYPE_CHECKING."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def modules() -> dict[str, set[str]]:
    """Each module of the commands layer, with everything it imports."""
    return {f"{PACKAGE}.{path.stem}": imports(path) for path in SOURCE.glob("*.py") if path.stem != "__init__"}


def test_modules_of_the_commands_layer_import_each_other_without_a_cycle() -> None:
    found = modules()
    edges = {name: deps & set(found) for name, deps in found.items()}
    assert f"{PACKAGE}.registry" in edges
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, " → ".join((*path, name))
        if name in done:
            return
        for dep in edges[name]:
            visit(dep, (*path, name))
        done.add(name)

    for name in edges:
        visit(name, ())


def test_the_commands_layer_imports_nothing_above_it() -> None:
    for name, deps in modules().items():
        above = sorted(dep for dep in deps if dep.startswith(ABOVE))
        assert above == [], f"{name} imports {above}"
