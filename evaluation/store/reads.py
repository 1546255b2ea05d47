"""Scoped reads: the datasets, survey rows and pupil rows a viewer may see.

Every read takes a :class:`~evaluation.access.Viewer`; there is no unscoped read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa

from evaluation import columns as c
from evaluation.access import Viewer
from evaluation.instruments import Instrument
from evaluation.stats.groups import arm_of
from evaluation.store import payload
from evaluation.store.contents import Kind, union_instrument
from evaluation.store.engine import StoreBase, fetch_payloads
from evaluation.store.scope import (
    Filter,
    filter_conditions,
    require_viewer,
    row_scope,
    scope_conditions,
    visible_ids,
)
from evaluation.store.tables import dataset_groups, datasets

__all__ = ["DATASET_COLUMNS", "LIST_COLUMNS", "Reads"]

LIST_COLUMNS = {
    "hubs": c.HUB,
    "ncps": c.NCP,
    "academic_years": c.ACADEMIC_YEAR,
    "phases": c.PHASE,
    "work_groups": c.WORK_GROUP,
}
DATASET_COLUMNS = (
    "dataset_id",
    "kind",
    "status",
    "synthetic",
    "n_rows",
    *LIST_COLUMNS,
    "file_name",
    "sha256",
    "uploader",
    "uploaded_at",
    "replaces",
    "replaced_by",
    "status_changed_at",
    "status_changed_by",
    "status_reason",
)


class Reads(StoreBase):
    """Scoped reads of datasets, surveys and pupils (part of :class:`~evaluation.store.Store`)."""

    def list_datasets(self, viewer: Viewer, *, kind: Kind | None = None) -> pd.DataFrame:
        """The datasets this viewer may see (any status), oldest first.

        A hub or lead viewer sees a dataset when it holds at least one row they may see, and its
        summary (row count, hubs, NCPs, ...) counts only those rows.

        Returns
        -------
        pandas.DataFrame
            dataset_id, kind, status, synthetic, n_rows, hubs, ncps, academic_years, phases,
            work_groups (lists), file_name, sha256, uploader, uploaded_at (UTC), replaces,
            replaced_by, status_changed_at, status_changed_by, status_reason.
        """
        require_viewer(viewer)
        with self._engine.connect() as connection:
            query = sa.select(
                *[col for col in datasets.c if col.name not in ("defaults", "instrument")]
            )
            if viewer.role != "national":
                query = query.where(datasets.c.dataset_id.in_(visible_ids(viewer)))
            if kind is not None:
                query = query.where(datasets.c.kind == kind)
            rows = pd.DataFrame(
                connection.execute(query.order_by(datasets.c.dataset_id)).mappings().all()
            )
            groups = self._group_summaries(connection, viewer, rows)
        return _dataset_table(rows, groups)

    def _group_summaries(
        self, connection: sa.Connection, viewer: Viewer, rows: pd.DataFrame
    ) -> pd.DataFrame:
        """:func:`_group_summary` of the listed datasets, each worked out once per viewer scope.

        A dataset's group rows are written once, with the dataset, and never change: its summary
        for a scope is remembered (keyed by id, content hash and upload time, so a store made
        anew under the same address is never mistaken for the old one).
        """
        memo: dict[tuple, dict] = self.__dict__.setdefault("_dataset_summaries", {})
        scope = (viewer.role, viewer.hub, tuple(viewer.work_groups))
        listed = [] if rows.empty else rows[["dataset_id", "sha256", "uploaded_at"]]
        keys = {
            int(i): (int(i), str(sha), str(at), scope)
            for i, sha, at in (listed.itertuples(index=False) if len(listed) else [])
        }
        missing = [i for i, key in keys.items() if key not in memo]
        if missing:
            conditions = scope_conditions(viewer)
            if len(missing) <= 500:  # else every visible one at once (few bound parameters)
                conditions = [*conditions, dataset_groups.c.dataset_id.in_(missing)]
            found = _group_summary(connection, conditions)
            for i in missing:
                memo[keys[i]] = found.loc[i].to_dict() if i in found.index else {}
        summaries = {i: memo[key] for i, key in keys.items() if memo[key]}
        columns = ["n_rows", *LIST_COLUMNS]
        summary = pd.DataFrame.from_dict(summaries, orient="index", columns=columns)
        summary.index.name = "dataset_id"
        return summary

    def load_surveys(
        self,
        viewer: Viewer,
        *,
        academic_year: Filter = None,
        hub: Filter = None,
        ncp: Filter = None,
        synthetic: bool | None = None,
    ) -> tuple[pd.DataFrame, Instrument]:
        """Active survey rows this viewer may see, for analysis, and the instrument covering them.

        Parameters
        ----------
        viewer : Viewer
            Required: national sees all rows; hub its hub's rows; lead its hub's rows in its
            Work Groups (also when one dataset spans several hubs).
        academic_year, hub, ncp : str or sequence of str, optional
            Keep only rows with these values.
        synthetic : bool, optional
            Include synthetic (sample) datasets: True always, False never, None (default) only
            while the viewer can see no real survey data, so the sample never mixes with real
            uploads.

        Returns
        -------
        frame : pandas.DataFrame
            ``dataset_id`` then the canonical wide survey columns (respondent_id pseudonymised),
            item columns of every dataset loaded.
        instrument : Instrument
            The union of the loaded datasets' instruments (first definition of an item wins);
            the default instrument when nothing is loaded.
        """
        rows, frame = self._payload_rows("survey", viewer, academic_year, hub, ncp, synthetic)
        instrument = union_instrument([row.instrument for row in rows])
        if not rows:
            frame = _empty_survey_frame(instrument)
        return frame, instrument

    def load_pupils(
        self,
        viewer: Viewer,
        *,
        academic_year: Filter = None,
        hub: Filter = None,
        ncp: Filter = None,
        synthetic: bool | None = None,
    ) -> pd.DataFrame:
        """Active pupil rows this viewer may see (same scoping and filters as :meth:`load_surveys`).

        Returns
        -------
        pandas.DataFrame
            ``dataset_id`` then the canonical pupil columns (pupil_id pseudonymised).
        """
        rows, frame = self._payload_rows("pupil", viewer, academic_year, hub, ncp, synthetic)
        if not rows:
            frame = _empty_pupil_frame()
        return frame

    def load_survey_text(
        self,
        viewer: Viewer,
        *,
        academic_year: Filter = None,
        hub: Filter = None,
        ncp: Filter = None,
        synthetic: bool | None = None,
    ) -> pd.DataFrame:
        """The open answers of the rows :meth:`load_surveys` would load, without their answers
        to the items: ``dataset_id``, phase, NCP, spreadsheet row (when stored) and ``text_*``
        columns, in their stored order.

        Reading a few columns of a national year is much quicker than reading them all.

        Examples
        --------
        >>> from evaluation.store import Store
        >>> store = Store.open("sqlite://", secret=b"k")
        >>> rows = pd.DataFrame({"respondent_id": ["a"], "phase": ["post"],
        ...     "academic_year": "2024/25", "hub": "Solent Maths Hub",
        ...     "ncp": "Mastering Number at KS2", "conf_1": [4.0], "text_why": ["More talk"]})
        >>> _ = store.add_frame(rows, kind="survey")
        >>> store.load_survey_text(Viewer.national()).columns.tolist()
        ['dataset_id', 'phase', 'ncp', 'text_why']
        """
        wanted = {c.NCP, c.PHASE, c.SOURCE_ROW}

        def keep(name: str) -> bool:
            return name in wanted or name.startswith(c.TEXT_PREFIX)

        rows, frame = self._payload_rows(
            "survey", viewer, academic_year, hub, ncp, synthetic, keep=keep
        )
        if not rows:
            frame = _empty_survey_frame(union_instrument([]))
            frame = frame[[col for col in frame.columns if col == c.DATASET_ID or keep(col)]]
        for column in (c.PHASE, c.NCP):
            if column not in frame:
                frame[column] = pd.Series(pd.NA, index=frame.index, dtype="str")
        return frame

    def comparison_rows(self, viewer: Viewer, kind: Kind) -> int:
        """How many active rows of ``kind`` this viewer may see say they are comparison rows.

        Counts over every active dataset (sample included), as :meth:`list_datasets` counts
        ``n_rows``, so the project's own rows are the listing's count minus this one. Only the
        ``group`` column is read, and each dataset is counted once per viewer scope (its rows
        never change once written).

        Examples
        --------
        >>> from evaluation.store import Store
        >>> store = Store.open("sqlite://", secret=b"k")
        >>> rows = pd.DataFrame({"respondent_id": ["a", "b"], "phase": "post",
        ...     "academic_year": "2024/25", "hub": "Solent Maths Hub",
        ...     "ncp": "Mastering Number at KS2", "conf_1": [4.0, 3.0],
        ...     "group": ["comparison", "intervention"]})
        >>> _ = store.add_frame(rows, kind="survey")
        >>> store.comparison_rows(Viewer.national(), "survey")
        1
        """
        memo: dict[tuple, int] = self.__dict__.setdefault("_comparison_counts", {})
        scope = (viewer.role, viewer.hub, tuple(viewer.work_groups))
        with self._engine.connect() as connection:
            chosen = self._chosen(connection, kind, viewer, None, None, None, True)
            missing = [row.dataset_id for row in chosen if (row.dataset_id, scope) not in memo]
            blobs = fetch_payloads(connection, missing) if missing else {}
        allowed = row_scope(viewer, None, None, None)
        wanted = {c.GROUP, *allowed}  # the scope's columns too: a file may have no group column
        for dataset_id in missing:
            frame = payload.decode(
                [(dataset_id, blobs[dataset_id])], allowed=allowed, keep=wanted.__contains__
            )
            memo[(dataset_id, scope)] = int(arm_of(frame).eq(c.COMPARISON).sum())
        return sum(memo[(row.dataset_id, scope)] for row in chosen)

    def survey_instrument(
        self,
        viewer: Viewer,
        *,
        academic_year: Filter = None,
        hub: Filter = None,
        ncp: Filter = None,
        synthetic: bool | None = None,
    ) -> Instrument:
        """The instrument :meth:`load_surveys` returns for the same arguments, reading no rows.

        Examples
        --------
        >>> from evaluation.store import Store
        >>> from evaluation.instruments import default_instrument
        >>> Store.open("sqlite://").survey_instrument(Viewer.national()) == default_instrument()
        True
        """
        with self._engine.connect() as connection:
            chosen = self._chosen(connection, "survey", viewer, academic_year, hub, ncp, synthetic)
        return union_instrument([row.instrument for row in chosen])

    def read_datasets(
        self,
        kind: Kind,
        viewer: Viewer,
        *,
        academic_year: Filter = None,
        hub: Filter = None,
        ncp: Filter = None,
        synthetic: bool | None = None,
    ) -> tuple[int, ...]:
        """The ids of the datasets a load of these arguments decodes, reading no rows.

        A dataset's rows never change once stored, so these ids (with the viewer and the
        filters) determine what :meth:`load_surveys` or :meth:`load_pupils` returns: a cache
        key that an upload into another hub leaves unchanged.

        Examples
        --------
        >>> from evaluation.store import Store
        >>> store = Store.open("sqlite://", secret=b"k")
        >>> rows = pd.DataFrame({
        ...     "respondent_id": ["a", "a"], "phase": ["pre", "post"],
        ...     "academic_year": "2024/25", "hub": "Solent Maths Hub", "work_group": "WG1",
        ...     "ncp": "Mastering Number at KS2", "conf_1": [2.0, 4.0]})
        >>> _ = store.add_frame(rows, kind="survey")
        >>> store.read_datasets("survey", Viewer.national(), hub="Solent Maths Hub")
        (1,)
        >>> store.read_datasets("survey", Viewer.national(), hub="Sussex Maths Hub")
        ()
        """
        with self._engine.connect() as connection:
            chosen = self._chosen(connection, kind, viewer, academic_year, hub, ncp, synthetic)
        return tuple(int(row.dataset_id) for row in chosen)

    def _chosen(
        self,
        connection: sa.Connection,
        kind: Kind,
        viewer: Viewer,
        academic_year: Filter,
        hub: Filter,
        ncp: Filter,
        synthetic: bool | None,
    ) -> list[sa.Row]:
        """(dataset_id, instrument) of the datasets a read of these arguments decodes, in order."""
        require_viewer(viewer)
        active = sa.and_(datasets.c.status == "active", datasets.c.kind == kind)
        wanted = sa.select(dataset_groups.c.dataset_id).where(
            *scope_conditions(viewer), *filter_conditions(academic_year, hub, ncp)
        )
        query = (
            sa.select(datasets.c.dataset_id, datasets.c.instrument)
            .where(active, datasets.c.dataset_id.in_(wanted))
            .order_by(datasets.c.dataset_id)
        )
        if synthetic is None:
            real = connection.execute(
                sa.select(datasets.c.dataset_id)
                .where(
                    active,
                    ~datasets.c.synthetic,
                    datasets.c.dataset_id.in_(visible_ids(viewer)),
                )
                .limit(1)
            ).first()
            synthetic = real is None
        if not synthetic:
            query = query.where(~datasets.c.synthetic)
        return list(connection.execute(query).all())

    def _payload_rows(
        self,
        kind: Kind,
        viewer: Viewer,
        academic_year: Filter,
        hub: Filter,
        ncp: Filter,
        synthetic: bool | None,
        keep: Callable[[str], bool] | None = None,
    ) -> tuple[list[_Loaded], pd.DataFrame]:
        """The chosen datasets and their rows this viewer may see, decoded into one frame.

        ``keep`` picks the columns to read (default all).
        """
        with self._engine.connect() as connection:
            chosen = self._chosen(connection, kind, viewer, academic_year, hub, ncp, synthetic)
            blobs = fetch_payloads(connection, [row.dataset_id for row in chosen])
        rows = [_Loaded(row.dataset_id, row.instrument, blobs[row.dataset_id]) for row in chosen]
        frame = payload.decode(
            [(row.dataset_id, row.data) for row in rows],
            allowed=row_scope(viewer, academic_year, hub, ncp),
            keep=keep,
        )
        return rows, frame


@dataclass(frozen=True)
class _Loaded:
    dataset_id: int
    instrument: dict[str, Any] | None
    data: bytes


def _empty_survey_frame(instrument: Instrument) -> pd.DataFrame:
    frame = pd.DataFrame({c.DATASET_ID: pd.Series(dtype="int64")})
    for column in c.SURVEY_KEY_COLUMNS:
        if column == c.SCHOOL_URN:
            frame[column] = pd.Series(dtype="Int64")
        elif column == c.SUBMITTED_AT:
            frame[column] = pd.Series(dtype="datetime64[ns]")
        else:
            frame[column] = pd.Series(dtype="str")
    frame[c.SOURCE_ROW] = pd.Series(dtype="int64")
    for item in instrument.item_ids:
        frame[item] = pd.Series(dtype="float64")
    return frame


def _empty_pupil_frame() -> pd.DataFrame:
    dtypes = {
        c.SCHOOL_URN: "Int64",
        c.YEAR_GROUP: "Int64",
        c.ASSESSED_ON: "datetime64[ns]",
        c.SCORE: "float64",
        c.DISADVANTAGED: "boolean",
        c.SEN: "boolean",
        c.EAL: "boolean",
    }
    frame = pd.DataFrame({c.DATASET_ID: pd.Series(dtype="int64")})
    for column in c.PUPIL_COLUMNS:
        frame[column] = pd.Series(dtype=dtypes.get(column, "str"))
    frame[c.SOURCE_ROW] = pd.Series(dtype="int64")
    return frame


def _group_summary(
    connection: sa.Connection, conditions: list[sa.ColumnElement[bool]]
) -> pd.DataFrame:
    """Per dataset, its visible rows' count and sorted distinct values of each list column.

    Aggregated in SQL (a national dataset has tens of thousands of group rows): one row per
    dataset with visible rows, indexed by ``dataset_id``.
    """
    totals = connection.execute(
        sa.select(dataset_groups.c.dataset_id, sa.func.sum(dataset_groups.c.n_rows))
        .where(*conditions)
        .group_by(dataset_groups.c.dataset_id)
    ).all()
    ids = [int(row[0]) for row in totals]
    summary = pd.DataFrame({"n_rows": [int(row[1]) for row in totals]}, index=ids)
    summary.index.name = "dataset_id"
    for name, column in LIST_COLUMNS.items():
        values: dict[int, set[str]] = {i: set() for i in ids}
        found = connection.execute(
            sa.select(dataset_groups.c.dataset_id, dataset_groups.c[column])
            .where(*conditions, dataset_groups.c[column].is_not(None))
            .distinct()
        )
        for dataset_id, value in found:
            values[int(dataset_id)].add(str(value))
        summary[name] = [sorted(values[i]) for i in ids]
    return summary


def _dataset_table(rows: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    if rows.empty:
        return pd.DataFrame(columns=list(DATASET_COLUMNS))
    rows = rows.drop(columns=["n_rows"]).set_index("dataset_id")
    table = rows.join(summary, how="left").reset_index()
    table["n_rows"] = table["n_rows"].fillna(0).astype("int64")
    for name in LIST_COLUMNS:
        table[name] = [v if isinstance(v, list) else [] for v in table[name]]
    for column in ("uploaded_at", "status_changed_at"):
        table[column] = pd.to_datetime(table[column], utc=True)
    for column in ("replaces", "replaced_by"):
        table[column] = table[column].astype("Int64")
    table["synthetic"] = table["synthetic"].astype(bool)
    return table.loc[:, list(DATASET_COLUMNS)]
