"""The shape of ``warroom.yaml``: frozen pydantic models whose defaults *are* the shipped configuration.

Field-level rules (types, ranges, name formats) live on the models; rules that
relate several values (unique levels, known references, ...) live in
:func:`cross_check`, which reports each problem at its own dotted location so
that the loader can show every one of them at once.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

Loc = tuple[str | int, ...]
Issue = tuple[Loc, str]

#: Validation context key that postpones :func:`cross_check` to the loader.
SKIP_CROSS_CHECK = "warroom.skip_cross_check"

BUILTIN_ROLES: dict[str, str] = {
    "commander": "Leads the response: sets priorities, assigns work and decides when the incident is over.",
    "communicator": "Keeps stakeholders and customers informed with regular, plain-language updates.",
}


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    """`` (did you mean X?)`` for the closest of ``choices``, or an empty string."""
    close = difflib.get_close_matches(str(word), sorted(set(choices)), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


# --- field formats -----------------------------------------------------------------------------

_NAME = re.compile(r"[a-z][a-z0-9_-]*\Z")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_ADMIN = re.compile(r"[a-z][a-z0-9_-]*:\S+\Z")
_SQLITE = re.compile(r"(sqlite(?:\+\w+)?):///(.*)\Z", re.DOTALL)


def _word(value: str) -> str:
    if not value:
        raise ValueError("must not be empty")
    if any(ch.isspace() for ch in value):
        raise ValueError("must not contain spaces")
    return value


def _name(value: str) -> str:
    if not _NAME.match(value):
        raise ValueError("must be a lowercase word (a-z, 0-9, '-' or '_', starting with a letter)")
    return value


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        raise ValueError("must be lowercase letters, digits and single dashes, not starting or ending with a dash")
    return value


def _url(value: str) -> str:
    if not _URL.match(value):
        raise ValueError(
            "must be a database URL such as sqlite:///warroom.db or postgresql+psycopg://user:pass@host/db"
        )
    return value


def _admin(value: str) -> str:
    if not _ADMIN.match(value):
        raise ValueError('must look like "platform:user_id", e.g. "discord:1234" or "console:root"')
    return value


def _none_if_blank(value: Any) -> Any:
    return None if value == "" else value


def _section(value: Any) -> Any:
    """An adapter/plugin section: ``None`` means ``{}``; a present ``enabled`` must be a boolean."""
    if value is None:
        return {}
    if isinstance(value, dict) and "enabled" in value:
        enabled = _Enabled.model_validate({"enabled": value["enabled"]}).enabled
        return {**value, "enabled": enabled}
    return value


class _Enabled(BaseModel):
    enabled: bool


def disabled_section(section: object) -> bool:
    """Whether an adapter/plugin section says ``enabled: false`` (an invalid value does not count)."""
    if not isinstance(section, dict) or "enabled" not in section:
        return False
    try:
        return not _Enabled.model_validate({"enabled": section["enabled"]}).enabled
    except ValidationError:
        return False


Word = Annotated[str, AfterValidator(_word)]
Name = Annotated[str, AfterValidator(_name)]
Section = Annotated[dict[str, Any], BeforeValidator(_section)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --- sections ----------------------------------------------------------------------------------


class DatabaseSettings(_Model):
    url: Annotated[str, AfterValidator(_url)] = "sqlite:///warroom.db"
    synchronous: Literal["normal", "full"] = "normal"
    busy_timeout_ms: int = Field(default=5000, ge=0)


class CommandSettings(_Model):
    prefixes: tuple[Word, ...] = Field(default=("/incident", "!incident"), min_length=1)
    max_chars: int = Field(default=8000, ge=100)


class IncidentSettings(_Model):
    default_severity: int = 3
    default_kind: str = "technical"
    channel_prefix: Annotated[str, AfterValidator(_slug)] = "inc"
    private_by_default: bool = False
    similar_title_threshold: float = Field(default=0.5, ge=0.0, le=1.0)
    key_reactions: tuple[str, ...] = ("📌",)  # reacting with one of these marks a message as a key event


class Severity(_Model):
    level: int = Field(ge=0)
    name: Word
    description: str = ""


SeverityModel = Severity


class Status(_Model):
    name: Name
    description: str = ""


class Service(_Model):
    description: str = ""
    depends_on: tuple[str, ...] = ()
    runbook: tuple[str, ...] = ()


class Permissions(_Model):
    admins: tuple[Annotated[str, AfterValidator(_admin)], ...] = ()


class Templates(_Model):
    incident_doc: Annotated[Path | None, BeforeValidator(_none_if_blank)] = None


class LifecycleSettings(_Model):
    drain_seconds: float = Field(default=10.0, ge=0)
    """How long ``warroom run`` may take, after SIGTERM or SIGINT, to finish accepted work and send its replies."""
    on_adapter_failure: Literal["restart", "exit"] = "restart"
    """What an adapter that fails unexpectedly gets: restarted with backoff, or ``warroom run`` ends non-zero."""
    restart_initial_seconds: float = Field(default=1.0, gt=0)
    """The first wait before restarting a failed adapter; it doubles on each failure in a row."""
    restart_max_seconds: float = Field(default=60.0, gt=0)
    """The longest wait between restarts; after running this long, the wait starts over."""


BUNDLED_PLUGINS = ("reminders", "confirmations", "postmortem")

DEFAULT_SEVERITIES = (
    Severity(level=1, name="SEV1", description="Critical: customer-facing outage or data loss; all hands, page now."),
    Severity(level=2, name="SEV2", description="Major: a core feature is down or badly degraded for many customers."),
    Severity(level=3, name="SEV3", description="Moderate: partial degradation or an internal system down."),
    Severity(level=4, name="SEV4", description="Minor: low impact or a workaround exists; handle in working hours."),
)
DEFAULT_KINDS = {
    "technical": "Outages, degradations and failures of systems we run.",
    "security": "Suspected or confirmed breaches, exploited vulnerabilities and leaked secrets.",
    "business": "Non-technical emergencies: billing errors, legal or PR issues, vendor failures.",
}
DEFAULT_STATUSES = (
    Status(name="investigating", description="Impact confirmed; looking for the cause."),
    Status(name="identified", description="Cause found; working on a fix."),
    Status(name="mitigated", description="Impact stopped or worked around; the fix may not be final."),
    Status(name="resolved", description="Fixed for good; follow-ups go to the post-incident review."),
)
REQUIRED_STATUSES = ("mitigated", "resolved")


class Config(_Model):
    """The whole configuration; build it with :func:`warroom.core.config.loader.load_config`."""

    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    commands: CommandSettings = Field(default_factory=CommandSettings)
    incidents: IncidentSettings = Field(default_factory=IncidentSettings)
    severities: tuple[Severity, ...] = Field(default=DEFAULT_SEVERITIES, min_length=1)
    kinds: dict[Name, str] = Field(default_factory=lambda: dict(DEFAULT_KINDS), min_length=1)
    statuses: tuple[Status, ...] = Field(default=DEFAULT_STATUSES, min_length=1)
    roles: dict[Name, str] = Field(default_factory=dict)
    services: dict[Word, Service] = Field(default_factory=dict)
    permissions: Permissions = Field(default_factory=Permissions)
    templates: Templates = Field(default_factory=Templates)
    lifecycle: LifecycleSettings = Field(default_factory=LifecycleSettings)
    adapters: dict[Word, Section] = Field(default_factory=lambda: {"console": dict[str, Any]()})
    plugins: dict[Word, Section] = Field(default_factory=lambda: {name: dict[str, Any]() for name in BUNDLED_PLUGINS})

    _adapter_settings: dict[str, BaseModel] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _cross_check(self, info: ValidationInfo) -> Config:
        if isinstance(info.context, dict) and info.context.get(SKIP_CROSS_CHECK):
            return self
        issues = cross_check(self)
        if issues:
            details = [
                InitErrorDetails(
                    type=PydanticCustomError("warroom", "{message}", {"message": msg}), loc=loc, input=None
                )
                for loc, msg in issues
            ]
            raise ValidationError.from_exception_data(type(self).__name__, details)
        return self

    # --- helpers -------------------------------------------------------------------------------

    @property
    def adapter_settings(self) -> dict[str, BaseModel]:
        """Each configured adapter's settings, validated with its model (filled in by ``load_config``)."""
        return self._adapter_settings

    @property
    def database_url(self) -> str:
        """``database.url`` with a relative SQLite path made absolute against the working directory."""
        match = _SQLITE.match(self.database.url)
        if match is None:
            return self.database.url
        scheme, rest = match.groups()
        path, sep, query = rest.partition("?")
        if path in ("", ":memory:") or path.startswith(("/", "file:")) or Path(path).is_absolute():
            return self.database.url
        return f"{scheme}:///{Path.cwd() / path}{sep}{query}"

    def enabled_adapters(self) -> list[str]:
        return [name for name, section in self.adapters.items() if section.get("enabled", True)]

    def enabled_plugins(self) -> list[str]:
        return [name for name, section in self.plugins.items() if section.get("enabled", True)]

    def severity(self, level: int) -> Severity | None:
        return next((s for s in self.severities if s.level == level), None)

    def status_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.statuses)

    def role_descriptions(self) -> dict[str, str]:
        """Built-in roles first (descriptions overridable by ``roles``), then the extra roles in order."""
        roles = {name: self.roles.get(name) or text for name, text in BUILTIN_ROLES.items()}
        roles.update((name, text) for name, text in self.roles.items() if name not in BUILTIN_ROLES)
        return roles

    def upstream(self, service: str) -> list[str]:
        """Everything ``service`` depends on, directly or not (unknown service: ``[]``)."""
        edges = {name: tuple(s.depends_on) for name, s in self.services.items()}
        return _reachable(service, edges)

    def downstream(self, service: str) -> list[str]:
        """Everything that depends on ``service``, directly or not (unknown service: ``[]``)."""
        edges: dict[str, list[str]] = {name: [] for name in self.services}
        for name, s in self.services.items():
            for dep in s.depends_on:
                edges.setdefault(dep, []).append(name)
        return _reachable(service, {k: tuple(v) for k, v in edges.items()})


