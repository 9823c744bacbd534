"""Benchmarks: each one command that prints its figures beside a baseline run in the same process."""
