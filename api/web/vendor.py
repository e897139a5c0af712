"""The browser libraries the pages load (GraphiQL, React), vendored as files of the project.

They come from the npm registry at the versions pinned in `PACKAGES`, and are kept in
`api/web/static/vendor/` with their licences and a `MANIFEST.json` that records, for each
package, its version, its licence, the registry's integrity hash of the tarball, and the
Subresource Integrity hash (sha384) of every file the pages load. The pages put those hashes
in their `integrity` attributes, and a test checks the files against them.

`python -m api.web.vendor` (or `make vendor`) refreshes the files with `npm pack`: the only
step that needs Node.js and the network; installing, serving and testing need neither. The
same mechanism (`Vendored`, `refresh`) keeps libraries only the tests load elsewhere
(tests/timelinejs.py: TimelineJS, to open the TimelineJS export in).
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO

VENDOR = Path(__file__).parent / "static" / "vendor"


@dataclass(frozen=True, slots=True)
class Package:
    """An npm package at a pinned version, and the files of its tarball that are kept."""

    name: str
    version: str
    files: tuple[str, ...]
    licence_file: str = "LICENSE"
    # None: every file is kept by its name alone. A folder of the tarball (`dist/`): files keep
    # their path below it, for a library whose files refer to each other by relative paths.
    keep_below: str | None = None

    def kept_as(self, path: str) -> str:
        """Where the tarball's file `path` is kept, relative to the package's folder."""
        if self.keep_below is None or path == self.licence_file:
            return Path(path).name
        if not path.startswith(self.keep_below):
            raise ValueError(f"{self.name}: {path} is not below {self.keep_below}")
        return path.removeprefix(self.keep_below)


@dataclass(frozen=True, slots=True)
class Vendored:
    """Packages kept in one folder, a subfolder each, with the manifest that vouches for them."""

    root: Path
    packages: tuple[Package, ...]

    @property
    def manifest(self) -> Path:
        """The MANIFEST.json of the folder."""
        return self.root / "MANIFEST.json"

    def folder(self, package: Package) -> Path:
        """Where the package's files are kept (a scoped name by its last part)."""
        return self.root / package.name.rsplit("/", 1)[-1]


# GraphiQL 4 is the last major version with a UMD build (one script, React from globals); its
# minified build is a third of 3.x's, which ships unminified. React 18 is the last with UMD.
PACKAGES = (
    Package("react", "18.3.1", ("umd/react.production.min.js",)),
    Package("react-dom", "18.3.1", ("umd/react-dom.production.min.js",)),
    Package("graphiql", "4.1.2", ("graphiql.min.js", "graphiql.min.css")),
)
PAGES = Vendored(VENDOR, PACKAGES)


def sri(data: bytes) -> str:
    """The Subresource Integrity value of `data` (sha384)."""
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


@cache
def manifest(vendored: Vendored = PAGES) -> dict[str, dict[str, object]]:
    """The committed manifest: per package, its version, licence, tarball and file hashes."""
    text = vendored.manifest.read_text(encoding="utf-8")
    loaded: dict[str, dict[str, object]] = json.loads(text)
    return loaded


def asset(package: str, file: str) -> tuple[str, str]:
    """The URL path under /static and the SRI hash of one vendored file."""
    files = manifest()[package]["files"]
    assert isinstance(files, dict)
    name = Path(file).name
    return f"/static/vendor/{package}/{name}", str(files[name])


def _pack(package: Package, into: Path) -> tuple[Path, str]:
    """`npm pack` the package into `into`: the tarball and the registry's integrity hash."""
    out = subprocess.run(
        ["npm", "pack", f"{package.name}@{package.version}", "--json", "--silent"],
        cwd=into,
        check=True,
        capture_output=True,
        text=True,
    )
    [packed] = json.loads(out.stdout)
    return into / packed["filename"], str(packed["integrity"])


def refresh(vendored: Vendored = PAGES) -> None:
    """Fetch every package of `vendored` with npm and rewrite its files and manifest."""
    entries: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for package in vendored.packages:
            tarball, integrity = _pack(package, Path(scratch))
            folder = vendored.folder(package)
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            with tarfile.open(tarball) as archive:
                meta = json.load(_member(archive, "package.json"))
                files: dict[str, str] = {}
                for path in (*package.files, package.licence_file):
                    data = _member(archive, path).read()
                    kept = folder / package.kept_as(path)
                    kept.parent.mkdir(parents=True, exist_ok=True)
                    kept.write_bytes(data)
                    if path != package.licence_file:
                        files[package.kept_as(path)] = sri(data)
            entries[package.name] = {
                "version": meta["version"],
                "licence": meta["license"],
                "licenceFile": Path(package.licence_file).name,
                "tarball": f"https://registry.npmjs.org/{package.name}/-/{tarball.name}",
                "tarballIntegrity": integrity,
                "files": files,
            }
    vendored.manifest.write_text(json.dumps(entries, indent=2) + "\n", encoding="utf-8")
    manifest.cache_clear()


def _member(archive: tarfile.TarFile, path: str) -> IO[bytes]:
    found = archive.extractfile(f"package/{path}")
    if found is None:
        raise RuntimeError(f"the tarball has no file package/{path}")
    return found


def main(vendored: Vendored = PAGES) -> None:
    """Refresh `vendored` from the command line; exits with a message when npm is missing."""
    if shutil.which("npm") is None:
        sys.exit("npm is needed to refresh the vendored files (Node.js 18 or later)")
    refresh(vendored)
    print(f"wrote {vendored.manifest}")


if __name__ == "__main__":
    main()
