"""Bürgervotum: votes of a city's residents, verifiable by anyone.

Imports nothing: the app is built by ``voting.app.create_app``, and each floor below it
(docs/architecture.md) can be imported on its own.
"""
