"""The adapters.teams section: production never runs without credentials, and says which key is missing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError
from warroom.adapters.teams import TeamsSettings
from warroom.adapters.teams.settings import TEST_RUN_ENV
from warroom.core.config.loader import ConfigError, load_config

from tests.adapters.teams.driver import marked_as_test_run

INCIDENTS = "19:incidents@thread.tacv2"


def config_errors(tmp_path: Path, section: str, environ: dict[str, str] | None = None) -> list[str]:
    path = tmp_path / "warroom.yaml"
    path.write_text(f"adapters:\n  teams:\n{section}", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_config(path, environ=environ or {}, adapter_models={"teams": TeamsSettings})
    return error.value.errors


def test_missing_credentials_are_named(tmp_path: Path) -> None:
    [error] = config_errors(tmp_path, f"    incidents_channel: '{INCIDENTS}'\n    client_id: abc\n")
    assert error.startswith("adapters.teams: missing client_secret, tenant_id: Teams never runs without")


def test_a_placeholder_secret_counts_as_missing(tmp_path: Path) -> None:
    section = f"    incidents_channel: '{INCIDENTS}'\n    client_id: a\n    client_secret: changeme\n    tenant_id: t\n"
    [error] = config_errors(tmp_path, section)
    assert "missing client_secret" in error


def test_secrets_come_from_the_environment_and_stay_out_of_reprs(tmp_path: Path) -> None:
    path = tmp_path / "warroom.yaml"
    path.write_text(
        "adapters:\n  teams:\n"
        f"    incidents_channel: '{INCIDENTS}'\n"
        "    client_id: ${TEAMS_CLIENT_ID}\n"
        "    client_secret: ${TEAMS_CLIENT_SECRET}\n"
        "    tenant_id: ${TEAMS_TENANT_ID}\n",
        encoding="utf-8",
    )
    environ = {"TEAMS_CLIENT_ID": "app-1", "TEAMS_CLIENT_SECRET": "very-secret-value", "TEAMS_TENANT_ID": "tenant-1"}
    config = load_config(path, environ=environ, adapter_models={"teams": TeamsSettings})
    settings = config.adapter_settings["teams"]
    assert isinstance(settings, TeamsSettings)
    assert settings.client_secret_value() == "very-secret-value"
    assert "very-secret-value" not in repr(settings)


def test_command_hints_name_the_bot_and_the_command_word(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TEST_RUN_ENV, "1")
    settings = TeamsSettings(anonymous_for_tests=True, incidents_channel=INCIDENTS)
    assert settings.command_form() == "@Warroom incident"
    renamed = TeamsSettings(
        anonymous_for_tests=True, incidents_channel=INCIDENTS, bot_name="Ops Bot", command_prefix="!ir"
    )
    assert renamed.command_form() == "@Ops Bot ir"


def test_anonymous_mode_is_refused_outside_a_test_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TEST_RUN_ENV, raising=False)
    with pytest.raises(ValidationError, match="only for Warroom's test suite"):
        TeamsSettings(anonymous_for_tests=True, incidents_channel=INCIDENTS)
    monkeypatch.setenv(TEST_RUN_ENV, "yes")  # only the exact flag counts
    with pytest.raises(ValidationError, match="only for Warroom's test suite"):
        TeamsSettings(anonymous_for_tests=True, incidents_channel=INCIDENTS)


def test_anonymous_mode_is_allowed_in_a_marked_test_run() -> None:
    with marked_as_test_run():
        settings = TeamsSettings(anonymous_for_tests=True, incidents_channel=INCIDENTS)
    assert settings.client_id == ""


def test_graph_needs_the_team_and_falls_back_to_the_bots_credentials() -> None:
    credentials = {"client_id": "app", "client_secret": "s3cret-value", "tenant_id": "t1"}
    with pytest.raises(ValidationError, match="team_id is required with graph"):
        TeamsSettings.model_validate({**credentials, "incidents_channel": INCIDENTS, "graph": {}})
    settings = TeamsSettings.model_validate(
        {**credentials, "incidents_channel": INCIDENTS, "team_id": "g-1", "graph": {"client_id": "graph-app"}}
    )
    assert settings.graph_credentials() == ("graph-app", "s3cret-value", "t1")


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("incidents_channel", "general", "must be a Teams channel id"),
        ("path", "api/messages", "must be a URL path"),
        ("command_prefix", "incident", "one word starting with / or !"),
        ("service_url", "smba.example", "must be an http(s) URL"),
    ],
)
def test_malformed_options_are_explained(option: str, value: str, message: str) -> None:
    values = {"client_id": "a", "client_secret": "s3cret-value", "tenant_id": "t", "incidents_channel": INCIDENTS}
    with pytest.raises(ValidationError, match=re.escape(message)):
        TeamsSettings.model_validate({**values, option: value})
