"""the public ballot log

Revision ID: 0002
Revises: 0001
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "log_state",
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("tree_size", sa.Integer(), nullable=False),
        sa.Column("frontier", sa.Text(), nullable=False),
        sa.Column("root_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultation.id"]),
        sa.PrimaryKeyConstraint("consultation_id"),
    )
    op.create_table(
        "tree_head",
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("tree_size", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultation.id"]),
        sa.PrimaryKeyConstraint("consultation_id", "tree_size"),
    )
    with op.batch_alter_table("ballot", schema=None) as batch_op:
        batch_op.add_column(sa.Column("leaf_index", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("leaf_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
    _log_existing_ballots()
    with op.batch_alter_table("ballot", schema=None) as batch_op:
        batch_op.alter_column("leaf_index", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column(
            "leaf_hash", existing_type=sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False
        )
        batch_op.create_unique_constraint("uq_ballot_leaf_index", ["consultation_id", "leaf_index"])


def _log_existing_ballots() -> None:
    """Give ballots cast before the log existed their leaves, in the order they were stored."""
    from ballots import merkle
    from ballots.canonical import canonical_json

    connection = op.get_bind()
    consultations = dict(connection.execute(sa.text("SELECT id, slug FROM consultation")).all())
    for consultation_id, slug in consultations.items():
        rows = connection.execute(
            sa.text(
                "SELECT id, tracking_code, content FROM ballot "
                "WHERE consultation_id = :c ORDER BY id"
            ),
            {"c": consultation_id},
        ).all()
        if not rows:
            continue
        frontier: list[bytes] = []
        for index, (ballot_id, tracking_code, content) in enumerate(rows):
            entry = {"consultation": slug, "tracking_code": tracking_code}
            leaf = merkle.leaf_hash(canonical_json({**entry, "content": json.loads(content)}))
            frontier = merkle.append(frontier, index, leaf)
            connection.execute(
                sa.text("UPDATE ballot SET leaf_index = :i, leaf_hash = :h WHERE id = :id"),
                {"i": index, "h": leaf.hex(), "id": ballot_id},
            )
        connection.execute(
            sa.text(
                "INSERT INTO log_state (consultation_id, tree_size, frontier, root_hash) "
                "VALUES (:c, :n, :f, :r)"
            ),
            {
                "c": consultation_id,
                "n": len(rows),
                "f": ",".join(h.hex() for h in frontier),
                "r": merkle.frontier_root(frontier).hex(),
            },
        )


def downgrade() -> None:
    with op.batch_alter_table("ballot", schema=None) as batch_op:
        batch_op.drop_constraint("uq_ballot_leaf_index", type_="unique")
        batch_op.drop_column("leaf_hash")
        batch_op.drop_column("leaf_index")
    op.drop_table("tree_head")
    op.drop_table("log_state")