def _reachable(start: str, edges: dict[str, tuple[str, ...]]) -> list[str]:
    seen = {start}
    todo = list(edges.get(start, ()))
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(edges.get(node, ()))
    seen.discard(start)
    return sorted(seen)


# --- rules across values ------------------------------------------------------------------------


def _unique_severities(config: Config) -> Iterator[Issue]:
    levels: dict[int, int] = {}
    names: dict[str, int] = {}
    for i, sev in enumerate(config.severities):
        if sev.level in levels:
            yield ("severities", i, "level"), f"level {sev.level} is already used by severities.{levels[sev.level]}"
        levels.setdefault(sev.level, i)
        if sev.name.lower() in names:
            yield ("severities", i, "name"), f"name {sev.name} is already used by severities.{names[sev.name.lower()]}"
        names.setdefault(sev.name.lower(), i)


def _statuses(config: Config) -> Iterator[Issue]:
    seen: dict[str, int] = {}
    for i, status in enumerate(config.statuses):
        if status.name in seen:
            yield ("statuses", i, "name"), f"{status.name} is already used by statuses.{seen[status.name]}"
        seen.setdefault(status.name, i)
    for required in REQUIRED_STATUSES:
        if required not in seen:
            yield ("statuses",), f'must include "{required}"'
    last = len(config.statuses) - 1
    if "resolved" in seen and config.statuses[last].name != "resolved":
        yield ("statuses", seen["resolved"], "name"), '"resolved" must be the last status'


