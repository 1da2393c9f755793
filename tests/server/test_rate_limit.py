"""With Redis as the limiter's storage, every gunicorn worker counts the same wrong codes."""

import uuid

import pytest
import redis

from tests.conftest import make_open_consultation
from tests.server.conftest import open_voting
from voting.core.codes import generate_code

REDIS_URL = "redis://127.0.0.1:6379"


def test_the_lockout_holds_across_workers_with_redis(server, session):
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("the limiter does not depend on the database; SQLite suffices")
    store = redis.Redis.from_url(REDIS_URL)
    try:
        store.ping()
    except redis.ConnectionError:
        pytest.skip("Redis does not answer on 127.0.0.1:6379")
    prefix = f"test-{uuid.uuid4().hex}"
    server.settings.update(
        VOTING_RATELIMIT_STORAGE_URI=REDIS_URL,
        VOTING_RATELIMIT_KEY_PREFIX=prefix,
        VOTING_CODE_GUESS_LIMIT="3 per hour",
    )
    consultation = make_open_consultation(session, voters=2)
    server.start()
    try:
        voting = open_voting(server, consultation.slug)
        # Each request on a new connection, so both workers take some of them.
        statuses = [voting.vote(generate_code())[0] for _ in range(8)]
        assert statuses == [403] * 3 + [429] * 5
        assert voting.vote(consultation.codes[0])[0] == 429
    finally:
        for key in store.scan_iter(f"*{prefix}*"):
            store.delete(key)
