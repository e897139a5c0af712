"""Bearer tokens, their roles, and the principal a request acts as.

Only the SHA-256 digest of a token is kept; a presented token is hashed and compared with each
known digest in constant time, so neither the tokens nor timing reveal anything.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum

PREFIX = "bearer "


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
    """A known token: its digest, and the principal it stands for."""

    principal: Principal
    sha256: bytes = field(repr=False)

    @classmethod
    def from_json(cls, item: object) -> Token:
        """`{"principal": "alice", "role": "editor", "token": "…"}`, or `"sha256": "<hex>"`
        in place of the token so that configuration need not hold it either."""
        if not isinstance(item, Mapping):
            raise ValueError("each token entry must be a JSON object")
        name, role = item.get("principal"), item.get("role")
        if not isinstance(name, str) or not name:
            raise ValueError("a token entry needs a non-empty `principal`")
        if "token" in item and isinstance(item["token"], str) and len(item["token"]) >= 16:
            digest = digest_of(item["token"])
        elif "sha256" in item and isinstance(item["sha256"], str):
            try:
                digest = bytes.fromhex(item["sha256"])
            except ValueError:
                raise ValueError(f"the sha256 of {name!r} is not hexadecimal") from None
            if len(digest) != 32:
                raise ValueError(f"the sha256 of {name!r} is not 64 hexadecimal digits")
        else:
            raise ValueError(
                f"the entry of {name!r} needs a `token` of at least 16 characters or a `sha256`"
            )
        return cls(Principal(name, Role.named(role)), digest)


def digest_of(token: str) -> bytes:
    """The SHA-256 digest of a token."""
    return hashlib.sha256(token.encode()).digest()


class Unauthenticated(Exception):
    """A token was presented that no configured token matches, or a header is malformed."""


@dataclass(frozen=True, slots=True)
class TokenTable:
    """The configured tokens."""

    tokens: tuple[Token, ...] = ()

    def authenticate(self, authorization: str | None) -> Principal | None:
        """The principal of an `Authorization` header; None without one. Raises
        Unauthenticated for a malformed header or an unknown token."""
        if not authorization:
            return None
        if not authorization.lower().startswith(PREFIX):
            raise Unauthenticated("the Authorization header must be `Bearer <token>`")
        digest = digest_of(authorization[len(PREFIX) :].strip())
        found = None
        for token in self.tokens:  # every digest is compared, found or not
            if hmac.compare_digest(token.sha256, digest):
                found = token.principal
        if found is None:
            raise Unauthenticated("unknown token")
        return found
