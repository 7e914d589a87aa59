"""Tests for loading and validating warroom.yaml."""

from __future__ import annotations

import textwrap
from importlib import resources
from pathlib import Path

import pydantic
import pytest
from pydantic import BaseModel, ConfigDict
from warroom.adapters.console import ConsoleSettings as RealConsoleSettings
from warroom.core.app import InstalledAdapters
from warroom.core.config.loader import ConfigError, load_config
from warroom.core.config.schema import BUILTIN_ROLES, Config, Severity

EXAMPLE = Path(str(resources.files("warroom.config").joinpath("warroom.example.yaml")))


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "warroom.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def errors_of(
    path: Path,
    *,
    environ: dict[str, str] | None = None,
    adapter_models: dict[str, type[BaseModel]] | None = None,
) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config(path, environ=environ or {}, adapter_models=adapter_models)
    assert str(info.value) == "\n".join(info.value.errors)
    return info.value.errors


class DiscordSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    token: str
    guild_id: int | None = None


class ConsoleSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    prompt: str = "> "


ADAPTERS: dict[str, type[BaseModel]] = {"console": ConsoleSettings, "discord": DiscordSettings}


# --- defaults and the example ------------------------------------------------------------------


def test_embedded_default_loads() -> None:
    config = load_config(None, environ={})
    assert config.database.url == "sqlite:///warroom.db"
    assert config.database.synchronous == "normal"
    assert config.database.busy_timeout_ms == 5000
    assert config.commands.prefixes == ("/incident", "!incident")
    assert config.commands.max_chars == 8000
    assert config.incidents.default_severity == 3
    assert config.incidents.default_kind == "technical"
    assert [s.name for s in config.severities] == ["SEV1", "SEV2", "SEV3", "SEV4"]
    assert all(s.description for s in config.severities)
    assert set(config.kinds) == {"technical", "security", "business"}
    assert config.status_names() == ("investigating", "identified", "mitigated", "resolved")
    assert list(config.role_descriptions()) == ["commander", "communicator"]
    assert config.adapters == {"console": {}}
    assert config.enabled_adapters() == ["console"]
    assert config.enabled_plugins() == ["reminders", "confirmations", "postmortem"]
    assert config.templates.incident_doc is None
    assert config.adapter_settings == {}


def test_empty_file_equals_embedded_default(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, ""), environ={}) == load_config(None, environ={})


def test_config_is_frozen() -> None:
    config = load_config(None, environ={})
    with pytest.raises(pydantic.ValidationError):
        config.database.url = "sqlite://"  # type: ignore[misc]


def test_example_file_loads() -> None:
    config = load_config(EXAMPLE, environ={}, adapter_models=InstalledAdapters())
    assert config.enabled_adapters() == ["console", "web"]
    assert isinstance(config.adapter_settings["console"], RealConsoleSettings)
    assert config.upstream("api") == ["cache", "db"]
    assert config.downstream("db") == ["api"]
    assert any("roll back" in step.lower() for step in config.services["api"].runbook)
    assert "scribe" in config.role_descriptions()
    assert config.permissions.admins == ()


def test_example_documents_every_option() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    for name, field in Config.model_fields.items():
        assert f"\n{name}:" in text, name
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            for option in annotation.model_fields:
                assert f"  {option}:" in text, f"{name}.{option}"
    for adapter in ("discord", "teams", "matrix"):
        assert f"# {adapter}:" in text


# --- environment interpolation -----------------------------------------------------------------


