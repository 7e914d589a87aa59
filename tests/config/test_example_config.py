"""config/warroom.example.yaml against the real adapters and plugins, so the documentation cannot rot.

The example loads as it is (console and web adapters, the bundled plugins at
their defaults), every plugin and adapter option is documented in it, and every
commented-out example block (``# >>> example NAME`` … ``# <<< example NAME``)
validates against its adapter's own Settings model once uncommented.
"""

from __future__ import annotations

import importlib.util
import re
import types
import typing
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel
from warroom.core.app import InstalledAdapters
from warroom.core.config.loader import ConfigError, load_config
from warroom.core.config.schema import BUNDLED_PLUGINS, Config
from warroom.core.plugin.host import check_plugins, discover

from tests import REPO

EXAMPLE = REPO / "config" / "warroom.example.yaml"

# Plausible values for every ${VAR} the example blocks reference; a new reference needs an entry here.
ENVIRON = {
    "DISCORD_TOKEN": "MTAxMDEwMTAxMDEwMTAxMDEw.Fake00.not-a-real-token-only-its-shape",
    "TEAMS_CLIENT_ID": "0f1e2d3c-4b5a-4697-8877-665544332211",
    "TEAMS_CLIENT_SECRET": "fake~secret.for-the-example-test",
    "TEAMS_TENANT_ID": "11223344-5566-4778-8899-aabbccddeeff",
    "MATRIX_PASSWORD": "correct horse battery staple",
}

# Each example block, with the blocks it sits in (uncommented first) and the adapter it configures.
BLOCKS = {
    "adapters.console": ((), "console"),
    "adapters.discord": ((), "discord"),
    "adapters.teams": ((), "teams"),
    "adapters.teams.graph": (("adapters.teams",), "teams"),
    "adapters.matrix": ((), "matrix"),
}


def example_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


