"""The desk's configuration: app.yaml (and referenced catalogue files) parsed, interpolated and validated."""

from bot.config.errors import ConfigError, Problem
from bot.config.loader import load_config
from bot.config.schema import DeskConfig

__all__ = ["ConfigError", "DeskConfig", "Problem", "load_config"]