def test_env_interpolation_default_and_escape(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        database:
          url: "postgresql+psycopg://warroom:${DB_PASSWORD}@${DB_HOST:-localhost}/warroom"
          busy_timeout_ms: "${TIMEOUT:-2500}"
        kinds:
          technical: "costs $${NOT_A_VAR} and ${EMPTY:-fallback}"
        """,
    )
    config = load_config(path, environ={"DB_PASSWORD": "s3cret", "EMPTY": ""})
    assert config.database.url == "postgresql+psycopg://warroom:s3cret@localhost/warroom"
    assert config.database.busy_timeout_ms == 2500
    assert config.kinds["technical"] == "costs ${NOT_A_VAR} and fallback"


def test_missing_env_var_is_reported_at_its_path(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        database:
          url: ${DB_URL}
        adapters:
          discord:
            token: "${DISCORD_TOKEN}"
        """,
    )
    errors = errors_of(path, adapter_models=ADAPTERS)
    assert errors == [
        "database.url: environment variable DB_URL is not set",
        "adapters.discord.token: environment variable DISCORD_TOKEN is not set",
    ]


def test_malformed_reference(tmp_path: Path) -> None:
    path = write(tmp_path, 'kinds: {technical: "a ${bad name} b", other: "${OPEN"}\n')
    errors = errors_of(path)
    assert any(e.startswith("kinds.technical: invalid reference") for e in errors)
    assert any(e.startswith("kinds.other: unterminated ${") for e in errors)


# --- error reporting ---------------------------------------------------------------------------


def test_several_errors_reported_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        database:
          synchronous: fsync
          busy_timeout_ms: -5
        commands:
          prefixes: []
          max_chars: 10
        incidents:
          channel_prefix: "Inc_"
          similar_title_threshold: 1.5
          private_by_default: perhaps
        severities:
          - {level: 1, name: SEV1}
          - {level: 2, name: SEV2}
          - {level: two, name: SEV3}
          - {name: SEV4}
        permissions:
          admins: ["root"]
        bogus: 1
        """,
    )
    errors = errors_of(path)
    expected = [
        "database.synchronous: must be normal or full",
        "database.busy_timeout_ms: must be at least 0",
        "commands.prefixes: must not be empty",
        "commands.max_chars: must be at least 100",
        "incidents.private_by_default: must be true or false",
        "incidents.similar_title_threshold: must be at most 1.0",
        "severities.2.level: must be an integer",
        "severities.3.level: missing",
        "bogus: unknown option",
    ]
    for line in expected:
        assert line in errors
    assert any(e.startswith("incidents.channel_prefix: must be lowercase") for e in errors)
    assert any(e.startswith('permissions.admins.0: must look like "platform:user_id"') for e in errors)
    assert len(errors) == len(expected) + 2


def test_typo_suggestion(tmp_path: Path) -> None:
    path = write(tmp_path, "comands:\n  prefixes: ['/i']\ncommands:\n  prefixs: ['/i']\n")
    errors = errors_of(path)
    assert "comands: unknown option (did you mean commands?)" in errors
    assert "commands.prefixs: unknown option (did you mean prefixes?)" in errors


def test_yaml_syntax_error_has_line_number(tmp_path: Path) -> None:
    path = write(tmp_path, "database:\n  url: sqlite://\n  synchronous: [full\n")
    (error,) = errors_of(path)
    assert error.startswith(f"{path}: line ")
    assert "column" in error


def test_duplicate_keys_are_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "commands:\n  max_chars: 200\n  max_chars: 300\n")
    (error,) = errors_of(path)
    assert "line 3" in error and "duplicate key 'max_chars'" in error


@pytest.mark.parametrize("text", ["- a\n- b\n", "just text\n"])
def test_file_that_is_not_a_mapping(tmp_path: Path, text: str) -> None:
    (error,) = errors_of(write(tmp_path, text))
    assert "must be a mapping of options" in error


def test_unreadable_file(tmp_path: Path) -> None:
    (error,) = errors_of(tmp_path / "missing.yaml")
    assert "cannot read" in error


# --- database ----------------------------------------------------------------------------------


def test_database_url_env_override(tmp_path: Path) -> None:
    path = write(tmp_path, "database:\n  url: ${DB_URL}\n  synchronous: full\n")
    config = load_config(path, environ={"WARROOM_DATABASE_URL": "postgresql://db/warroom"})
    assert config.database.url == "postgresql://db/warroom"
    assert config.database.synchronous == "full"
    assert load_config(None, environ={"WARROOM_DATABASE_URL": "sqlite:////x.db"}).database_url == "sqlite:////x.db"
    errors = errors_of(path, environ={"WARROOM_DATABASE_URL": "not a url"})
    assert errors == [
        "WARROOM_DATABASE_URL: must be a database URL such as sqlite:///warroom.db"
        + " or postgresql+psycopg://user:pass@host/db"
    ]


def test_relative_sqlite_path_resolves_against_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_config(None, environ={}).database_url == f"sqlite:///{tmp_path / 'warroom.db'}"
    memory = load_config(None, environ={"WARROOM_DATABASE_URL": "sqlite:///:memory:"})
    assert memory.database_url == "sqlite:///:memory:"


# --- adapters and plugins ----------------------------------------------------------------------


def test_adapter_models_validate_sections(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        adapters:
          console:
          discord:
            guild_id: "12"
        """,
    )
    errors = errors_of(path, adapter_models=ADAPTERS)
    assert errors == ["adapters.discord.token: missing"]

    path = write(tmp_path, "adapters:\n  discord: {token: t, guild_id: '12', enabled: yes}\n")
    config = load_config(path, environ={}, adapter_models=ADAPTERS)
    assert config.adapter_settings == {"discord": DiscordSettings(token="t", guild_id=12)}
    assert config.adapters["discord"]["enabled"] is True


