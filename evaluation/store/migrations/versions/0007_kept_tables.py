"""Kept results: an index for reading one kind of table, and new tables for stores with data.

Revision 0007 keeps each participation group's answer distribution too (the Work Group impact
page reads it with the group's other tables), so a store that already holds data rebuilds its
kept results on first read.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Index ``kept_results`` by what a read picks (covering the group keys, so listing a
    viewer's groups reads the index only); mark them incomplete if data are stored."""
    op.create_index(
        "ix_kept_results_pick",
        "kept_results",
        ["variant", "level", "name", "hub", "academic_year", "ncp", "work_group"],
    )
    stored = op.get_bind().execute(sa.text("SELECT COUNT(*) FROM datasets")).scalar()
    if stored:
        op.get_bind().execute(sa.text("UPDATE kept_state SET complete = :no"), {"no": False})


def downgrade() -> None:
    """Drop the index (the extra kept tables are harmless to older code)."""
    op.drop_index("ix_kept_results_pick", table_name="kept_results")
