"""`python -m bench`: the append benchmark (see bench/append.py)."""

from bench.append import main

main()
