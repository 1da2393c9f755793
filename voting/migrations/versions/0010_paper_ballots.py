"""paper ballots in the log: a ballot's channel, no tracking code on paper, double entry

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Every ballot stored so far was cast online.
    with op.batch_alter_table("ballot", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "channel",
                sqlmodel.sql.sqltypes.AutoString(length=10),
                nullable=False,
                server_default="online",
            )
        )
        batch_op.alter_column(
            "tracking_code", existing_type=sa.String(length=20), nullable=True
        )
    op.create_table(
        "paper_ballot_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("sheet", sa.Integer(), nullable=False),
        sa.Column("first_by", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("first_content", sa.Text(), nullable=True),
        sa.Column("first_invalid", sa.Boolean(), nullable=False),
        sa.Column("second_by", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("second_content", sa.Text(), nullable=True),
        sa.Column("second_invalid", sa.Boolean(), nullable=False),
        sa.Column("settled_by", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("invalid", sa.Boolean(), nullable=False),
        sa.Column("leaf_index", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultation.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("consultation_id", "sheet", name="uq_paper_ballot_sheet"),
    )
    with op.batch_alter_table("paper_ballot_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_paper_ballot_entry_consultation_id"), ["consultation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("paper_ballot_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_paper_ballot_entry_consultation_id"))
    op.drop_table("paper_ballot_entry")
    with op.batch_alter_table("ballot", schema=None) as batch_op:
        batch_op.alter_column(
            "tracking_code", existing_type=sa.String(length=20), nullable=False
        )
        batch_op.drop_column("channel")
