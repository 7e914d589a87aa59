"""A plugin's settings model: named once, as ``Plugin[Settings]``, and what its context's ``config`` is."""

from __future__ import annotations

from pathlib import Path
from typing import Generic, TypeVar

import pytest
from pydantic import BaseModel, ConfigDict, Field
from warroom.core.plugin import Call, NoConfig, Plugin, PluginContext, TextArg, command
from warroom.core.testing import Harness


class EchoSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    prefix: str = Field(default="echo", min_length=1)


class Echo(Plugin[EchoSettings]):
    @command("echo", examples=["/incident echo hello"])
    def echo(self, call: Call, text: TextArg) -> None:
        """Say it back, with the configured prefix."""
        call.reply(f"{self.context.config.prefix}: {text}")


class Legacy(Plugin):
    """Written before the type parameter: the model as a class attribute."""

    Config = EchoSettings


def test_the_type_parameter_is_the_model_warroom_validates_with() -> None:
    assert Echo.Config is EchoSettings


def test_a_plugin_without_settings_has_no_options() -> None:
    class Bare(Plugin):
        pass

    assert Bare.Config is NoConfig


def test_a_plain_plugin_that_sets_config_keeps_working() -> None:
    assert Legacy.Config is EchoSettings


def test_a_subclass_inherits_the_settings_and_a_generic_base_passes_them_on() -> None:
    class Louder(Echo):
        pass

    S = TypeVar("S", bound=BaseModel)

    class Base(Plugin[S], Generic[S]):
        pass

    class Concrete(Base[EchoSettings]):
        pass

    assert Louder.Config is EchoSettings
    assert Base.Config is NoConfig
    assert Concrete.Config is EchoSettings


def test_settings_named_twice_and_differently_are_refused() -> None:
    class Other(BaseModel):
        pass

    with pytest.raises(TypeError, match=r"names its settings twice \(Plugin\[EchoSettings\] and Config = Other\)"):

        class Twice(Plugin[EchoSettings]):
            Config = Other


def test_the_same_model_named_twice_is_fine() -> None:
    class Twice(Plugin[EchoSettings]):
        Config = EchoSettings

    assert Twice.Config is EchoSettings


def test_the_type_parameter_must_be_a_pydantic_model() -> None:
    with pytest.raises(TypeError, match=r"Plugin\[\.\.\.\] takes a pydantic model for its settings, not <class 'int'>"):

        class Wrong(Plugin[int]):  # type: ignore[type-var]
            pass


async def test_the_context_config_is_the_validated_model(tmp_path: Path) -> None:
    h = Harness(tmp_path / "w.db", plugins={"echo": Echo, "legacy": Legacy}, plugin_config={"echo": {"prefix": "hej"}})
    await h.say('/incident declare "Checkout is down"')
    echo, legacy = h.plugin("echo"), h.plugin("legacy")
    assert isinstance(echo.context, PluginContext)
    assert echo.context.config == EchoSettings(prefix="hej")
    assert legacy.context.config == EchoSettings()
    assert await h.say("/incident echo hello", channel=h.channel("INC-1")) == ["hej: hello"]
    await h.close()


async def test_invalid_settings_leave_the_plugin_out(tmp_path: Path) -> None:
    h = Harness(tmp_path / "w.db", plugins={"echo": Echo}, plugin_config={"echo": {"prefix": ""}})
    await h.start()
    status = h.app.plugins.statuses["echo"]
    assert (status.state, status.reason) == ("failed", "invalid config: plugins.echo.prefix: must not be empty")
    await h.close()
