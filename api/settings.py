"""Configuration from the environment, validated when the process starts."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from events.db import DEFAULT_DATABASE_URL, database_url
from events.errors import ConfigurationError


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting of the service. See docs/configuration.md."""

    database_url: str = DEFAULT_DATABASE_URL

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        """Settings from `env`; raises ConfigurationError naming a bad variable."""
        url = env.get("TIMELINE_DATABASE_URL") or DEFAULT_DATABASE_URL
        try:
            database_url(url)  # fail at start-up, not at the first request
        except ConfigurationError as error:
            raise ConfigurationError(f"TIMELINE_DATABASE_URL: {error}") from None
        return cls(database_url=url)
