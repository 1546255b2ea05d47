"""The store's tables as SQLAlchemy Core objects: what the queries use.

The migrations under ``migrations/versions`` create these; a test checks the two agree.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

# One row per stored upload: its provenance. The data themselves live in ``payloads``.
datasets = sa.Table(
    "datasets",
    metadata,
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
    # From revision 0003: evaluation.store.contents.content_digest of the stored rows.
    sa.Column("content_digest", sa.String(64), nullable=True, index=True),
    sa.CheckConstraint("kind IN ('survey', 'pupil')", name="ck_datasets_kind"),
    sa.CheckConstraint("status IN ('active', 'replaced', 'withdrawn')", name="ck_datasets_status"),
    sa.Index(
        "ux_datasets_active_sha256",
        "sha256",
        unique=True,
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    ),
)

# The distinct hub x NCP x year x phase x Work Group combinations in each dataset, so that
# scoping and filtering happen in SQL before any payload is read.
dataset_groups = sa.Table(
    "dataset_groups",
    metadata,
    sa.Column("group_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "dataset_id", sa.Integer, sa.ForeignKey("datasets.dataset_id"), nullable=False, index=True
    ),
    sa.Column("hub", sa.String(256), nullable=True, index=True),
    sa.Column("ncp", sa.String(256), nullable=True),
    sa.Column("academic_year", sa.String(16), nullable=True),
    sa.Column("phase", sa.String(16), nullable=True),
    sa.Column("work_group", sa.String(256), nullable=True),
    sa.Column("n_rows", sa.Integer, nullable=False),
)

# One columnar payload (Parquet, zstd) per dataset: pseudonymised canonical rows.
payloads = sa.Table(
    "payloads",
    metadata,
    sa.Column("dataset_id", sa.Integer, sa.ForeignKey("datasets.dataset_id"), primary_key=True),
    sa.Column("format", sa.String(32), nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
)

# Append-only: the API only inserts; from revision 0002 the database refuses UPDATE and DELETE.
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("entry_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("who", sa.String(256), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("dataset_id", sa.Integer, nullable=True, index=True),
    sa.Column("new_dataset_id", sa.Integer, nullable=True),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("detail", sa.JSON, nullable=True),
)

# Who may see what when the app is deployed with a login.
roles = sa.Table(
    "roles",
    metadata,
    sa.Column("who", sa.String(256), primary_key=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("hub", sa.String(256), nullable=True),
    sa.Column("work_groups", sa.JSON, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_by", sa.String(256), nullable=False),
    sa.CheckConstraint("role IN ('national', 'hub', 'lead')", name="ck_roles_role"),
)

# A single row: the write counter behind ``Store.version()`` and the secret's fingerprint.
store_state = sa.Table(
    "store_state",
    metadata,
    sa.Column("state_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("token", sa.String(32), nullable=False),
    sa.Column("secret_check", sa.String(32), nullable=True),
)

# From revision 0005: codebooks of themes for open answers, one row per theme. ``hub`` NULL is the
# national codebook of an instrument; a hub's own copy (same instrument) overrides it for that hub.
# Rows are never deleted: a theme taken out is ``retired``; ``version`` counts its changes.
codebooks = sa.Table(
    "codebooks",
    metadata,
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
    sa.Index("ix_codebooks_instrument_hub", "instrument_key", "hub"),
)

# Results kept per participation group (hub x NCP x year x Work Group) and per hub level (hub x
# NCP x year, ``work_group`` NULL), recomputed in the write transaction that changes their rows.
# ``variant`` "all" uses every active dataset, "real" only non-synthetic ones (what a viewer
# who can see real data is shown). Each result table is Arrow IPC bytes. From revision 0006.
kept_results = sa.Table(
    "kept_results",
    metadata,
    sa.Column("result_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("variant", sa.String(8), nullable=False),
    sa.Column("level", sa.String(16), nullable=False),
    sa.Column("hub", sa.String(256), nullable=True, index=True),
    sa.Column("ncp", sa.String(256), nullable=True),
    sa.Column("academic_year", sa.String(16), nullable=True),
    sa.Column("work_group", sa.String(256), nullable=True),
    sa.Column("name", sa.String(32), nullable=False),
    sa.Column("n_rows", sa.Integer, nullable=False),
    sa.Column("format", sa.String(32), nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.CheckConstraint("variant IN ('all', 'real')", name="ck_kept_results_variant"),
    sa.CheckConstraint("level IN ('group', 'hub')", name="ck_kept_results_level"),
    # From revision 0007: reads pick one variant, level and table name (and often a hub); the
    # index covers the group keys, so listing groups never touches the tables' bytes.
    sa.Index(
        "ix_kept_results_pick",
        "variant",
        "level",
        "name",
        "hub",
        "academic_year",
        "ncp",
        "work_group",
    ),
)

# A single row: whether the kept results cover every active dataset (False after upgrading a
# store that already held data, until the first read rebuilds them).
kept_state = sa.Table(
    "kept_state",
    metadata,
    sa.Column("state_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("complete", sa.Boolean, nullable=False),
)
