"""Benchmarks of the app against SQLite FTS5 and naive Whoosh: a command, not tests
(`python tests/benchmarks/run.py`; no module here is named test_*)."""
