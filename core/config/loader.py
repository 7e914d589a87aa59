"""Loading ``warroom.yaml``: environment interpolation, validation and friendly error reports.

Every problem found is reported at once as ``dotted.path: message``::

    adapters.discord.token: missing
    severities.2.level: must be an integer
    database.url: environment variable DB_URL is not set

The schema, its defaults (the shipped configuration, ``load_config(None)``) and
the models of each section live in :mod:`warroom.core.config.schema`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped, unused-ignore]
from pydantic import BaseModel, ValidationError
from warroom.core.config.errors import describe, format_issue, section_errors
from warroom.core.config.schema import (
    SKIP_CROSS_CHECK,
    Config,
    Issue,
    Loc,
    Service,
    Severity,
    SeverityModel,
    Status,
    Templates,
    cross_check,
    did_you_mean,
    disabled_section,
)
from warroom.core.errors import ConfigError  # lives below the adapter contract, which re-exports it

__all__ = [
    "DATABASE_URL_ENV",
    "Config",
    "ConfigError",
    "Service",
    "Severity",
    "SeverityModel",
    "Status",
    "load_config",
    "section_errors",
]

#: Environment variable that overrides ``database.url`` after loading.
DATABASE_URL_ENV = "WARROOM_DATABASE_URL"


class AdapterUnavailable(LookupError):
    """Raised by an adapter models mapping for an adapter that is installed but cannot be imported."""


def load_config(
    path: Path | None,
    *,
    environ: Mapping[str, str] | None = None,
    adapter_models: Mapping[str, type[BaseModel]] | None = None,
) -> Config:
    """Read, interpolate and validate ``path`` (``None``: the shipped defaults).

    ``environ`` (default :data:`os.environ`) feeds ``${VAR}`` references and the
    ``WARROOM_DATABASE_URL`` override. With ``adapter_models``, each section of
    ``adapters`` is validated by its adapter's model (``enabled`` removed first)
    and the results are kept in ``Config.adapter_settings``.
    Raises :class:`ConfigError` listing every problem.
    """
    env: Mapping[str, str] = os.environ if environ is None else environ
    raw: dict[Any, Any] = {} if path is None else _read(path)
    issues: list[Issue] = []
    # A section left empty (or with everything commented out) means "the defaults".
    data = {key: value for key, value in _interpolate(raw, (), env, issues).items() if value is not None}
    unresolved = [loc for loc, _ in issues]

    override = env.get(DATABASE_URL_ENV)
    if override:
        database = data.get("database")
        if database is None:
            data["database"] = {"url": override}
        elif isinstance(database, dict):
            data["database"] = {**database, "url": override}
        unresolved = [loc for loc in unresolved if loc != ("database", "url")]
        issues = [(loc, msg) for loc, msg in issues if loc != ("database", "url")]

    invalid: set[str] = set()  # "section" or "section.option" that failed validation
    try:
        Config.model_validate(data, context={SKIP_CROSS_CHECK: True})
    except ValidationError as exc:
        for error in exc.errors():
            invalid.add(_invalid_part(error["loc"], data))
            loc, msg = describe(error, Config)
            if override and loc == ("database", "url"):
                loc = (DATABASE_URL_ENV,)
            if not any(loc[: len(bad)] == bad for bad in unresolved):
                issues.append((loc, msg))
    config = _valid_part(data, invalid)
    issues.extend(cross_check(config, invalid=invalid))

    doc = config.templates.incident_doc
    if doc is not None and path is not None:
        doc = doc if doc.is_absolute() else path.parent.absolute() / doc
        if not doc.is_file():
            issues.append((("templates", "incident_doc"), f"file not found: {doc}"))
        config = config.model_copy(update={"templates": Templates(incident_doc=doc)})

    settings: dict[str, BaseModel] = {}
    if adapter_models is not None:
        sections = data.get("adapters", {"console": {}})
        if isinstance(sections, dict):
            settings = _validate_adapters(sections, adapter_models, unresolved, issues)

    if issues:
        raise ConfigError(list(dict.fromkeys(format_issue(loc, msg) for loc, msg in issues)), source=path)
    config._adapter_settings = settings
    return config


def _invalid_part(loc: tuple[int | str, ...], data: dict[Any, Any]) -> str:
    """What to leave out so the rest validates: an option of a settings section, else a whole section."""
    if not loc:
        return ""
    section = str(loc[0])
    field = Config.model_fields.get(section)
    is_model = field is not None and isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)
    if is_model and len(loc) > 1 and isinstance(data.get(section), dict):
        return f"{section}.{loc[1]}"
    return section


def _valid_part(data: dict[Any, Any], invalid: set[str]) -> Config:
    """``data`` validated without its ``invalid`` parts (defaults in their place), for the cross-checks."""
    valid: dict[str, Any] = {}
    for key, value in data.items():
        if key not in Config.model_fields or key in invalid:
            continue
        valid[key] = (
            {k: v for k, v in value.items() if f"{key}.{k}" not in invalid} if isinstance(value, dict) else value
        )
    try:
        return Config.model_validate(valid, context={SKIP_CROSS_CHECK: True})
    except ValidationError:  # pragma: no cover - each part was valid on its own
        invalid.update(Config.model_fields)
        return Config.model_construct()


# --- reading -----------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):  # type: ignore[misc, unused-ignore]
    """A safe loader that refuses duplicate keys instead of silently keeping the last one."""


def _mapping(loader: yaml.SafeLoader, node: yaml.Node) -> dict[Any, Any]:
    assert isinstance(node, yaml.MappingNode)
    seen: set[Any] = set()
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=True)
        try:
            duplicate = key in seen
            seen.add(key)
        except TypeError:  # unhashable; construct_mapping reports it
            continue
        if duplicate:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark, f"found duplicate key {key!r}", key_node.start_mark
            )
    mapping: dict[Any, Any] = loader.construct_mapping(node, deep=True)
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def _read(path: Path) -> dict[Any, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read the configuration file: {exc.strerror or exc}"], source=path) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError([f"{path}: the configuration file is not valid UTF-8"], source=path) from exc
    try:
        document = yaml.load(text, Loader=_Loader)  # _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        raise ConfigError([_yaml_error(path, exc)], source=path) from exc
    except yaml.YAMLError as exc:
        raise ConfigError([f"{path}: invalid YAML: {exc}"], source=path) from exc
    if document is None:
        return {}
    if not isinstance(document, dict):
        kind = "a list" if isinstance(document, list) else f"a single value ({type(document).__name__})"
        raise ConfigError(
            [f"{path}: the configuration must be a mapping of options (such as `database:`), not {kind}"], source=path
        )
    return document


def _yaml_error(path: Path, exc: yaml.MarkedYAMLError) -> str:
    mark = exc.problem_mark or exc.context_mark
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    problem = exc.problem or exc.context or "invalid YAML"
    context = ""
    if exc.context and exc.problem and exc.context_mark is not None:
        context = f" ({exc.context} started at line {exc.context_mark.line + 1})"
    return f"{path}: {where}{problem}{context}"


# --- ${VAR} interpolation ----------------------------------------------------------------------

_REFERENCE = re.compile(r"\$\$\{|\$\{([^}]*)\}|\$\{")
_BODY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?\Z", re.DOTALL)


def _interpolate(node: Any, loc: Loc, env: Mapping[str, str], issues: list[Issue]) -> Any:
    if isinstance(node, str):
        return _expand(node, loc, env, issues)
    if isinstance(node, dict):
        return {key: _interpolate(value, (*loc, _part(key)), env, issues) for key, value in node.items()}
    if isinstance(node, list):
        return [_interpolate(value, (*loc, i), env, issues) for i, value in enumerate(node)]
    return node


def _part(key: object) -> str | int:
    return key if isinstance(key, str | int) else str(key)


def _expand(text: str, loc: Loc, env: Mapping[str, str], issues: list[Issue]) -> str:
    def replace(match: re.Match[str]) -> str:
        token, body = match.group(0), match.group(1)
        if token == "$${":
            return "${"
        if body is None:
            issues.append((loc, "unterminated ${ (write $${ for a literal ${)"))
            return ""
        ref = _BODY.match(body)
        if ref is None:
            issues.append((loc, f"invalid reference ${{{body}}} (expected ${{NAME}} or ${{NAME:-default}})"))
            return ""
        name, default = ref.group(1), ref.group(2)
        value = env.get(name)
        if value is None or (value == "" and default is not None):
            if default is None:
                issues.append((loc, f"environment variable {name} is not set"))
                return ""
            return default
        return value

    return _REFERENCE.sub(replace, text) if "$" in text else text


# --- adapters ----------------------------------------------------------------------------------


def _validate_adapters(
    sections: dict[Any, Any],
    models: Mapping[str, type[BaseModel]],
    unresolved: list[Loc],
    issues: list[Issue],
) -> dict[str, BaseModel]:
    settings: dict[str, BaseModel] = {}
    known = ", ".join(sorted(models)) or "none"
    for name, value in sections.items():
        section = {} if value is None else value
        if disabled_section(section):
            continue  # a disabled adapter need not be installed, nor its settings complete
        try:
            model = models.get(str(name))
        except AdapterUnavailable as unavailable:
            issues.append((("adapters", name), str(unavailable)))
            continue
        if model is None:
            hint = did_you_mean(name, models)
            issues.append((("adapters", name), f"unknown adapter{hint} (known adapters: {known})"))
            continue
        if not isinstance(section, dict):
            continue  # already reported as "must be a mapping"
        options = {key: value for key, value in section.items() if key != "enabled"}
        try:
            settings[str(name)] = model.model_validate(options)
        except ValidationError as exc:
            for error in exc.errors():
                sub, msg = describe(error, model, extra_keys=("enabled",))
                loc = ("adapters", name, *sub)
                if not any(loc[: len(bad)] == bad for bad in unresolved):
                    issues.append((loc, msg))
    return settings
