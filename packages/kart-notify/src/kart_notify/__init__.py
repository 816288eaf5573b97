"""Slack notifications and run summaries for pipelines."""

__version__ = "0.1.0"

__all__ = ["__version__"]
