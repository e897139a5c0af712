"""Configuration from the environment, validated when the process starts.

Every setting, its default and an example are listed in docs/configuration.md. A bad value stops
the process with a message naming the variable.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TypeVar

from strawberry.http.websocket_origin import normalize_allowed_origins

from api.auth import Token, TokenTable
from events.db import DEFAULT_DATABASE_URL, database_url
from events.errors import ConfigurationError
from events.notify import POLL_INTERVAL, RECHECK

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Limits:
    """What one request may ask for (docs/configuration.md, "Query limits")."""

    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000
    max_cost: int = 5000  # GitHub-style: nodes a query may ask for, from connection sizes
    max_body_bytes: int = 1_000_000
    max_subscriptions: int = 20  # per WebSocket connection
    max_page: int = 100  # `first` / `last` of a connection


@dataclass(frozen=True, slots=True)
class Pool:
    """The connection pool of each process (SQLAlchemy's queue pool): at most `size` +
    `max_overflow` connections to the database, plus one LISTEN connection on PostgreSQL."""

    size: int = 5
    max_overflow: int = 10
    timeout_seconds: float = 30.0  # how long a request waits for a connection before failing
    recycle_seconds: float = 1800.0  # connections older than this are replaced
    pre_ping: bool = True  # test a connection before use: survives a database restart

    def engine_options(self) -> dict[str, object]:
        """The keyword arguments of `create_async_engine` for this pool."""
        return {
            "pool_size": self.size,
            "max_overflow": self.max_overflow,
            "pool_timeout": self.timeout_seconds,
            "pool_recycle": self.recycle_seconds,
            "pool_pre_ping": self.pre_ping,
        }


@dataclass(frozen=True, slots=True)
class Connections:
    """What one client connection may take of a `timeline serve` process (uvicorn and
    api/connections.py): slow or greedy clients are cut off, the others still answered."""

    max_connections: int = 1000  # per process; past it uvicorn answers 503 at once
    max_header_bytes: int = 65_536  # request line and headers; past it 431 and closed
    header_timeout_seconds: float = 10.0  # to send a request's head; past it 408 and closed
    body_timeout_seconds: float = 30.0  # to send a request's body; past it 408
    keep_alive_seconds: int = 5  # an idle keep-alive connection is closed after this
    ws_ping_seconds: float = 20.0  # WebSocket ping interval, and how long a pong may take


LOG_LEVELS = ("debug", "info", "warning", "error", "critical")
LOG_FORMATS = ("json", "text")


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting of the service."""

    database_url: str = DEFAULT_DATABASE_URL
    tokens: TokenTable = field(default_factory=TokenTable)
    read_requires_token: bool = False
    # Browser origins allowed to call the API (CORS) and to open WebSocket connections.
    cors_origins: tuple[str, ...] = ()
    # Strict-Transport-Security max-age; 0 (off) unless the server is reached over TLS only.
    hsts_seconds: int = 0
    limits: Limits = field(default_factory=Limits)
    connections: Connections = field(default_factory=Connections)
    # SQLite: seconds between two reads of the log head while subscriptions wait for events
    # (PostgreSQL is told of appends by NOTIFY instead).
    log_poll_seconds: float = POLL_INTERVAL
    # The longest a waiting subscription goes without reading the log, wake-up or not: the
    # safety net should a wake-up be lost (a dropped LISTEN connection).
    log_recheck_seconds: float = RECHECK
    pool: Pool = field(default_factory=Pool)
    log_level: str = "info"
    log_format: str = "json"  # one JSON object per line; `text` for people at a terminal
    metrics: bool = True  # Prometheus metrics at /metrics
    # The in-process cache of GET answers (api/caching.py): 0 entries turns it off.
    answer_cache_entries: int = 1000
    answer_cache_bytes: int = 64 * 1024 * 1024

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        """Settings from `env`; raises ConfigurationError naming a bad variable."""
        url = env.get("TIMELINE_DATABASE_URL") or DEFAULT_DATABASE_URL
        _setting(env, "TIMELINE_DATABASE_URL", database_url, url)
        return cls(
            database_url=url,
            tokens=_tokens(env),
            read_requires_token=_setting(env, "TIMELINE_READ_REQUIRES_TOKEN", _boolean, "false"),
            cors_origins=_setting(env, "TIMELINE_CORS_ORIGINS", _origins, ""),
            hsts_seconds=_setting(env, "TIMELINE_HSTS_SECONDS", _count, "0"),
            log_poll_seconds=_setting(
                env, "TIMELINE_LOG_POLL_SECONDS", _seconds, str(POLL_INTERVAL)
            ),
            log_recheck_seconds=_setting(
                env, "TIMELINE_LOG_RECHECK_SECONDS", _seconds, str(RECHECK)
            ),
            pool=Pool(
                size=_setting(env, "TIMELINE_DB_POOL_SIZE", _positive, "5"),
                max_overflow=_setting(env, "TIMELINE_DB_MAX_OVERFLOW", _count, "10"),
                timeout_seconds=_setting(env, "TIMELINE_DB_POOL_TIMEOUT_SECONDS", _seconds, "30"),
                recycle_seconds=_setting(env, "TIMELINE_DB_POOL_RECYCLE_SECONDS", _seconds, "1800"),
                pre_ping=_setting(env, "TIMELINE_DB_POOL_PRE_PING", _boolean, "true"),
            ),
            log_level=_setting(env, "TIMELINE_LOG_LEVEL", _one_of(LOG_LEVELS), "info"),
            log_format=_setting(env, "TIMELINE_LOG_FORMAT", _one_of(LOG_FORMATS), "json"),
            metrics=_setting(env, "TIMELINE_METRICS", _boolean, "true"),
            answer_cache_entries=_setting(env, "TIMELINE_ANSWER_CACHE_ENTRIES", _count, "1000"),
            answer_cache_bytes=_setting(
                env, "TIMELINE_ANSWER_CACHE_BYTES", _positive, str(64 * 1024 * 1024)
            ),
            limits=Limits(
                **{
                    limit.name: _setting(
                        env, f"TIMELINE_{limit.name.upper()}", _positive, str(limit.default)
                    )
                    for limit in fields(Limits)
                }
            ),
            connections=Connections(
                max_connections=_setting(env, "TIMELINE_MAX_CONNECTIONS", _positive, "1000"),
                max_header_bytes=_setting(env, "TIMELINE_MAX_HEADER_BYTES", _header_bytes, "65536"),
                header_timeout_seconds=_setting(
                    env, "TIMELINE_HEADER_TIMEOUT_SECONDS", _seconds, "10"
                ),
                body_timeout_seconds=_setting(env, "TIMELINE_BODY_TIMEOUT_SECONDS", _seconds, "30"),
                keep_alive_seconds=_setting(env, "TIMELINE_KEEP_ALIVE_SECONDS", _positive, "5"),
                ws_ping_seconds=_setting(env, "TIMELINE_WS_PING_SECONDS", _seconds, "20"),
            ),
        )


def _setting(env: Mapping[str, str], name: str, parse: Callable[[str], T], default: str) -> T:
    text = env.get(name) or default
    try:
        return parse(text)
    except (ValueError, ConfigurationError) as error:
        raise ConfigurationError(f"{name}: {error}") from None


def _boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{text!r} is not a boolean (true or false)")


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(f"{text!r} must be a positive whole number")
    return value


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError(f"{text!r} must be a whole number, 0 or more")
    return value


def _header_bytes(text: str) -> int:
    value = int(text)
    if value < 1024:
        raise ValueError(f"{text!r} must be a number of bytes, 1024 or more")
    return value


def _origins(text: str) -> tuple[str, ...]:
    """Comma-separated origins (`https://host[:port]`, or `*` for any), as browsers send them
    in `Origin`: scheme and host in lower case, no default port."""
    try:
        found = normalize_allowed_origins([item for item in text.split(",") if item.strip()])
    except ValueError as error:
        raise ValueError(str(error).replace(" in allowed_origins", "")) from None
    return tuple(sorted(found))


def _one_of(choices: tuple[str, ...]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        lowered = text.strip().lower()
        if lowered not in choices:
            raise ValueError(f"{text!r} is not one of {', '.join(choices)}")
        return lowered

    return parse


def _seconds(text: str) -> float:
    value = float(text)
    if not 0.01 <= value <= 3600:
        raise ValueError(f"{text!r} must be a number of seconds from 0.01 to 3600")
    return value


def _tokens(env: Mapping[str, str]) -> TokenTable:
    """Tokens from TIMELINE_TOKENS (JSON) and TIMELINE_TOKENS_FILE (a file of the same JSON)."""
    entries: list[Token] = []
    for name in ("TIMELINE_TOKENS", "TIMELINE_TOKENS_FILE"):
        text = env.get(name)
        if not text:
            continue
        try:
            if name == "TIMELINE_TOKENS_FILE":
                text = Path(text).read_text(encoding="utf-8")
            entries.extend(Token.from_json(item) for item in _json_list(text))
        except (OSError, ValueError) as error:
            raise ConfigurationError(f"{name}: {error}") from None
    return TokenTable(tuple(entries))


def _json_list(text: str) -> list[object]:
    value = json.loads(text)
    if not isinstance(value, list):
        raise ValueError('expected a JSON list of {"principal", "role", "token" or "sha256"}')
    return value
