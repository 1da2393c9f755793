"""The migrations build exactly the schema the models describe."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import ballots.models  # noqa: F401
import results.models  # noqa: F401
import voting.core.models  # noqa: F401
import voting.proposals.models  # noqa: F401
import voting.residents.models  # noqa: F401


def test_migrations_match_the_models(session):
    context = MigrationContext.configure(session.connection())
    assert compare_metadata(context, SQLModel.metadata) == []


def test_sqlite_runs_in_wal_mode_with_foreign_keys(session):
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        pytest.skip("WAL and foreign-key pragmas are SQLite settings")
    assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
