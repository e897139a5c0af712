"""The vendored browser libraries (api/web/vendor.py): every file the pages load, and every file
of TimelineJS the tests load (tests/timelinejs.py), is the one its manifest names, by its
integrity hash, with its package's licence beside it; the pages load theirs from this server,
with those hashes."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from api.graphiql import graphiql_html
from api.web.vendor import PAGES, Package, Vendored, manifest, sri
from tests.timelinejs import TIMELINEJS

# The words each licence's text begins with or contains.
LICENCE_WORDS = {"MIT": "Permission is hereby granted", "MPL-2.0": "Mozilla Public License"}


@pytest.mark.parametrize("vendored", [PAGES, TIMELINEJS], ids=["pages", "timelinejs"])
def test_every_vendored_file_matches_its_manifest_hash(vendored: Vendored) -> None:
    entries = manifest(vendored)
    assert set(entries) == {package.name for package in vendored.packages}
    kept = {
        path.relative_to(vendored.root).as_posix()
        for path in vendored.root.rglob("*")
        if path.is_file()
    }
    expected = {vendored.manifest.name}
    for package in vendored.packages:
        entry = entries[package.name]
        folder = vendored.folder(package)
        assert entry["version"] == package.version, package.name
        assert str(entry["tarballIntegrity"]).startswith("sha512-"), package.name
        licence = (folder / str(entry["licenceFile"])).read_text(encoding="utf-8")
        assert LICENCE_WORDS[str(entry["licence"])] in licence, package.name
        files = entry["files"]
        assert isinstance(files, dict)
        assert set(files) == {package.kept_as(path) for path in package.files}, package.name
        for name, digest in files.items():
            assert sri((folder / name).read_bytes()) == digest, name
            expected.add(f"{folder.name}/{name}")
        expected.add(f"{folder.name}/{entry['licenceFile']}")
    # Nothing else is kept: a file no manifest entry vouches for is never loaded.
    assert kept == expected
    assert json.loads(vendored.manifest.read_text(encoding="utf-8")) == entries


def test_the_pages_libraries_are_mit_licensed() -> None:
    assert {str(entry["licence"]) for entry in manifest().values()} == {"MIT"}


def test_a_kept_path_stays_below_its_folder() -> None:
    package = Package("x", "1.0.0", ("dist/js/x.js",), keep_below="dist/")
    assert package.kept_as("dist/js/x.js") == "js/x.js"
    assert package.kept_as("LICENSE") == "LICENSE"
    assert Package("x", "1.0.0", ()).kept_as("umd/x.min.js") == "x.min.js"
    with pytest.raises(ValueError, match=r"lib/x\.js is not below dist/"):
        package.kept_as("lib/x.js")


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
