"""Warroom's configuration: one YAML file, validated whole, every problem reported at once with its path."""

from warroom.core.config.errors import section_errors
from warroom.core.config.loader import AdapterUnavailable, ConfigError, load_config
from warroom.core.config.schema import Config
from warroom.core.config.types import Duration, Pattern

__all__ = ["AdapterUnavailable", "Config", "ConfigError", "Duration", "Pattern", "load_config", "section_errors"]
