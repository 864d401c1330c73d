"""Benchmarks (see README.md): scripts run from the repository root, never imported by the
product or the tests. A package only so that import-linter can keep them off `tests/`."""
