"""The screenshots of the pages kept in docs/ for the README: `make screenshots`.

The demo served by `timeline serve --demo`, shown in Debian's chromium as the browser tests
show it (tests/browser.py); each view is saved as docs/screenshots/<name>.png.
"""

from __future__ import annotations

from pathlib import Path

from tests.browser import browsing, demo_server, driver

OUT = Path(__file__).parent.parent / "docs" / "screenshots"
RELATION = "/explore?a=USA&b=CHN&asOf=2024-02-19"
# name, path, viewport (width, height), the element shown (None: the viewport)
VIEWS = [
    ("explorer", RELATION, (1280, 1100), None),
    ("explorer-timeline", RELATION, (1280, 900), "#timeline"),
    ("explorer-series", RELATION, (1280, 900), "#series"),
    ("explorer-known-at", f"{RELATION}&knownAt=2024-01-19T00:00:00Z", (1280, 900), "#knowledge"),
    ("explorer-narrow", RELATION, (390, 844), None),
    (
        "instrument",
        "/explore/instrument?id=instrument/bletchley-declaration&asOf=2023-11-02",
        (1280, 900),
        None,
    ),
    ("graphiql", "/graphql", (1280, 800), None),
]


def main() -> None:
    """Serve the demo, open each view, save its picture."""
    OUT.mkdir(parents=True, exist_ok=True)
    with demo_server() as base, driver() as playwright, browsing(playwright, base) as browser:
        for name, path, (width, height), element in VIEWS:
            page = browser.context.new_page()  # type: ignore[attr-defined]
            page.set_viewport_size({"width": width, "height": height})
            page.goto(base + path)
            if path == "/graphql":
                page.locator(".graphiql-execute-button").click()
                page.get_by_text("Sullivan-Wang talks in Bangkok").first.wait_for(timeout=60_000)
            else:
                page.wait_for_selector("body[data-ready=all]", timeout=60_000)
            target = OUT / f"{name}.png"
            if element is None:
                page.screenshot(path=str(target))
            else:
                page.locator(element).screenshot(path=str(target))
            page.close()
            print(f"wrote {target}")
        assert browser.blocked == [], browser.blocked


if __name__ == "__main__":
    main()
