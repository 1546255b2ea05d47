"""Kept results: per participation group and hub level, recomputed when their rows change.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``kept_results`` and ``kept_state`` (incomplete when datasets are already stored)."""
    op.create_table(
        "kept_results",
        sa.Column("result_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("variant", sa.String(8), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("hub", sa.String(256), nullable=True),
        sa.Column("ncp", sa.String(256), nullable=True),
        sa.Column("academic_year", sa.String(16), nullable=True),
        sa.Column("work_group", sa.String(256), nullable=True),
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("n_rows", sa.Integer, nullable=False),
        sa.Column("format", sa.String(32), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.CheckConstraint("variant IN ('all', 'real')", name="ck_kept_results_variant"),
        sa.CheckConstraint("level IN ('group', 'hub')", name="ck_kept_results_level"),
    )
    op.create_index("ix_kept_results_hub", "kept_results", ["hub"])
    state = op.create_table(
        "kept_state",
        sa.Column("state_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("complete", sa.Boolean, nullable=False),
    )
    stored = op.get_bind().execute(sa.text("SELECT COUNT(*) FROM datasets")).scalar()
    op.bulk_insert(state, [{"state_id": 1, "complete": not stored}])


def downgrade() -> None:
    """Drop the kept results (they are rebuilt from the datasets)."""
    op.drop_table("kept_state")
    op.drop_table("kept_results")
