"""Pooled PostgreSQL connections: a connection the database dropped is replaced unseen."""

import pytest
from sqlalchemy import text

from voting.core.db import make_engine


@pytest.fixture
def pg_engine(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("the pool's liveness check is for a database server")
    engine = make_engine(database_url, pool_size=1, max_overflow=0)
    yield engine
    engine.dispose()


def backend_pid(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT pg_backend_pid()")).scalar_one()


def terminate(engine, pid: int) -> None:
    # A connection of its own: the pool's only one is the one to be cut.
    other = make_engine(engine.url.render_as_string(hide_password=False))
    with other.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    other.dispose()


def test_a_connection_the_database_cut_is_replaced_before_use(pg_engine):
    cut = backend_pid(pg_engine)
    terminate(pg_engine, cut)
    assert backend_pid(pg_engine) != cut