def _marker(kind: str, name: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*(?:#\s*)*{kind} example {re.escape(name)}(?=$|[\s:(])", re.MULTILINE)


def block_span(lines: list[str], name: str) -> tuple[int, int]:
    """Line indexes of a block's opening and closing markers."""
    opening = [i for i, line in enumerate(lines) if _marker(">>>", name).match(line)]
    closing = [i for i, line in enumerate(lines) if _marker("<<<", name).match(line)]
    assert len(opening) == 1, f"expected one “>>> example {name}” marker, found {len(opening)}"
    assert len(closing) == 1, f"expected one “<<< example {name}” marker, found {len(closing)}"
    assert opening[0] < closing[0], f"example {name} closes before it opens"
    return opening[0], closing[0]


def _uncomment_line(line: str, name: str) -> str:
    """Drop one comment level, the way an editor's “toggle comment” does: ``  #   token: x`` → ``    token: x``."""
    found = re.fullmatch(r"(\s*)# ?(.*)", line)
    assert found, f"example {name} holds a line that is not commented out: {line!r}"
    return found[1] + found[2] if found[2] else ""


def uncomment(text: str, name: str) -> str:
    """``text`` with the example block ``name`` uncommented in place (its marker lines dropped)."""
    lines = text.splitlines()
    start, end = block_span(lines, name)
    body = [_uncomment_line(line, name) for line in lines[start + 1 : end]]
    return "\n".join([*lines[:start], *body, *lines[end + 1 :]]) + "\n"


def section_text(top: str, name: str) -> str:
    """The lines of ``top.name`` as written, with the comments inside it (``plugins.reminders``, say)."""
    lines = example_text().splitlines()
    start = lines.index(f"{top}:")
    first = lines.index(f"  {name}:", start)
    end = next((i for i in range(first + 1, len(lines)) if re.match(r" {0,2}\S", lines[i])), len(lines))
    return "\n".join(lines[first:end])


def active_references(name: str) -> set[str]:
    """The ``${VAR}`` a block uses once uncommented (not those its comments merely mention)."""
    lines = [_uncomment_line(line, name) for line in block_text(name).splitlines()]
    return {var for line in lines if not line.lstrip().startswith("#") for var in re.findall(r"\$\{(\w+)", line)}


def block_text(name: str) -> str:
    lines = example_text().splitlines()
    start, end = block_span(lines, name)
    return "\n".join(lines[start + 1 : end])


def with_blocks(*names: str) -> str:
    text = example_text()
    for name in names:
        for enclosing in (*BLOCKS[name][0], name):
            if _marker(">>>", enclosing).search(text) is None:
                continue  # uncommented already, as the block around another one
            text = uncomment(text, enclosing)
    return text


def load(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> Config:
    path = tmp_path / "warroom.yaml"
    path.write_text(text, encoding="utf-8")
    return load_config(path, environ=environ if environ is not None else {}, adapter_models=InstalledAdapters())


def needs(adapter: str) -> None:
    """Skip only when an adapter's module is not there yet (the Matrix adapter was written alongside this test)."""
    if adapter == "matrix" and importlib.util.find_spec("warroom.adapters.matrix") is None:
        pytest.skip("warroom.adapters.matrix does not exist yet; its example block cannot be checked")


def models_in(annotation: object) -> Iterator[type[BaseModel]]:
    """The pydantic models an annotation holds (``GraphSettings | None``, ``tuple[Redaction, ...]``, …)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        yield from models_in(typing.get_args(annotation)[0])
    elif origin is not None or isinstance(annotation, types.UnionType):
        for argument in typing.get_args(annotation):
            yield from models_in(argument)


def option_names(model: type[BaseModel]) -> Iterator[str]:
    """Every option of ``model``, nested models' options included."""
    for name, field in model.model_fields.items():
        yield name
        for nested in models_in(field.annotation):
            yield from option_names(nested)


def undocumented(model: type[BaseModel], text: str) -> list[str]:
    """Options of ``model`` that ``text`` never writes as ``option:`` (commented or not)."""
    return sorted({name for name in option_names(model) if not re.search(rf"^[\s#-]*{name}:", text, re.MULTILINE)})


# --- the example as shipped --------------------------------------------------------------------------------


def test_example_loads_with_the_installed_adapters() -> None:
    config = load_config(EXAMPLE, environ={}, adapter_models=InstalledAdapters())
    assert config.enabled_adapters() == ["console", "web"]
    assert set(config.adapter_settings) == {"console", "web"}
    assert config.adapter_settings["web"].model_dump() == {"host": "127.0.0.1", "port": 8080}
    assert config.enabled_plugins() == list(BUNDLED_PLUGINS)


def test_every_bundled_plugin_is_ready() -> None:
    config = load_config(EXAMPLE, environ={}, adapter_models=InstalledAdapters())
    states = {status.name: (status.state, status.reason) for status in check_plugins(config)}
    assert set(BUNDLED_PLUGINS) <= set(states)
    assert {name: state for name, state in states.items() if state[0] != "ready"} == {}


@pytest.mark.parametrize("name", BUNDLED_PLUGINS)
def test_plugin_section_documents_every_option_at_its_default(name: str) -> None:
    model: type[BaseModel] = discover()[name].load().Config
    raw = yaml.safe_load(example_text())["plugins"][name]
    assert model.model_validate(raw) == model(), f"plugins.{name} in the example is not the plugin's defaults"
    assert undocumented(model, section_text("plugins", name)) == [], f"plugins.{name} leaves options out"


def test_web_section_documents_every_option_at_its_default() -> None:
    model = InstalledAdapters()["web"]
    raw = yaml.safe_load(example_text())["adapters"]["web"]
    assert model.model_validate(raw) == model()
    assert undocumented(model, section_text("adapters", "web")) == []


# --- the commented-out examples --------------------------------------------------------------------------------


def test_every_example_block_is_checked() -> None:
    found = set(re.findall(r"^\s*(?:#\s*)*>>> example (\S+)", example_text(), re.MULTILINE))
    assert found == set(BLOCKS)
    for adapter in ("discord", "teams", "matrix"):
        assert yaml.safe_load(example_text())["adapters"].get(adapter) is None, f"{adapter} is enabled as shipped"


@pytest.mark.parametrize("adapter", ["console", "discord", "teams", "matrix"])
def test_example_block_documents_every_option(adapter: str) -> None:
    needs(adapter)
    model = InstalledAdapters()[adapter]
    assert undocumented(model, block_text(f"adapters.{adapter}")) == []


def test_env_references_in_example_blocks_are_known() -> None:
    referenced = set()
    for name in BLOCKS:
        referenced |= active_references(name)
    assert referenced == set(ENVIRON)


@pytest.mark.parametrize("name", list(BLOCKS))
def test_uncommented_example_block_validates(name: str, tmp_path: Path) -> None:
    adapter = BLOCKS[name][1]
    needs(adapter)
    config = load(tmp_path, with_blocks(name), ENVIRON)
    model = InstalledAdapters()[adapter]
    assert isinstance(config.adapter_settings[adapter], model)
    assert adapter in config.enabled_adapters()
    assert {"console", "web"} <= set(config.adapter_settings)
    if name == "adapters.teams.graph":
        assert config.adapter_settings["teams"].model_dump()["graph"] is not None


@pytest.mark.parametrize("adapter", ["discord", "teams", "matrix"])
def test_uncommented_example_block_needs_its_secrets(adapter: str, tmp_path: Path) -> None:
    """Secrets come from the environment: without the variables the section is refused, naming each one."""
    needs(adapter)
    text = with_blocks(f"adapters.{adapter}")
    with pytest.raises(ConfigError) as info:
        load(tmp_path, text, {})
    missing = active_references(f"adapters.{adapter}")
    assert missing
    for variable in missing:
        assert f"environment variable {variable} is not set" in str(info.value)


def test_every_example_block_at_once(tmp_path: Path) -> None:
    matrix_exists = importlib.util.find_spec("warroom.adapters.matrix") is not None
    present = [name for name, (_, adapter) in BLOCKS.items() if adapter != "matrix" or matrix_exists]
    config = load(tmp_path, with_blocks(*present), ENVIRON)
    assert set(config.adapter_settings) == {"web", *(BLOCKS[name][1] for name in present)}
    statuses = check_plugins(config)
    assert [s.name for s in statuses if s.state != "ready"] == []
