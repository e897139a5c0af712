"""The vendored browser libraries (api/web/vendor.py): every file the pages load is the one
the manifest names, by its integrity hash, with its package's licence beside it; the pages
load them from this server, with those hashes."""

from __future__ import annotations

import json
import re

import httpx

from api.graphiql import graphiql_html
from api.web.vendor import MANIFEST, PACKAGES, VENDOR, manifest, sri


def test_every_vendored_file_matches_its_manifest_hash() -> None:
    entries = manifest()
    assert set(entries) == {package.name for package in PACKAGES}
    kept = {path.relative_to(VENDOR).as_posix() for path in VENDOR.rglob("*") if path.is_file()}
    expected = {MANIFEST.name}
    for package in PACKAGES:
        entry = entries[package.name]
        assert entry["version"] == package.version, package.name
        assert entry["licence"] == "MIT", package.name
        assert str(entry["tarballIntegrity"]).startswith("sha512-"), package.name
        licence = (package.folder / str(entry["licenceFile"])).read_text(encoding="utf-8")
        assert "Permission is hereby granted" in licence, package.name
        files = entry["files"]
        assert isinstance(files, dict)
        for name, digest in files.items():
            assert sri((package.folder / name).read_bytes()) == digest, name
            expected.add(f"{package.name}/{name}")
        expected.add(f"{package.name}/{entry['licenceFile']}")
    # Nothing else is kept: a file no manifest entry vouches for is never served.
    assert kept == expected
    assert json.loads(MANIFEST.read_text(encoding="utf-8")) == entries


def test_graphiql_loads_the_vendored_files_with_their_hashes() -> None:
    html = graphiql_html()
    loaded = re.findall(r'(?:src|href)="(/static/vendor/[^"]+)" integrity="([^"]+)"', html)
    by_path = {}
    for package, entry in manifest().items():
        files = entry["files"]
        assert isinstance(files, dict)
        by_path.update({f"/static/vendor/{package}/{name}": d for name, d in files.items()})
    assert dict(loaded) == by_path
    assert "unpkg" not in html and "https://" not in html


async def test_the_app_serves_the_vendored_files(client: httpx.AsyncClient) -> None:
    for package, entry in manifest().items():
        files = entry["files"]
        assert isinstance(files, dict)
        for name, digest in files.items():
            response = await client.get(f"/static/vendor/{package}/{name}")
            assert response.status_code == 200, name
            assert sri(response.content) == digest, name
