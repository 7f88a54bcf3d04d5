"""Benchmarks: this project against the alternatives, in one run, as ratios. Never part
of `make test`; run with `make bench` or `make bench-quick` (see bench/run.py)."""
