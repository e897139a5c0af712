"""The pages' routes: `/` (where to go), `/explore` (a relation at any date, as known at any
time), `/explore/instrument` and `/explore/event`, and their static files under `/static`.

A page is a template that holds no data: its scripts ask POST /graphql for everything, as any
client of the API would, so that reading needs a token exactly when the API does. The query
parameters a page takes (the URL contract) are handed to its scripts unchanged; the API judges
them and the page shows what it says.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from api.web.templating import PAGE_POLICY, TEMPLATES

STATIC = Path(__file__).parent / "static"
HEADERS = {"Content-Security-Policy": PAGE_POLICY}
# The parameters of the explorer's URL contract, each echoed into the page's form.
EXPLORE_PARAMETERS = ("a", "b", "asOf", "knownAt", "from")


def _page(request: Request, template: str, **context: object) -> Response:
    return TEMPLATES.TemplateResponse(request, template, context, headers=HEADERS)


async def landing(request: Request) -> Response:
    """`/`: what the server offers, and links to the explorer and GraphiQL."""
    return _page(request, "landing.html")


async def explore(request: Request) -> Response:
    """`/explore?a=USA&b=CHN&asOf=2024-02-19[&knownAt=<RFC 3339>][&from=<date>]`."""
    values = {name: request.query_params.get(name, "") for name in EXPLORE_PARAMETERS}
    return _page(request, "explore.html", values=values)


def _detail(what: str, script: str) -> Callable[[Request], Awaitable[Response]]:
    """A page about one object named by `?id=`, drawn by its own script."""

    async def page(request: Request) -> Response:
        identifier = request.query_params.get("id", "")
        return _page(request, "detail.html", id=identifier, what=what, script=script)

    return page


# `/explore/instrument?id=instrument/…[&asOf=…][&knownAt=…]`: its parties and roster over time.
instrument = _detail("An instrument", "instrument.js")
# `/explore/event?id=<event id>[&knownAt=…]`: its history (original, corrections, retraction).
event = _detail("An event", "event.js")


def routes() -> list[BaseRoute]:
    """The pages' routes and the static files."""
    return [
        Route("/", landing, methods=["GET"]),
        Route("/explore", explore, methods=["GET"]),
        Route("/explore/instrument", instrument, methods=["GET"]),
        Route("/explore/event", event, methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
