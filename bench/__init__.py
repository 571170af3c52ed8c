"""Benchmarks for competency_xblock (run with `make bench`; see bench/README.md)."""
