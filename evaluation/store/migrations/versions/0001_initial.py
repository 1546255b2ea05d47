"""Initial store: datasets, their groups and payloads, the audit log, roles and store state.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create every table of the first release."""
    op.create_table(
        "datasets",
        sa.Column("dataset_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("synthetic", sa.Boolean, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("n_rows", sa.Integer, nullable=False),
        sa.Column("file_name", sa.String(512), nullable=False),
        sa.Column("uploader", sa.String(256), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("defaults", sa.JSON, nullable=False),
        sa.Column("instrument", sa.JSON, nullable=True),
        sa.Column("replaces", sa.Integer, sa.ForeignKey("datasets.dataset_id"), nullable=True),
        sa.Column("replaced_by", sa.Integer, sa.ForeignKey("datasets.dataset_id"), nullable=True),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status_changed_by", sa.String(256), nullable=True),
        sa.Column("status_reason", sa.Text, nullable=True),
        sa.CheckConstraint("kind IN ('survey', 'pupil')", name="ck_datasets_kind"),
        sa.CheckConstraint(
            "status IN ('active', 'replaced', 'withdrawn')", name="ck_datasets_status"
        ),
    )
    op.create_index(
        "ux_datasets_active_sha256",
        "datasets",
        ["sha256"],
        unique=True,
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    )
    op.create_table(
        "dataset_groups",
        sa.Column("group_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("dataset_id", sa.Integer, sa.ForeignKey("datasets.dataset_id"), nullable=False),
        sa.Column("hub", sa.String(256), nullable=True),
        sa.Column("ncp", sa.String(256), nullable=True),
        sa.Column("academic_year", sa.String(16), nullable=True),
        sa.Column("phase", sa.String(16), nullable=True),
        sa.Column("work_group", sa.String(256), nullable=True),
        sa.Column("n_rows", sa.Integer, nullable=False),
    )
    op.create_index("ix_dataset_groups_dataset_id", "dataset_groups", ["dataset_id"])
    op.create_index("ix_dataset_groups_hub", "dataset_groups", ["hub"])
    op.create_table(
        "payloads",
        sa.Column("dataset_id", sa.Integer, sa.ForeignKey("datasets.dataset_id"), primary_key=True),
        sa.Column("format", sa.String(32), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("entry_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("who", sa.String(256), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("dataset_id", sa.Integer, nullable=True),
        sa.Column("new_dataset_id", sa.Integer, nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("detail", sa.JSON, nullable=True),
    )
    op.create_index("ix_audit_log_dataset_id", "audit_log", ["dataset_id"])
    op.create_table(
        "roles",
        sa.Column("who", sa.String(256), primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("hub", sa.String(256), nullable=True),
        sa.Column("work_groups", sa.JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(256), nullable=False),
        sa.CheckConstraint("role IN ('national', 'hub', 'lead')", name="ck_roles_role"),
    )
    state = op.create_table(
        "store_state",
        sa.Column("state_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("token", sa.String(32), nullable=False),
        sa.Column("secret_check", sa.String(32), nullable=True),
    )
    op.bulk_insert(state, [{"state_id": 1, "version": 0, "token": secrets.token_hex(8)}])


def downgrade() -> None:
    """Drop every table (loses all data)."""
    for table in ("store_state", "roles", "audit_log", "payloads", "dataset_groups", "datasets"):
        op.drop_table(table)
