"""A digest of each dataset's rows, so the same rows saved as another file are not stored twice.

Revision ID: 0003
Revises: 0002

Datasets stored before this revision have no digest (NULL) and are matched by their file's
SHA-256 only.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``datasets.content_digest`` and an index on it."""
    with op.batch_alter_table("datasets") as batch:
        batch.add_column(sa.Column("content_digest", sa.String(64), nullable=True))
    op.create_index("ix_datasets_content_digest", "datasets", ["content_digest"])


def downgrade() -> None:
    """Remove the digest."""
    op.drop_index("ix_datasets_content_digest", table_name="datasets")
    with op.batch_alter_table("datasets") as batch:
        batch.drop_column("content_digest")
