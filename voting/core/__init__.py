"""The foundation: configuration, database, shared models, codes, pseudonyms, audit chain.

Imports no Flask: scripts, the count and the tests use it without the web app.
"""
