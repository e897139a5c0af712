"""`python -m bench append|imports|asof|http|introspection|writers|all [options]`: the benchmark
suite's entry point.

Each subcommand runs one benchmark module with the options given after it (see their `--help`
and bench/README.md). `all` runs every one in turn, full size, or with `--quick` at small sizes
(a few minutes: to check that the suite runs, not to compare ratios); with `--record` each
appends its own section to bench/RESULTS.md. A benchmark that cannot run (PostgreSQL
unreachable, wrk missing) is reported and the others still run.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from collections.abc import Sequence

# Module, full options, quick options (each on top of `--record` when asked).
SUITE: dict[str, tuple[str, list[str], list[str]]] = {
    "append": ("bench.append", [], ["--events", "2000", "--runs", "3"]),
    "imports": ("bench.imports", [], ["--events", "10000"]),
    "asof": (
        "bench.asof",
        [],
        ["--sizes", "10000", "--postgres-sizes", "10000", "--queries", "20", "--no-profile"],
    ),
    "http": ("bench.http", [], ["--duration", "3", "--warmup", "1", "--rounds", "1"]),
    "introspection": ("bench.introspection", [], ["--duration", "3"]),
    "writers": ("bench.writers", [], ["--appends", "50", "--runs", "1"]),
}
ALIASES = {"import": "imports"}


def run_one(name: str, argv: Sequence[str]) -> None:
    """Run the benchmark `name` with `argv`, as `python -m <its module> <argv>` would."""
    module = importlib.import_module(SUITE[name][0])
    module.main(list(argv))


def run_all(quick: bool, record: bool, only: Sequence[str]) -> int:
    """Every benchmark in `only` in turn; the number that failed."""
    failed: list[str] = []
    for name in only:
        _, full, small = SUITE[name]
        argv = [*(small if quick else full), *(["--record"] if record else [])]
        print(f"\n# python -m {SUITE[name][0]} {' '.join(argv)}", file=sys.stderr, flush=True)
        started = time.perf_counter()
        try:
            run_one(name, argv)
        except SystemExit as exit:  # a benchmark stops with a message when it cannot run
            if exit.code not in (0, None):
                failed.append(f"{name}: {exit.code}")
        except Exception as error:
            failed.append(f"{name}: {error.__class__.__name__}: {error}")
        took = time.perf_counter() - started
        print(f"# {name} took {took:.0f} s", file=sys.stderr, flush=True)
    for line in failed:
        print(f"failed: {line}", file=sys.stderr)
    return len(failed)


def main(argv: Sequence[str] | None = None) -> None:
    """Dispatch to one benchmark, or run the suite."""
    args = list(sys.argv[1:] if argv is None else argv)
    names = [*SUITE, *ALIASES]
    if args and args[0] in names:
        run_one(ALIASES.get(args[0], args[0]), args[1:])
        return
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", choices=["all", *names])
    parser.add_argument("--quick", action="store_true", help="small sizes (all only)")
    parser.add_argument("--record", action="store_true", help="append each section (all only)")
    parser.add_argument(
        "--only",
        type=lambda text: [ALIASES.get(n.strip(), n.strip()) for n in text.split(",")],
        default=list(SUITE),
        help=f"comma-separated subset of the suite, run in this order ({','.join(SUITE)})",
    )
    parsed = parser.parse_args(args)
    unknown = set(parsed.only) - set(SUITE)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    sys.exit(1 if run_all(parsed.quick, parsed.record, parsed.only) else 0)


main()
