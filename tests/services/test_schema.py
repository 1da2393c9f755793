"""The migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import ballots.models  # noqa: F401
import results.models  # noqa: F401
import voting.models  # noqa: F401


def test_migrations_match_the_models(session):
    context = MigrationContext.configure(session.connection())
    assert compare_metadata(context, SQLModel.metadata) == []
