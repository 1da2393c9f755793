"""small districts merged into the remainder on stored ballots and on open electorates

Since this revision an electorate is stored with every district of fewer eligible voters
than MIN_DISTRICT_BALLOTS merged into "Übrige Bezirke" (results.cells), and ballots copy
that. This brings older data in line: every ballot of a district below the default
threshold of 10 is stored under the remainder, and so are the voters of consultations that
can still be voted in (draft, scheduled, open), so that no later ballot names such a
district. Voters of closed consultations keep theirs: their paper counts were entered under
those names, and their published figures are suppressed where small. A ballot's district
is written, never read, so its change alters no result. Where the electorate is deleted,
a district with fewer than 10 ballots stands for one with fewer than 10 voters.

The old names cannot come back: downgrading leaves the data as it is.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The default of MIN_DISTRICT_BALLOTS; a migration does not read the app's settings.
MINIMUM = 10
REMAINDER = "Übrige Bezirke"
STILL_VOTING = ("draft", "scheduled", "open")

consultation = sa.table("consultation", sa.column("id"), sa.column("status"))
voter = sa.table("voter", sa.column("consultation_id"), sa.column("district"))
ballot = sa.table("ballot", sa.column("consultation_id"), sa.column("district"))


def _sizes(connection: sa.Connection, table: sa.TableClause, consultation_id: int) -> dict:
    return dict(
        connection.execute(
            sa.select(table.c.district, sa.func.count())
            .where(table.c.consultation_id == consultation_id)
            .group_by(table.c.district)
        ).all()
    )


def upgrade() -> None:
    connection = op.get_bind()
    for consultation_id, status in connection.execute(
        sa.select(consultation.c.id, consultation.c.status)
    ).all():
        sizes = _sizes(connection, voter, consultation_id) or _sizes(
            connection, ballot, consultation_id
        )
        small = sorted(name for name, n in sizes.items() if n < MINIMUM and name != REMAINDER)
        if not small:
            continue
        tables = (ballot, voter) if status in STILL_VOTING else (ballot,)
        for table in tables:
            connection.execute(
                table.update()
                .where(table.c.consultation_id == consultation_id, table.c.district.in_(small))
                .values(district=REMAINDER)
            )


def downgrade() -> None:
    pass
