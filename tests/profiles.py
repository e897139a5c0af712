"""How deep the suite looks: the `dev` profile of `make test` and the `ci` profile of
`make test-all`.

Both run every test with every assertion; they differ in how many generated examples, fuzzed
operations and synthetic events the deep tests use. `TIMELINE_TEST_PROFILE` picks one (`dev`
unless set). Each knob's own environment variable overrides both profiles: that is how the long
runs of docs/fuzzing.md (`make fuzz`) ask for more.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from hypothesis import HealthCheck, settings

PROFILES = ("dev", "ci")
PROFILE = os.environ.get("TIMELINE_TEST_PROFILE", "dev")
if PROFILE not in PROFILES:
    raise RuntimeError(f"TIMELINE_TEST_PROFILE={PROFILE!r}: expected one of {', '.join(PROFILES)}")


@dataclass(frozen=True, slots=True)
class Knob:
    """One depth of the suite: its value per profile (and per backend at `ci`)."""

    variable: str  # overrides both profiles when set
    what: str
    dev: int
    ci_sqlite: int
    ci_postgresql: int

    def value(self, backend: str = "sqlite") -> int:
        override = os.environ.get(self.variable)
        if override:
            return int(override)
        if PROFILE == "dev":
            return self.dev
        return self.ci_sqlite if backend == "sqlite" else self.ci_postgresql


# Hypothesis tests with no count of their own take the profile's default.
HYPOTHESIS = Knob(
    "TIMELINE_HYPOTHESIS_DEFAULT", "hypothesis examples per plain property", 25, 100, 100
)
API_FUZZ = Knob("TIMELINE_FUZZ_EXAMPLES", "schemathesis operations (API fuzz)", 300, 5000, 2500)
IMPORT_FUZZ = Knob("TIMELINE_FUZZ_IMPORT_EXAMPLES", "import files (import fuzz)", 60, 300, 100)
EDTF_FUZZ = Knob("TIMELINE_FUZZ_EDTF_EXAMPLES", "strings per EDTF fuzz test", 250, 1000, 1000)
ORACLE = Knob("TIMELINE_HYPOTHESIS_EXAMPLES", "logs per projection-oracle test", 10, 40, 20)
ORACLE_VERIFY = Knob("TIMELINE_HYPOTHESIS_EXAMPLES", "logs per rebuild-oracle test", 3, 8, 4)
CHANGES = Knob("TIMELINE_HYPOTHESIS_EXAMPLES", "logs per changes-oracle test", 4, 8, 4)
TIMELINE = Knob("TIMELINE_HYPOTHESIS_EXAMPLES", "logs per timeline-oracle test", 6, 15, 8)
CRASH_EVENTS = Knob(
    "TIMELINE_TEST_CRASH_EVENTS", "events of the killed import", 10_000, 200_000, 200_000
)
APPENDS_PER_WRITER = Knob(
    "TIMELINE_TEST_APPENDS_PER_WRITER", "appends per concurrent writer", 100, 500, 500
)

CONCURRENT_SECONDS = Knob(
    "TIMELINE_TEST_CONCURRENT_SECONDS", "seconds of 16 concurrent clients", 8, 30, 30
)

KNOBS = (
    HYPOTHESIS,
    API_FUZZ,
    IMPORT_FUZZ,
    EDTF_FUZZ,
    ORACLE,
    ORACLE_VERIFY,
    CHANGES,
    TIMELINE,
    CRASH_EVENTS,
    APPENDS_PER_WRITER,
    CONCURRENT_SECONDS,
)

# No deadline and no speed health check: how fast an example runs depends on what else the
# machine is doing, and timings are measured in bench/, never asserted in tests.
settings.register_profile(
    PROFILE,
    max_examples=HYPOTHESIS.value(),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(PROFILE)


def summary(backends: list[str]) -> list[str]:
    """The lines printed at the end of a run: the profile and what each knob was."""
    lines = [f"test profile {PROFILE!r}, backends: {', '.join(backends)}"]
    for knob in KNOBS:
        values = " / ".join(f"{backend} {knob.value(backend):,}" for backend in backends)
        lines.append(f"  {knob.what}: {values}")
    return lines
