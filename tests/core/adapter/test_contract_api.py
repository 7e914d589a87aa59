"""The adapter contract's façade: ``__all__`` is what it offers, and everything it offers says what it is for.

Adapters import only ``warroom.core.adapter``, so its public names are the whole
contract; a name left out of ``__all__`` (or exported by accident) and an
undocumented class, protocol method or alias are caught here.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import types
from pathlib import Path

import warroom.core.adapter as contract

PACKAGE = Path(contract.__file__).parent
_CALLABLE_MEMBERS = ("__call__",)  # the dunder that is a protocol's member (Sink, AdapterFactory)


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _top_level_names(tree: ast.Module) -> dict[str, ast.stmt]:
    """Names a module defines itself (classes, functions, assignments), not those it imports."""
    found: dict[str, ast.stmt] = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            found[node.name] = node
        elif isinstance(node, ast.Assign):
            found.update((target.id, node) for target in node.targets if isinstance(target, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            found[node.target.id] = node
    return found


def _assignment_docstring(tree: ast.Module, node: ast.stmt) -> str | None:
    """The string literal right after an assignment: how an alias is documented (Sphinx and IDEs read it)."""
    index = tree.body.index(node)
    following = tree.body[index + 1] if index + 1 < len(tree.body) else None
    if isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant):
        value = following.value.value
        return value if isinstance(value, str) and value.strip() else None
    return None


def _definition(name: str) -> tuple[ast.Module, ast.stmt]:
    """Where a façade name is defined: its class's or function's module, else the contract module assigning it."""
    value = getattr(contract, name)
    module_name = getattr(value, "__module__", None) if inspect.isclass(value) or inspect.isfunction(value) else None
    paths = [Path(inspect.getfile(importlib.import_module(module_name)))] if module_name else PACKAGE.glob("*.py")
    for path in paths:
        tree = _tree(path)
        node = _top_level_names(tree).get(name)
        if node is not None:
            return tree, node
    raise AssertionError(f"{name} is not defined in any module of {PACKAGE}")


def _docstring(tree: ast.Module, node: ast.stmt) -> str | None:
    if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
        return ast.get_docstring(node)
    return _assignment_docstring(tree, node)


def _public_members(node: ast.ClassDef) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [
        member
        for member in node.body
        if isinstance(member, ast.FunctionDef | ast.AsyncFunctionDef)
        and (not member.name.startswith("_") or member.name in _CALLABLE_MEMBERS)
    ]


def test_all_is_exactly_the_public_names_of_the_facade() -> None:
    public = {
        name
        for name, value in vars(contract).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert len(contract.__all__) == len(set(contract.__all__)), "a name is listed twice"
    assert sorted(contract.__all__) == sorted(public)


def test_every_public_name_the_contract_defines_is_offered() -> None:
    defined = {
        name
        for path in PACKAGE.glob("*.py")
        if path.name != "__init__.py"
        for name in _top_level_names(_tree(path))
        if not name.startswith("_")
    }
    assert defined - set(contract.__all__) == set(), "defined in the contract but not offered by the façade"


def test_every_offered_name_and_its_methods_say_what_they_are_for() -> None:
    missing: list[str] = []
    for name in contract.__all__:
        tree, node = _definition(name)
        if not _docstring(tree, node):
            missing.append(name)
        if isinstance(node, ast.ClassDef):
            missing += [f"{name}.{m.name}" for m in _public_members(node) if not ast.get_docstring(m)]
    assert missing == []


def test_the_check_sees_a_missing_docstring() -> None:
    tree = ast.parse("class Bare:\n    def method(self) -> None: ...\n\nAlias = int | str\n")
    bare, alias = tree.body[0], tree.body[1]
    assert isinstance(bare, ast.ClassDef)
    assert _docstring(tree, bare) is None and [m.name for m in _public_members(bare)] == ["method"]
    assert _docstring(tree, alias) is None
