"""The pages' routes: their static files under `/static` (the vendored libraries of GraphiQL)."""

from __future__ import annotations

from pathlib import Path

from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"


def routes() -> list[BaseRoute]:
    """The static files."""
    return [Mount("/static", StaticFiles(directory=STATIC), name="static")]
