"""Workflow tests use the shared `office` fixture (tests/conftest.py)."""
