"""What every benchmark's section of bench/RESULTS.md starts with, and the file itself.

A section is only worth keeping with its context: when it ran (UTC), on what (CPUs, CPU model,
Python, SQLite and PostgreSQL versions, the load average), on which code (git commit, whether
`events/` or `migrations/` differ from it, a digest of their sources) and the exact command.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shlex
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")
ROOT = Path(__file__).resolve().parent.parent


def cpu_model() -> str:
    """The CPU model /proc/cpuinfo names, else what platform says."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine(versions: Sequence[str]) -> str:
    """CPUs, CPU model, Python, the database versions given and the load average now."""
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {cpu_model()}; "
        f"Python {platform.python_version()}; {'; '.join(versions)} "
        f"(sqlite3 module {sqlite3.sqlite_version}); load average {load}"
    )


def code_identity() -> str:
    """Which code is measured: the git commit, whether events/ or migrations/ differ from it,
    and a digest of their Python files (read-only git commands)."""
    digest = hashlib.sha256()
    for path in sorted([*ROOT.glob("events/**/*.py"), *ROOT.glob("migrations/**/*.py")]):
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    try:
        git = ["git", "--no-optional-locks", "-C", str(ROOT)]
        head = subprocess.run(
            [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        changed = subprocess.run(
            [*git, "status", "--porcelain", "--", "events", "migrations"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        head, changed = "unknown commit", []
    state = f"{len(changed)} changed files in events/, migrations/" if changed else "clean"
    return f"git {head} ({state}); sources sha256 {digest.hexdigest()[:12]}"


def header(
    title: str,
    started: datetime,
    module: str,
    argv: Sequence[str],
    took: float,
    versions: Sequence[str],
) -> list[str]:
    """The first lines of a section: its title and date, the machine, the code, the command
    (`python -m <module> <argv>`) and how long it took."""
    command = shlex.join(["python", "-m", module, *argv])
    return [
        f"## {title}, {started:%Y-%m-%d %H:%M} UTC",
        "",
        f"- machine: {machine(versions)}",
        f"- code: {code_identity()}",
        f"- command: `{command}` ({took:.0f} s)",
    ]


def publish(report: str, keep: bool) -> None:
    """Print `report`; when `keep`, also append it to bench/RESULTS.md."""
    print(report)
    if keep:
        record(report)
        print(f"recorded in {RESULTS}", file=sys.stderr)


def record(text: str) -> None:
    """Append `text` as a section of bench/RESULTS.md."""
    with RESULTS.open("a", encoding="utf-8") as results:
        results.write(text)
