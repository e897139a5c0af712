"""Tokens (api/auth.py): at least 128 bits for one given in the clear, `expires`, the token
file read again when it changes or on SIGHUP, `timeline token new`; and on a running
`timeline serve`, a revoked token stops working while the process goes on serving."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from api.auth import Role, Token, Tokens, Unauthenticated, digest_of, entropy_bits, new_token
from api.cli import app
from tests.servers import WAIT, timeline_process

STRONG = "Zq3-vN8_pL1xR7tK2mW9cY4bH6jD0sFe"  # 32 base64url characters: 192 bits
QUERY = {"query": "{ logHead { position } }"}


def entry(token: str, principal: str = "alice", **more: str) -> dict[str, str]:
    return {"principal": principal, "role": "editor", "token": token, **more}


@pytest.mark.parametrize(
    "weak",
    [
        "editor-token-0123456789",  # 23 characters of 37: about 120 bits
        "a" * 64,  # one character
        "ab" * 40,  # two
        "0123456789abcdef0123456789abcde",  # 31 hex digits: 124 bits
    ],
)
def test_a_weak_token_is_refused_naming_its_entry(weak: str) -> None:
    with pytest.raises(ValueError, match=r"'alice'.*at least 128"):
        Token.from_json(entry(weak))


def test_tokens_of_128_bits_and_more_are_accepted() -> None:
    text, token = new_token("alice", Role.EDITOR)
    for strong in (text, STRONG, os.urandom(16).hex()):
        assert entropy_bits(strong) >= 128
        assert Token.from_json(entry(strong)).sha256 == digest_of(strong)
    assert len(text) >= 43 and token.sha256 == digest_of(text)


def test_an_expired_token_is_refused() -> None:
    tokens = Tokens([Token.from_json(entry(STRONG, expires="2030-01-01T00:00:00+02:00"))])
    before = datetime(2029, 12, 31, 21, 59, tzinfo=UTC)
    assert tokens.authenticate(f"Bearer {STRONG}", before) is not None
    with pytest.raises(Unauthenticated, match="expired"):
        tokens.authenticate(f"Bearer {STRONG}", before + timedelta(minutes=1))
    with pytest.raises(ValueError, match="expires"):
        Token.from_json(entry(STRONG, expires="2030-01-01T00:00:00"))  # no offset


def test_the_token_file_is_read_again_when_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    path.write_text(json.dumps([entry(STRONG)]))
    now = [0.0]
    tokens = Tokens(path=path, check_seconds=1.0, clock=lambda: now[0])
    assert tokens.authenticate(f"Bearer {STRONG}") is not None
    path.write_text(json.dumps([entry(STRONG[::-1], "bob")]))
    assert tokens.authenticate(f"Bearer {STRONG}") is not None  # not looked at yet
    now[0] = 1.0
    with pytest.raises(Unauthenticated):
        tokens.authenticate(f"Bearer {STRONG}")
    # A file being written (not JSON yet) keeps the tokens in force.
    path.write_text('[{"principal": "carol"')
    now[0] = 2.0
    assert tokens.authenticate(f"Bearer {STRONG[::-1]}") is not None
    assert tokens.reload() is False


def test_token_new_prints_the_token_and_its_digest_line() -> None:
    result = CliRunner().invoke(
        app, ["token", "new", "alice", "--role", "editor", "--expires", "2030-01-01T00:00:00Z"]
    )
    assert result.exit_code == 0, result.output
    text, line = result.stdout.splitlines()
    assert json.loads(line) == {
        "principal": "alice",
        "role": "editor",
        "sha256": digest_of(text).hex(),
        "expires": "2030-01-01T00:00:00Z",
    }
    assert entropy_bits(text) >= 256
    assert Tokens([Token.from_json(json.loads(line))]).authenticate(f"Bearer {text}")
    refused = CliRunner().invoke(app, ["token", "new", "alice", "--role", "boss"])
    assert refused.exit_code == 2 and "unknown role" in refused.output


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_revoked_token_stops_working_on_a_running_server(
    database_url: str, tmp_path: Path
) -> None:
    alice, _ = new_token("alice", Role.EDITOR)
    bob, _ = new_token("bob", Role.EDITOR)
    path = tmp_path / "tokens.json"
    path.write_text(json.dumps([entry(alice), entry(bob, "bob")]))
    async with (
        timeline_process(database_url, TIMELINE_TOKENS_FILE=str(path)) as served,
        httpx.AsyncClient(base_url=f"http://{served.address}", timeout=WAIT) as http,
    ):

        async def status(token: str) -> int:
            headers = {"Authorization": f"Bearer {token}"}
            return (await http.post("/graphql", json=QUERY, headers=headers)).status_code

        assert await status(alice) == 200
        # Revoked by rewriting the file: refused within the safety net, bob still served.
        path.write_text(json.dumps([entry(bob, "bob")]))
        async with asyncio.timeout(WAIT):
            while True:
                if await status(alice) == 401:
                    break
                await asyncio.sleep(0.2)
        assert await status(bob) == 200

        # On SIGHUP, with the file's modification time, size and inode left as they were (so
        # that only the signal can make the server read it): carol's token works, the process
        # goes on, and requests made meanwhile are all answered.
        carol = bob[:-5] + "carol"
        stat = path.stat()
        path.write_text(json.dumps([entry(carol, "bob")]))
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        assert path.stat().st_size == stat.st_size
        meanwhile = [asyncio.create_task(status(bob if n % 2 else carol)) for n in range(20)]
        served.process.send_signal(signal.SIGHUP)
        await served.logged("TIMELINE_TOKENS_FILE reloaded", times=2)
        assert await status(carol) == 200 and await status(bob) == 401
        assert {await task for task in meanwhile} <= {200, 401}
        assert served.process.returncode is None
