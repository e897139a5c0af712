"""Benchmarks of the event log; see bench/README.md. Results go to bench/RESULTS.md."""
