"""Errors of the task layer, with gokart's names and bases."""

from __future__ import annotations


class EmptyDumpError(AssertionError):
    """`fail_on_empty_dump` is on and the task dumped an empty pandas DataFrame."""
