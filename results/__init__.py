"""Tallying, charts and publication of results."""
