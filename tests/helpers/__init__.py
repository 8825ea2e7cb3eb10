"""Shared test helpers: builders that several test modules use (factories are in tests/factories.py)."""
