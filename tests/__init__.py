"""Warroom's tests, laid out like the code they test (``tests/core/…``, ``tests/adapters/<platform>/…``)."""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
"""The checkout's root, for tests that run its scripts or read its files."""
