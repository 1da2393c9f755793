"""Pooled PostgreSQL connections: a connection the database dropped is replaced unseen."""

import pytest
from sqlalchemy import text

import voting.core.db
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


def test_a_connection_cut_while_it_lay_idle_is_replaced_before_use(pg_engine, monkeypatch):
    cut = backend_pid(pg_engine)
    terminate(pg_engine, cut)
    monkeypatch.setattr(voting.core.db, "RECENTLY_USED_SECONDS", 0.0)  # as if idle for long
    assert backend_pid(pg_engine) != cut


def test_only_a_connection_that_lay_idle_is_pinged(pg_engine, monkeypatch):
    pings = []
    real_ping = pg_engine.dialect.do_ping
    monkeypatch.setattr(pg_engine.dialect, "do_ping", lambda c: pings.append(1) or real_ping(c))
    first = backend_pid(pg_engine)
    pings.clear()
    assert backend_pid(pg_engine) == first  # given back a moment ago: no round trip for a ping
    assert pings == []
    monkeypatch.setattr(voting.core.db, "RECENTLY_USED_SECONDS", 0.0)
    assert backend_pid(pg_engine) == first
    assert pings == [1]
