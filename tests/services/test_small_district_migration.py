"""Ballots stored before districts were merged are merged when the schema is upgraded."""

from alembic import command
from sqlalchemy import create_engine, text

from results.cells import REMAINDER
from voting.core.migrate import alembic_config

# Per consultation: status, voters per district, ballots per district.
DATA = {
    1: ("open", {"Am Berg": 1, "Mitte": 12}, {"Am Berg": 1, "Mitte": 2}),
    2: ("closed", {"Am Berg": 2, "Mitte": 10}, {"Am Berg": 1, "Mitte": 1}),
    # Electorate deleted: the ballots alone tell which districts were small.
    3: ("published", {}, {"Am Berg": 3, "Mitte": 12}),
}


def districts(connection, table: str, consultation_id: int) -> dict[str, int]:  # type: ignore[no-untyped-def]
    rows = connection.execute(
        text(
            f"SELECT district, count(*) FROM {table} WHERE consultation_id = :c GROUP BY district"
        ),
        {"c": consultation_id},
    )
    return dict(rows.all())


def test_upgrade_merges_small_districts_of_ballots_and_of_electorates_still_voting(tmp_path):
    url = f"sqlite:///{tmp_path / 'alt.db'}"
    command.upgrade(alembic_config(url), "0006")
    engine = create_engine(url)
    with engine.begin() as connection:
        for cid, (status, voters, ballots) in DATA.items():
            connection.execute(
                text(
                    "INSERT INTO consultation (id, slug, title, description, kind, status,"
                    " opens_at, closes_at, min_age, districts, created_at, summary_easy)"
                    " VALUES (:id, :slug, 'Alt', '', 'advisory', :status, '2026-01-01',"
                    " '2026-02-01', 16, '[]', '2026-01-01', '')"
                ),
                {"id": cid, "slug": f"alt-{cid}", "status": status},
            )
            people = [name for name, n in voters.items() for _ in range(n)]
            for i, name in enumerate(people):
                connection.execute(
                    text(
                        "INSERT INTO voter (consultation_id, ref, district, birth_year) "
                        "VALUES (:c, :ref, :district, 1980)"
                    ),
                    {"c": cid, "ref": f"R{cid}-{i}", "district": name},
                )
            cast = [name for name, n in ballots.items() for _ in range(n)]
            for i, name in enumerate(cast):
                connection.execute(
                    text(
                        "INSERT INTO ballot (consultation_id, tracking_code, content, district,"
                        " leaf_index, leaf_hash) VALUES (:c, :code, '{}', :district, :i, '00')"
                    ),
                    {"c": cid, "code": f"C{cid}-{i}", "district": name, "i": i},
                )
    command.upgrade(alembic_config(url), "head")
    with engine.connect() as connection:
        ballots = {cid: districts(connection, "ballot", cid) for cid in DATA}
        voters = {cid: districts(connection, "voter", cid) for cid in DATA}
    engine.dispose()
    assert ballots == {
        1: {REMAINDER: 1, "Mitte": 2},
        2: {REMAINDER: 1, "Mitte": 1},
        3: {REMAINDER: 3, "Mitte": 12},
    }
    # Open: later ballots copy the merged name. Closed: paper counts use the old ones.
    assert voters == {1: {REMAINDER: 1, "Mitte": 12}, 2: {"Am Berg": 2, "Mitte": 10}, 3: {}}
