"""Codebooks of themes for open answers, per instrument, national or a hub's own copy.

Revision ID: 0005
Revises: 0003

(There is no 0004: the number was given to kept results, which landed after this as 0006.)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the ``codebooks`` table."""
    op.create_table(
        "codebooks",
        sa.Column("theme_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("instrument_key", sa.String(128), nullable=False),
        sa.Column("hub", sa.String(256), nullable=True),
        sa.Column("theme", sa.String(256), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("keywords", sa.JSON, nullable=False),
        sa.Column("examples", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(256), nullable=False),
        sa.CheckConstraint("status IN ('active', 'retired')", name="ck_codebooks_status"),
    )
    op.create_index("ix_codebooks_instrument_hub", "codebooks", ["instrument_key", "hub"])


def downgrade() -> None:
    """Drop the ``codebooks`` table."""
    op.drop_index("ix_codebooks_instrument_hub", table_name="codebooks")
    op.drop_table("codebooks")
