"""Bearer tokens, their roles, and the principal a request acts as.

Only the SHA-256 digest of a token is kept; a presented token is hashed and compared with each
known digest in constant time, so neither the tokens nor timing reveal anything. A token may
expire (`expires`); a token given in the clear must carry at least 128 bits (see
`entropy_bits`), and `new_token` makes one of 256. The tokens of a file (`Tokens`) are read
again when it changes or on `reload()` (SIGHUP), so that one is revoked without a restart.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import math
import os
import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import IntEnum
from pathlib import Path

logger = logging.getLogger("timeline.auth")

PREFIX = "bearer "
MIN_BITS = 128  # of a token given in the clear
MIN_DISTINCT = 8  # distinct characters of such a token: `aaaa…` carries nothing
NEW_TOKEN_BYTES = 32  # 256 bits, as base64url text (43 characters)
CHECK_SECONDS = 1.0  # how often, at most, a request checks whether the token file changed


class Role(IntEnum):
    """What a principal may do; each role includes the ones below it."""

    READER = 1
    EDITOR = 2
    ADMIN = 3

    @classmethod
    def named(cls, name: object) -> Role:
        """The role called `name` (`reader`, `editor`, `admin`)."""
        if isinstance(name, str) and name.upper() in cls.__members__:
            return cls[name.upper()]
        raise ValueError(f"unknown role {name!r}: use reader, editor or admin")


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a request acts as; `name` is stored as `recordedBy`."""

    name: str
    role: Role


ANONYMOUS = Principal("anonymous", Role.READER)


@dataclass(frozen=True, slots=True)
class Token:
    """A known token: its digest, the principal it stands for, and when it expires (None:
    never)."""

    principal: Principal
    sha256: bytes = field(repr=False)
    expires: datetime | None = None

    @classmethod
    def from_json(cls, item: object) -> Token:
        """`{"principal": "alice", "role": "editor", "token": "…"}`, or `"sha256": "<hex>"`
        in place of the token so that configuration need not hold it either; optionally
        `"expires": "2027-01-01T00:00:00Z"`."""
        if not isinstance(item, Mapping):
            raise ValueError("each token entry must be a JSON object")
        name, role = item.get("principal"), item.get("role")
        if not isinstance(name, str) or not name:
            raise ValueError("a token entry needs a non-empty `principal`")
        expires = parse_expires(name, item.get("expires"))
        if "token" in item and isinstance(item["token"], str):
            bits = entropy_bits(item["token"])
            if bits < MIN_BITS:
                raise ValueError(
                    f"the token of {name!r} carries about {bits:.0f} bits; at least {MIN_BITS} "
                    "are needed (`timeline token new` makes one)"
                )
            digest = digest_of(item["token"])
        elif "sha256" in item and isinstance(item["sha256"], str):
            try:
                digest = bytes.fromhex(item["sha256"])
            except ValueError:
                raise ValueError(f"the sha256 of {name!r} is not hexadecimal") from None
            if len(digest) != 32:
                raise ValueError(f"the sha256 of {name!r} is not 64 hexadecimal digits")
        else:
            raise ValueError(f"the entry of {name!r} needs a `token` or a `sha256`")
        return cls(Principal(name, Role.named(role)), digest, expires)

    def to_json(self) -> dict[str, str]:
        """The entry of the token file for this token (its digest, never the token)."""
        entry = {
            "principal": self.principal.name,
            "role": self.principal.role.name.lower(),
            "sha256": self.sha256.hex(),
        }
        if self.expires is not None:
            entry["expires"] = self.expires.isoformat().replace("+00:00", "Z")
        return entry


def parse_expires(name: str, value: object) -> datetime | None:
    """The `expires` of the token of `name`: None, or an instant with its offset (in UTC);
    ValueError naming the entry otherwise."""
    if value is None:
        return None
    try:
        if not isinstance(value, str):
            raise ValueError
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            raise ValueError
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise ValueError(
            f"the `expires` of {name!r} must be an instant with its offset, "
            f"e.g. 2027-01-01T00:00:00Z, not {value!r}"
        ) from None


def digest_of(token: str) -> bytes:
    """The SHA-256 digest of a token."""
    return hashlib.sha256(token.encode()).digest()