def _prefixes(config: Config) -> Iterator[Issue]:
    seen: set[str] = set()
    for i, prefix in enumerate(config.commands.prefixes):
        if prefix in seen:
            yield ("commands", "prefixes", i), f"duplicate prefix {prefix}"
        seen.add(prefix)


def _default_severity(config: Config) -> Iterator[Issue]:
    levels = [s.level for s in config.severities]
    if config.incidents.default_severity not in levels:
        known = ", ".join(str(level) for level in sorted(levels))
        yield ("incidents", "default_severity"), f"no severity has this level (levels: {known})"


def _default_kind(config: Config) -> Iterator[Issue]:
    kind = config.incidents.default_kind
    if kind not in config.kinds:
        yield (
            ("incidents", "default_kind"),
            (f"unknown kind {kind}{did_you_mean(kind, config.kinds)} (kinds: {', '.join(config.kinds)})"),
        )


def _service_refs(config: Config) -> Iterator[Issue]:
    for name, service in config.services.items():
        for i, dep in enumerate(service.depends_on):
            if dep not in config.services:
                yield ("services", name, "depends_on", i), f"unknown service {dep}{did_you_mean(dep, config.services)}"


#: Each rule with what it reads ("section" or "section.option"); skipped when any of that is invalid.
CROSS_CHECKS: tuple[tuple[tuple[str, ...], Callable[[Config], Iterator[Issue]]], ...] = (
    (("commands.prefixes",), _prefixes),
    (("incidents.default_severity", "severities"), _default_severity),
    (("incidents.default_kind", "kinds"), _default_kind),
    (("severities",), _unique_severities),
    (("statuses",), _statuses),
    (("services",), _service_refs),
)


def cross_check(config: Config, *, invalid: Iterable[str] = ()) -> list[Issue]:
    """Problems that involve several values, skipping rules that read something ``invalid``."""
    skip = set(invalid)

    def readable(part: str) -> bool:
        return part not in skip and part.partition(".")[0] not in skip

    return [issue for reads, rule in CROSS_CHECKS if all(map(readable, reads)) for issue in rule(config)]