def test_adapter_section_typo_and_unknown_adapter(tmp_path: Path) -> None:
    path = write(tmp_path, "adapters:\n  discord: {token: t, enabeld: false}\n  discrod: {}\n  slack: {}\n")
    errors = errors_of(path, adapter_models=ADAPTERS)
    assert "adapters.discord.enabeld: unknown option (did you mean enabled?)" in errors
    assert "adapters.discrod: unknown adapter (did you mean discord?) (known adapters: console, discord)" in errors
    assert "adapters.slack: unknown adapter (known adapters: console, discord)" in errors


def test_disabled_adapters_are_not_enabled(tmp_path: Path) -> None:
    path = write(tmp_path, "adapters:\n  console: {enabled: false}\n  discord: {token: t}\n")
    config = load_config(path, environ={}, adapter_models=ADAPTERS)
    assert config.enabled_adapters() == ["discord"]
    assert set(config.adapter_settings) == {"discord"}  # a disabled section is not checked
    errors = errors_of(write(tmp_path, "adapters:\n  console: {enabled: maybe}\n"))
    assert errors == ["adapters.console.enabled: must be true or false"]


def test_disabled_adapter_need_not_be_installed(tmp_path: Path) -> None:
    path = write(tmp_path, "adapters:\n  console: {}\n  teams: {enabled: 'off', app_id: x}\n")
    config = load_config(path, environ={}, adapter_models={"console": ConsoleSettings})
    assert config.enabled_adapters() == ["console"]
    assert set(config.adapter_settings) == {"console"}


def test_plugins_are_kept_raw(tmp_path: Path) -> None:
    path = write(tmp_path, "plugins:\n  reminders: {every: 30m}\n  postmortem: {enabled: false}\n  empty:\n")
    config = load_config(path, environ={})
    assert config.plugins["reminders"] == {"every": "30m"}
    assert config.enabled_plugins() == ["reminders", "empty"]
    assert errors_of(write(tmp_path, "plugins:\n  x: 3\n")) == ["plugins.x: must be a mapping"]


# --- cross-checks ------------------------------------------------------------------------------


