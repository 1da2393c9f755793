"""Ballots cast before the log existed become its first leaves when the schema is upgraded."""

import json

from alembic import command
from sqlalchemy import create_engine, text

from ballots import merkle
from ballots.canonical import canonical_json
from voting.core.migrate import alembic_config

CONTENTS = [{"frage": "yes"}, {"frage": "no"}, {"frage": None}]


def test_upgrade_gives_old_ballots_their_leaves(tmp_path):
    url = f"sqlite:///{tmp_path / 'alt.db'}"
    command.upgrade(alembic_config(url), "0001")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO consultation (id, slug, title, description, kind, status, opens_at,"
                " closes_at, min_age, districts, created_at) VALUES (1, 'alt', 'Alt', '',"
                " 'advisory', 'open', '2026-01-01', '2026-02-01', 16, '[]', '2026-01-01')"
            )
        )
        for number, content in enumerate(CONTENTS):
            connection.execute(
                text(
                    "INSERT INTO ballot (consultation_id, tracking_code, content, district) "
                    "VALUES (1, :code, :content, '')"
                ),
                {"code": f"CODE-{number}", "content": json.dumps(content)},
            )
    command.upgrade(alembic_config(url), "head")
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT leaf_index, leaf_hash, tracking_code FROM ballot ORDER BY id")
        ).all()
        state = connection.execute(text("SELECT tree_size, root_hash FROM log_state")).one()
    engine.dispose()
    expected = [
        merkle.leaf_hash(
            canonical_json({"consultation": "alt", "tracking_code": f"CODE-{i}", "content": c})
        )
        for i, c in enumerate(CONTENTS)
    ]
    assert [(row[0], row[1]) for row in rows] == [(i, h.hex()) for i, h in enumerate(expected)]
    assert tuple(state) == (3, merkle.root(expected).hex())
