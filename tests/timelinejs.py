"""TimelineJS (npm `@knight-lab/timelinejs`), vendored for the tests only: the built script, its
stylesheet and its icon font, kept in tests/fixtures/timelinejs/ with the package's licence
(MPL-2.0) and a MANIFEST.json of integrity hashes, by api/web/vendor.py's mechanism. The
browser test of the TimelineJS export (tests/test_timelinejs_browser.py) opens the export in it.

`python -m tests.timelinejs` (or `make vendor`) refreshes the files with npm; nothing else needs
Node.js or the network. The app never serves these files.
"""

from __future__ import annotations

from pathlib import Path

from api.web.vendor import Package, Vendored, main

# The stylesheet finds the icon font at ../js/../css/icons/, so the files keep their paths below
# dist/. Chromium takes the first format of the font it reads (truetype); it fetches no other.
TIMELINEJS = Vendored(
    Path(__file__).parent / "fixtures" / "timelinejs",
    (
        Package(
            "@knight-lab/timelinejs",
            "3.9.11",
            ("dist/js/timeline.js", "dist/css/timeline.css", "dist/css/icons/tl-icons.ttf"),
            keep_below="dist/",
        ),
    ),
)

if __name__ == "__main__":
    main(TIMELINEJS)
