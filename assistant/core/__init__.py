"""Typed records, errors, settings and the model files every layer shares."""
