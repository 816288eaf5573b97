"""Targets and file formats on local disk, S3, GCS and memory, with gokart's file naming and formats. No luigi, no redis."""

__version__ = "0.1.0"

__all__ = ["__version__"]