def entropy_bits(token: str) -> float:
    """The bits a token can carry at most, from its length and its alphabet: hexadecimal 4 a
    character, else the classes it draws on (digits 10, lower and upper case 26 each, `-_` 2
    as in base64url, anything else 32); none at all with fewer than MIN_DISTINCT distinct
    characters. A generous bound for a random token, which is what this is for."""
    if len(set(token)) < MIN_DISTINCT:
        return 0.0
    if all(char in "0123456789abcdef" for char in token.lower()):
        return 4.0 * len(token)
    classes = [
        (10, str.isdigit),
        (26, lambda char: char.isascii() and char.islower()),
        (26, lambda char: char.isascii() and char.isupper()),
        (2, lambda char: char in "-_"),
        (32, lambda char: not (char.isascii() and (char.isalnum() or char in "-_"))),
    ]
    alphabet = sum(size for size, is_in in classes if any(is_in(char) for char in token))
    return len(token) * math.log2(alphabet)


def new_token(principal: str, role: Role, expires: datetime | None = None) -> tuple[str, Token]:
    """A new random token (256 bits, base64url) and its entry."""
    text = secrets.token_urlsafe(NEW_TOKEN_BYTES)
    return text, Token(Principal(principal, role), digest_of(text), expires)


def tokens_from_json(text: str) -> tuple[Token, ...]:
    """The tokens of a JSON list of entries (see Token.from_json); ValueError naming the
    problem."""
    value = json.loads(text)
    if not isinstance(value, list):
        raise ValueError('expected a JSON list of {"principal", "role", "token" or "sha256"}')
    return tuple(Token.from_json(item) for item in value)


class Unauthenticated(Exception):
    """A token was presented that no configured token matches, or a header is malformed."""


@dataclass(frozen=True, slots=True)
class TokenTable:
    """The configured tokens."""

    tokens: tuple[Token, ...] = ()

    def authenticate(
        self, authorization: str | None, now: datetime | None = None
    ) -> Principal | None:
        """The principal of an `Authorization` header; None without one. Raises
        Unauthenticated for a malformed header, or an unknown or expired token."""
        if not authorization:
            return None
        if not authorization.lower().startswith(PREFIX):
            raise Unauthenticated("the Authorization header must be `Bearer <token>`")
        digest = digest_of(authorization[len(PREFIX) :].strip())
        found = None
        for token in self.tokens:  # every digest is compared, found or not
            if hmac.compare_digest(token.sha256, digest):
                found = token
        if found is None:
            raise Unauthenticated("unknown token")
        if found.expires is not None and found.expires <= (now or datetime.now(UTC)):
            raise Unauthenticated("the token has expired")
        return found.principal


class Tokens:
    """The tokens of a server: those given in the environment (`fixed`), and those of a file
    (`path`), read again when the file changes (its modification time, size or inode, looked at
    by a request at most every `check_seconds`) or on `reload()`. A file that cannot be read
    or holds a mistake (one being written, say) is logged and the tokens read before stay: no
    request is refused for it. At start-up, though, a bad file raises ValueError."""

    def __init__(
        self,
        fixed: Iterable[Token] = (),
        path: Path | None = None,
        check_seconds: float = CHECK_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.fixed = tuple(fixed)
        self.path = path
        self.check_seconds = check_seconds
        self.clock = clock
        self._stamp = self._file_stamp()
        self._table = TokenTable(self.fixed + self._read())
        self._checked = clock()

    def __repr__(self) -> str:
        return f"Tokens({len(self.tokens)} tokens, file={self.path})"

    @property
    def tokens(self) -> tuple[Token, ...]:
        """The tokens in force."""
        return self._table.tokens

    def authenticate(
        self, authorization: str | None, now: datetime | None = None
    ) -> Principal | None:
        """TokenTable.authenticate on the tokens in force, the file looked at first if due."""
        if self.path is not None and self.clock() - self._checked >= self.check_seconds:
            self._checked = self.clock()
            if self._file_stamp() != self._stamp:
                self.reload()
        return self._table.authenticate(authorization, now)

    def reload(self) -> bool:
        """Read the file again now; whether its tokens are now in force."""
        if self.path is None:
            return False
        stamp = self._file_stamp()
        try:
            table = TokenTable(self.fixed + self._read())
        except (OSError, ValueError) as error:
            logger.error("TIMELINE_TOKENS_FILE not reloaded, the tokens stay as before: %s", error)
            return False
        self._stamp = stamp
        self._table = table
        logger.info("TIMELINE_TOKENS_FILE reloaded: %d tokens in force", len(table.tokens))
        return True

    def _read(self) -> tuple[Token, ...]:
        if self.path is None:
            return ()
        return tokens_from_json(self.path.read_text(encoding="utf-8"))

    def _file_stamp(self) -> tuple[int, int, int] | None:
        if self.path is None:
            return None
        try:
            found = os.stat(self.path)
        except OSError:
            return None
        return (found.st_mtime_ns, found.st_size, found.st_ino)
