"""The lenaguard release, read by the package metadata, the CLI and every assessment."""

__version__ = "0.2.0"
