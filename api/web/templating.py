"""The Jinja2 templates of the pages (Starlette's Jinja2Templates), with the vendored files'
addresses and integrity hashes at hand (`vendored`), and the Content-Security-Policy every page
is served with."""

from __future__ import annotations

import json
from pathlib import Path

from starlette.templating import Jinja2Templates

from api.web.vendor import asset

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
TEMPLATES.env.globals["vendored"] = asset

# The pages run only their own scripts and styles from this server, and talk to this server only:
# no inline script, no inline style, no other host.
PAGE_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ]
)


def json_for_script(value: object) -> str:
    """`value` as JSON to put in a `<script type="application/json">` element: no `<`, `>` or
    `&` in it, so that nothing in it can end the element."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