def test_severity_kind_and_status_cross_checks(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        incidents:
          default_severity: 7
          default_kind: tecnical
        severities:
          - {level: 1, name: SEV1}
          - {level: 1, name: sev1}
        kinds:
          technical: Broken things.
        statuses:
          - {name: resolved}
          - {name: open}
          - {name: open}
        """,
    )
    errors = errors_of(path)
    assert "incidents.default_severity: no severity has this level (levels: 1, 1)" in errors
    assert "incidents.default_kind: unknown kind tecnical (did you mean technical?) (kinds: technical)" in errors
    assert "severities.1.level: level 1 is already used by severities.0" in errors
    assert "severities.1.name: name sev1 is already used by severities.0" in errors
    assert "statuses.2.name: open is already used by statuses.1" in errors
    assert 'statuses: must include "mitigated"' in errors
    assert 'statuses.0.name: "resolved" must be the last status' in errors


def test_names_must_be_lowercase(tmp_path: Path) -> None:
    path = write(tmp_path, "kinds: {Technical: x}\nroles: {Scribe: y}\nincidents: {default_kind: Technical}\n")
    errors = errors_of(path)
    assert any(e.startswith("kinds.Technical: name must be a lowercase word") for e in errors)
    assert any(e.startswith("roles.Scribe: name must be a lowercase word") for e in errors)


def test_valid_custom_taxonomy(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        incidents: {default_severity: 0, default_kind: privacy}
        severities:
          - {level: 0, name: SEV0, description: Everything is on fire.}
          - {level: 1, name: SEV1}
        kinds: {privacy: Personal data exposed.}
        statuses: [{name: triage}, {name: mitigated}, {name: resolved}]
        roles: {scribe: Writes it down., commander: Runs the show.}
        """,
    )
    config = load_config(path, environ={})
    assert config.severity(0) == Severity(level=0, name="SEV0", description="Everything is on fire.")
    assert config.severity(3) is None
    assert config.status_names() == ("triage", "mitigated", "resolved")
    roles = config.role_descriptions()
    assert list(roles) == ["commander", "communicator", "scribe"]
    assert roles["commander"] == "Runs the show."
    assert roles["communicator"] == BUILTIN_ROLES["communicator"]


def test_direct_construction_runs_cross_checks() -> None:
    with pytest.raises(pydantic.ValidationError) as info:
        Config.model_validate({"incidents": {"default_kind": "nope"}})
    assert info.value.errors()[0]["loc"] == ("incidents", "default_kind")


# --- service catalog ---------------------------------------------------------------------------


def test_service_catalog_with_cycle(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        services:
          web: {depends_on: [api]}
          api: {depends_on: [db, cache], runbook: ["roll back to the last good release"]}
          db: {depends_on: [storage]}
          storage: {depends_on: [db]}
          cache: {}
          loner: {depends_on: [loner]}
        """,
    )
    config = load_config(path, environ={})
    assert config.upstream("web") == ["api", "cache", "db", "storage"]
    assert config.upstream("db") == ["storage"]
    assert config.downstream("db") == ["api", "storage", "web"]
    assert config.downstream("storage") == ["api", "db", "web"]
    assert config.downstream("web") == []
    assert config.upstream("loner") == [] and config.downstream("loner") == []
    assert config.upstream("unknown") == []


def test_unknown_dependency_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "services:\n  api: {depends_on: [db, cahce]}\n  db: {}\n  cache: {}\n")
    assert errors_of(path) == ["services.api.depends_on.1: unknown service cahce (did you mean cache?)"]


# --- templates ---------------------------------------------------------------------------------


def test_template_path_is_relative_to_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "doc.j2").write_text("{{ incident.title }}", encoding="utf-8")
    config = load_config(write(tmp_path, "templates: {incident_doc: doc.j2}\n"), environ={})
    assert config.templates.incident_doc == tmp_path / "doc.j2"
    errors = errors_of(write(tmp_path, "templates: {incident_doc: nope.j2}\n"))
    assert errors == [f"templates.incident_doc: file not found: {tmp_path / 'nope.j2'}"]
