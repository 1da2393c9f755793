"""staff workflow: hash-chained audit trail, jobs, Leichte Sprache, electorate deletion

Revision ID: 0003
Revises: 0002
"""

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC

import sqlalchemy as sa
import sqlmodel
from alembic import op

import voting.core.models

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _chain_existing_events() -> None:
    """Hash the events written before the chain existed, in id order (format of 0003)."""
    events = sa.table(
        "audit_event",
        sa.column("id", sa.Integer),
        sa.column("at", voting.core.models.UTCDateTime()),
        sa.column("actor", sa.String),
        sa.column("action", sa.String),
        sa.column("consultation_id", sa.Integer),
        sa.column("details", sa.JSON),
        sa.column("prev_hash", sa.String),
        sa.column("hash", sa.String),
    )
    bind = op.get_bind()
    prev = ""
    for row in bind.execute(sa.select(events).order_by(events.c.id)).all():
        record = json.dumps(
            {
                "action": row.action,
                "actor": row.actor,
                "at": row.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "consultation_id": row.consultation_id,
                "details": row.details,
            },
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )
        digest = hashlib.sha256(f"{prev}\n{record}".encode()).hexdigest()
        bind.execute(
            events.update().where(events.c.id == row.id).values(prev_hash=prev, hash=digest)
        )
        prev = digest


def upgrade() -> None:
    op.create_table('job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=True),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('created_at', voting.core.models.UTCDateTime(), nullable=False),
    sa.Column('finished_at', voting.core.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_consultation_id'), ['consultation_id'], unique=False)

    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prev_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default=''))
    _chain_existing_events()
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.alter_column('prev_hash', server_default=None)
        batch_op.alter_column('hash', server_default=None)
        batch_op.create_unique_constraint('uq_audit_event_prev_hash', ['prev_hash'])

    with op.batch_alter_table('consultation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('summary_easy', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('electorate_deleted_at', voting.core.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('eligible_count', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('voted_count', sa.Integer(), nullable=True))
    with op.batch_alter_table('consultation', schema=None) as batch_op:
        batch_op.alter_column('summary_easy', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('consultation', schema=None) as batch_op:
        batch_op.drop_column('voted_count')
        batch_op.drop_column('eligible_count')
        batch_op.drop_column('electorate_deleted_at')
        batch_op.drop_column('summary_easy')

    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_constraint('uq_audit_event_prev_hash', type_='unique')
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')

    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_consultation_id'))

    op.drop_table('job')
