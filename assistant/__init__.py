"""Offline document Q&A over local Chinese documents, with checkable citations."""

__version__ = "0.1.0"
