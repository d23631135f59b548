"""Benchmarks: `python -m bot.bench.<name>` prints one JSON line. Speed is measured here, never in tests."""
