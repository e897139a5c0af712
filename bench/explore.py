"""bench.explore: the explorer's first view of the demo relation in headless chromium.

`timeline serve --demo` serves the demo; Debian's chromium, driven as the browser tests drive it
(tests/browser.py: a fresh profile, every other host unresolvable), opens
/explore?a=USA&b=CHN&asOf=2024-02-19 in a new tab, run after run. The first view is the time
from the navigation's start to the relation drawn (the page's `explore:relation` performance
mark: after its answers, the items' titles and sources); `explore:all` adds the timeline, the
changes and the chart. Cold runs clear the browser's cache first (every script, the page and its
answers fetched again); warm runs keep it. Goal: the first view under 1 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bench.record import header, publish

URL = "/explore?a=USA&b=CHN&asOf=2024-02-19"
GOAL_MS = 1000.0


def _run(page: Any, base: str, cdp: Any, cold: bool) -> tuple[float, float]:
    """One visit: (first view, everything) in milliseconds after the navigation's start."""
    if cold:
        cdp.send("Network.clearBrowserCache")
    page.goto("about:blank")
    page.goto(base + URL)
    page.wait_for_selector("body[data-ready=all]", timeout=60_000)
    marks: dict[str, float] = page.evaluate(
        "Object.fromEntries(performance.getEntriesByType('mark').map(m => [m.name, m.startTime]))"
    )
    return marks["explore:relation"], marks["explore:all"]


def _row(case: str, values: list[float]) -> str:
    ordered = sorted(values)
    p90 = ordered[max(0, round(0.9 * len(ordered)) - 1)]
    return f"| {case} | {statistics.median(values):.0f} | {p90:.0f} | {max(values):.0f} |"


def main(argv: Sequence[str] | None = None) -> None:
    """Measure, print the table, and with --record append it to bench/RESULTS.md."""
    parser = argparse.ArgumentParser(prog="python -m bench.explore", description=__doc__)
    parser.add_argument("--runs", type=int, default=20, help="visits per case (default 20)")
    parser.add_argument("--record", action="store_true", help="append to bench/RESULTS.md")
    args = parser.parse_args(argv)
    from tests.browser import CHROMIUM, browsing, demo_server, driver

    if CHROMIUM is None:
        sys.exit("bench.explore needs Debian's chromium on PATH: apt-get install -y chromium")
    started = datetime.now(UTC)
    clock = time.perf_counter()
    first: dict[str, list[float]] = {"cold": [], "warm": []}
    whole: dict[str, list[float]] = {"cold": [], "warm": []}
    with demo_server() as base, driver() as playwright, browsing(playwright, base) as browser:
        page = browser.context.new_page()  # type: ignore[attr-defined]
        cdp = browser.context.new_cdp_session(page)  # type: ignore[attr-defined]
        _run(page, base, cdp, cold=True)  # the server's first answers warm its caches
        for _ in range(args.runs):
            for case in ("cold", "warm"):
                relation, everything = _run(page, base, cdp, cold=case == "cold")
                first[case].append(relation)
                whole[case].append(everything)
        assert browser.blocked == [], browser.blocked
    took = time.perf_counter() - clock
    worst = max(statistics.median(values) for values in first.values())
    lines = [
        *header(
            "bench.explore: the explorer's first view of the demo relation",
            started,
            "bench.explore",
            [*(argv if argv is not None else sys.argv[1:])],
            took,
            ["SQLite (the demo's timeline serve --demo)"],
        ),
        "",
        f"Headless chromium ({CHROMIUM}), {args.runs} visits per case, times in ms after the",
        f"navigation's start, `{URL}`.",
        "",
        "| case | p50 | p90 | max |",
        "|---|---:|---:|---:|",
        *(_row(f"first view (relation drawn), {case} cache", first[case]) for case in first),
        *(_row(f"everything (timeline, changes, chart), {c} cache", whole[c]) for c in whole),
        "",
        f"Goal: the first view under {GOAL_MS:.0f} ms at p50: "
        f"{'met' if worst < GOAL_MS else 'missed'} ({worst:.0f} ms, the slower case).",
        "",
        "",
    ]
    publish("\n".join(lines), args.record)


if __name__ == "__main__":
    main()
