"""Bürgervotum: votes of a city's residents, verifiable by anyone."""

from voting.app import create_app

__all__ = ["create_app"]
