"""jobs run by the job worker: their parameters and when the worker started them

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import voting.core.models

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("params", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
        batch_op.add_column(
            sa.Column("started_at", voting.core.models.UTCDateTime(), nullable=True)
        )
    # A job still "running" ran in a thread of a web process that is gone: it can never
    # finish, and the worker must not start it again (a count would run unasked).
    op.execute(
        "UPDATE job SET status = 'failed', "
        "error = 'interrupted: the server stopped before the job ended' "
        "WHERE status = 'running'"
    )


def downgrade() -> None:
    op.execute("UPDATE job SET status = 'failed' WHERE status = 'queued'")
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_column("started_at")
        batch_op.drop_column("params")
