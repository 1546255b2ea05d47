"""Kept results: the pages' result tables, recomputed in the transaction that changes their rows.

An upload, replacement or withdrawal recomputes only the groups its datasets touch: their
participation groups (hub x NCP x year x Work Group) and the hub level (hub x NCP x year) of
those. Each group's tables are computed from that group's rows alone (see
:mod:`evaluation.store.kept`), in the same write transaction, so a reader sees either every old
or every new result. Reads are scoped like raw rows: a hub viewer gets their hub's tables only.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from evaluation import columns as c
from evaluation.access import Viewer
from evaluation.instruments import Instrument
from evaluation.stats.groups import group_index, project_rows
from evaluation.store import payload
from evaluation.store.contents import union_instrument
from evaluation.store.engine import StoreBase, fetch_payloads
from evaluation.store.scope import Filter, filter_values, require_viewer, visible_ids
from evaluation.store.tables import dataset_groups, datasets, kept_results, kept_state

__all__ = [
    "GROUP_KEYS",
    "GROUP_TABLES",
    "HUB_KEYS",
    "VARIANTS",
    "decode_tables",
    "encode_table",
    "FORMAT",
    "GroupKey",
    "KeptResults",
    "read_table",
    "rebuild",
    "recompute_for",
    "tables_frame",
    "variant_for",
]

Level = Literal["group", "hub"]
# (academic_year, hub, ncp, work_group); the hub level has work_group None.
GroupKey = tuple[str | None, str | None, str | None, str | None]
# The keys of a participation group and of a hub level, in the order the pages group by them.
GROUP_KEYS = (c.ACADEMIC_YEAR, c.HUB, c.NCP, c.WORK_GROUP)
HUB_KEYS = GROUP_KEYS[:3]
# The tables kept per participation group (:func:`evaluation.store.kept.group_tables`).
GROUP_TABLES = ("results", "distribution", "changes", "attrition", "reliability")
# "all": every active dataset; "real": non-synthetic ones only (see Reads.load_surveys).
VARIANTS = ("all", "real")
FORMAT = "arrow-ipc-1"


def recompute_for(connection: Connection, dataset_ids: Iterable[int | None]) -> int:
    """Recompute the kept results of every group the given datasets hold rows of.

    Call it inside the write transaction that added, replaced or withdrew those datasets (after
    their status changed), so the results change together with the rows.

    Returns
    -------
    int
        How many groups (participation groups and hub levels) were recomputed.

    Examples
    --------
    >>> from evaluation.store.engine import make_engine, upgrade, write_transaction
    >>> engine = make_engine("sqlite://")
    >>> upgrade(engine)
    >>> with write_transaction(engine) as connection:
    ...     recompute_for(connection, [1, None])
    0
    """
    ids = sorted({int(i) for i in dataset_ids if i is not None})
    if not ids:
        return 0
    query = (
        sa.select(*(dataset_groups.c[k] for k in GROUP_KEYS))
        .join(datasets, datasets.c.dataset_id == dataset_groups.c.dataset_id)
        .where(dataset_groups.c.dataset_id.in_(ids), datasets.c.kind == "survey")
        .distinct()
    )
    groups = {tuple(row) for row in connection.execute(query)}
    return _recompute(connection, groups) if groups else 0


def rebuild(connection: Connection) -> int:
    """Recompute every kept result from the active datasets (after an upgrade, or to repair).

    Examples
    --------
    >>> from evaluation.store.engine import make_engine, upgrade, write_transaction
    >>> engine = make_engine("sqlite://")
    >>> upgrade(engine)
    >>> with write_transaction(engine) as connection:
    ...     rebuild(connection)
    0
    """
    connection.execute(kept_results.delete())
    query = (
        sa.select(*(dataset_groups.c[k] for k in GROUP_KEYS))
        .join(datasets, datasets.c.dataset_id == dataset_groups.c.dataset_id)
        .where(datasets.c.kind == "survey", datasets.c.status == "active")
        .distinct()
    )
    groups = {tuple(row) for row in connection.execute(query)}
    done = _recompute(connection, groups, everything=True) if groups else 0
    connection.execute(kept_state.update().where(kept_state.c.state_id == 1).values(complete=True))
    return done


def _sort_key(key: Sequence[str | None]) -> tuple:
    # Missing keys after every value, as the statistics sort their groups.
    return tuple((value is None, value or "") for value in key)


def _key_order(keys: Sequence[Sequence[str | None]]) -> list[int]:
    """Positions of ``keys`` in :func:`_sort_key` order (stable), sorted without Python tuples.

    Examples
    --------
    >>> _key_order([("b", None), ("a", "x"), ("b", "a"), (None, "a")])
    [1, 2, 0, 3]
    """
    if not keys:
        return []
    frame = pd.DataFrame([list(key) for key in keys], dtype=object)
    columns = list(frame.columns)
    ordered = frame.sort_values(columns, na_position="last", kind="stable")
    return ordered.index.tolist()


def _keys_in(
    connection: Connection,
    table: sa.Table,
    names: Sequence[str],
    keys: set,
    *extra: sa.ColumnElement,
) -> list[int]:
    """Ids (first column of ``table``) of its rows whose ``names`` columns form one of ``keys``.

    SQL narrows by year, hub and NCP (each column whose keys hold no missing value); the exact
    key match (NULL-safe) happens here, which keeps the query small however many groups changed.
    """
    where = []
    for column in HUB_KEYS:
        values = {key[names.index(column)] for key in keys}
        if None not in values:
            where.append(table.c[column].in_(sorted(values)))
    ident = next(iter(table.primary_key.columns)) if table is kept_results else table.c.dataset_id
    query = sa.select(ident, *(table.c[n] for n in names)).where(*where, *extra)
    return [row[0] for row in connection.execute(query) if tuple(row[1:]) in keys]


def _recompute(connection: Connection, groups: set[GroupKey], *, everything: bool = False) -> int:
    """Delete and recompute the tables of ``groups`` and of their hub levels, for both variants."""
    hubs = {key[:3] for key in groups}
    # Rows computed per list of datasets: a variant choosing the same datasets as one already
    # computed (no synthetic dataset among them) keeps the same tables.
    computed: dict[tuple[int, ...], list[dict]] = {}
    for variant in VARIANTS:
        if not everything:
            stale = _keys_in(
                connection,
                kept_results,
                HUB_KEYS,
                hubs,
                kept_results.c.variant == variant,
                kept_results.c.level == "hub",
            ) + _keys_in(
                connection,
                kept_results,
                GROUP_KEYS,
                groups,
                kept_results.c.variant == variant,
                kept_results.c.level == "group",
            )
            for chunk in range(0, len(stale), 500):
                connection.execute(
                    kept_results.delete().where(
                        kept_results.c.result_id.in_(stale[chunk : chunk + 500])
                    )
                )
        chosen, allowed = _chosen(connection, variant, None if everything else hubs)
        ident = tuple(row.dataset_id for row in chosen)
        if ident in computed:
            rows = [{**row, "variant": variant} for row in computed[ident]]
        else:
            rows = computed[ident] = _tables_rows(
                connection, chosen, allowed, variant, groups, hubs
            )
        if rows:
            connection.execute(kept_results.insert(), rows)
    return len(groups) + len(hubs)


def _tables_rows(
    connection: Connection,
    chosen: Sequence[sa.Row],
    allowed: dict[str, list] | None,
    variant: str,
    groups: set[GroupKey],
    hubs: set,
) -> list[dict]:
    """``kept_results`` rows of ``groups`` and ``hubs`` from the rows of the ``chosen`` datasets."""
    # The statistics cost seconds to import: only writers that recompute pay for them.
    from evaluation.analysis.survey import survey_analysis
    from evaluation.store import kept

    frame = _rows(connection, chosen, allowed)
    if frame.empty:
        return []
    instrument = union_instrument([row.instrument for row in chosen])
    rows: list[dict] = []
    for level, names, wanted, compute in (
        ("hub", HUB_KEYS, hubs, kept.hub_tables),
        ("group", GROUP_KEYS, groups, kept.group_tables),
    ):
        positions, present = _positions(frame, names, wanted)
        part = frame.iloc[positions].reset_index(drop=True)
        present_rows = _indices(part, names)
        analyses: dict[tuple, object] = {}  # a group's tables computed alone, once
        for name, tables in compute(part, instrument).items():
            for table in tables:
                rows.extend(
                    _group_rows(
                        table,
                        names,
                        present,
                        variant=variant,
                        level=level,
                        name=name,
                        partial=len(tables) > 1,
                        alone=functools.partial(
                            _alone,
                            survey_analysis,
                            analyses,
                            name,
                            part,
                            present_rows,
                            instrument,
                        ),
                    )
                )
    return rows


def _indices(frame: pd.DataFrame, names: Sequence[str]) -> dict[tuple, np.ndarray]:
    """Row positions per group of ``frame`` by ``names`` (missing keys as None), in row order."""
    codes, keys = group_index(frame, list(names))
    # Positions grouped by code, each group's in row order (a stable sort), then cut per group.
    order = np.argsort(codes, kind="stable")
    ends = np.cumsum(np.bincount(codes, minlength=len(keys)))
    parts = np.split(order, ends[:-1]) if len(keys) else []
    columns = []
    for name in names:
        column = keys[name].astype(object)
        columns.append(column.where(column.notna(), None).tolist())
    return dict(zip(zip(*columns, strict=True), parts, strict=True))


def _runs(table: pd.DataFrame, names: Sequence[str]) -> dict[tuple, np.ndarray]:
    """:func:`_indices` of a result table, found from where its keys change when it can be.

    The statistics give each group's rows one after another: then each run of equal keys is a
    group, which comparing neighbours finds without hashing every row's text. A table whose
    keys are not Arrow text or categories, or whose runs repeat a key, is grouped as any other.
    """
    n = len(table)
    if not n:
        return {}
    change = np.zeros(n, dtype=bool)
    change[0] = True
    for name in names:
        values = table[name].array
        if isinstance(values, pd.Categorical):
            codes = values.codes
            change[1:] |= codes[1:] != codes[:-1]
        elif isinstance(values, pd.arrays.ArrowStringArray):
            arrow = pa.array(values)
            if isinstance(arrow, pa.ChunkedArray):
                arrow = arrow.combine_chunks()
            after, before = arrow.slice(1), arrow.slice(0, n - 1)
            equal = pc.fill_null(pc.equal(after, before), False)
            both_missing = pc.and_(pc.is_null(after), pc.is_null(before))
            same = pc.or_(equal, both_missing).to_numpy(zero_copy_only=False)
            change[1:] |= ~same
        else:
            return _indices(table, names)
    starts = np.flatnonzero(change)
    columns = []
    for name in names:
        column = table[name].iloc[starts].astype(object)
        columns.append(column.where(column.notna(), None).tolist())
    keys = list(zip(*columns, strict=True))
    if len(set(keys)) < len(keys):  # a group in several runs
        return _indices(table, names)
    parts = np.split(np.arange(n), starts[1:])
    return dict(zip(keys, parts, strict=True))


def _chosen(
    connection: Connection, variant: str, hubs: set | None
) -> tuple[list[sa.Row], dict[str, list] | None]:
    """Active survey datasets of ``variant`` holding rows of the hub levels (None: all), in id
    order, and the key values their rows are narrowed to (None: every row)."""
    query = sa.select(datasets.c.dataset_id, datasets.c.instrument).where(
        datasets.c.status == "active", datasets.c.kind == "survey"
    )
    if variant == "real":
        query = query.where(~datasets.c.synthetic)
    allowed = None
    if hubs is not None:
        holding = sorted(set(_keys_in(connection, dataset_groups, HUB_KEYS, hubs)))
        query = query.where(datasets.c.dataset_id.in_(holding))
        allowed = {
            name: sorted({k[i] for k in hubs if k[i] is not None})
            for i, name in enumerate(HUB_KEYS)
        }
    return connection.execute(query.order_by(datasets.c.dataset_id)).all(), allowed


def _rows(
    connection: Connection, chosen: Sequence[sa.Row], allowed: dict[str, list] | None
) -> pd.DataFrame:
    """The survey rows of the ``chosen`` datasets (in their order), narrowed to ``allowed``.

    Only the project's own rows: a comparison group's (``group == "comparison"``) take part in
    no change statistic (:func:`~evaluation.stats.groups.project_rows`), so a group holding
    nothing else keeps no tables, and computing them for it would only cost time.
    """
    blobs = fetch_payloads(connection, [row.dataset_id for row in chosen])
    frame = payload.decode(
        [(row.dataset_id, blobs[row.dataset_id]) for row in chosen],
        allowed=allowed,
        keep=_not_open_text,  # no kept table reads open answers: they are not decoded
    )
    frame = project_rows(frame).reset_index(drop=True)
    for column in GROUP_KEYS:
        if column not in frame:
            frame[column] = pd.Series(pd.NA, index=frame.index, dtype="str")
    return frame


def _not_open_text(name: str) -> bool:
    return not name.startswith(c.TEXT_PREFIX)


def _alone(
    analyse: Callable[..., object],
    analyses: dict[tuple, object],
    name: str,
    part: pd.DataFrame,
    positions: dict[tuple, np.ndarray],
    instrument: Instrument,
    key: tuple,
) -> pd.DataFrame:
    """Table ``name`` of group ``key`` computed from its rows alone (each group's once)."""
    key = tuple(key)
    if key not in analyses:
        analyses[key] = analyse(part.iloc[positions[key]], instrument)
    return getattr(analyses[key], name)


def _group_rows(
    table: pd.DataFrame,
    names: Sequence[str],
    present: list,
    *,
    variant: str,
    level: str,
    name: str,
    partial: bool,
    alone: Callable[[tuple], pd.DataFrame],
) -> list[dict]:
    """``kept_results`` rows: ``table`` split by the keys ``names``, one per group ``present``
    (given in :func:`_sort_key` order, the order the rows are written in).

    A group present in the rows but not in ``table`` (unless ``table`` is one ``partial`` piece
    of several, computed for other groups) keeps the table computed for it ``alone``: an empty
    table's column types depend on how it came to be empty.
    """
    split = _runs(table, names)
    if level == "group":
        table = table.drop(columns=list(names))
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    # The groups' rows one after another in key order (one gather), so each group is a slice.
    picked = [split[tuple(key)] for key in present if tuple(key) in split]
    order = np.concatenate(picked) if picked else np.zeros(0, dtype=np.intp)
    if not np.array_equal(order, np.arange(len(order))):
        arrow = arrow.take(order)
    start = 0
    rows = []
    pieces = _IpcPieces(arrow)
    for key in present:
        where = split.get(tuple(key))
        one = None
        if where is None or not len(where):
            if partial and where is None:
                continue
            if level == "group":
                one = pa.Table.from_pandas(alone(key), preserve_index=False)
            where = np.zeros(0, dtype=np.intp)
        rows.append(
            {
                "variant": variant,
                "level": level,
                **dict(zip(GROUP_KEYS, (*key, None)[:4], strict=True)),
                "name": name,
                "n_rows": len(where),
                "format": FORMAT,
                "data": _ipc_bytes(one) if one is not None else pieces(start, len(where)),
            }
        )
        start += len(where)
    return rows


def _positions(frame: pd.DataFrame, names: Sequence[str], wanted: set) -> tuple[np.ndarray, list]:
    """Row positions of ``frame`` in the groups ``wanted`` (in row order), and which have rows
    (in :func:`_sort_key` order)."""
    found = _indices(frame, names)
    present = sorted((key for key in wanted if tuple(key) in found), key=_sort_key)
    picked = [found[tuple(key)] for key in present]
    return np.sort(np.concatenate(picked)) if picked else np.zeros(0, dtype=np.intp), present


def encode_table(table: pd.DataFrame) -> bytes:
    """A result table as Arrow IPC bytes (fast to read back many at once), dtypes kept.

    Examples
    --------
    >>> table = pd.DataFrame({"item": ["conf_1"], "d_z": [0.5]})
    >>> decode_tables([encode_table(table)]).equals(table)
    True
    """
    return _ipc_bytes(pa.Table.from_pandas(table, preserve_index=False))


def _ipc_bytes(arrow: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, arrow.schema) as writer:
        writer.write_table(arrow)
    return sink.getvalue().to_pybytes()


# What ends an Arrow IPC stream: a continuation marker and a zero length.
_END_OF_STREAM = b"\xff\xff\xff\xff\x00\x00\x00\x00"


class _IpcPieces:
    """:func:`_ipc_bytes` of slices of one table, with its schema message serialised once.

    A stream is the schema message, one message per record batch, then the end marker: the
    bytes a stream writer makes (tables with dictionary columns, which would add dictionary
    messages, are written by one).
    """

    def __init__(self, arrow: pa.Table) -> None:
        self._arrow = arrow
        plain = not any(pa.types.is_dictionary(field.type) for field in arrow.schema)
        self._schema = arrow.schema.serialize().to_pybytes() if plain else None
        # One chunk per column: a slice of the table is one batch, a slice of this one.
        whole = arrow.to_batches()
        self._batch = whole[0] if len(whole) == 1 else None

    def __call__(self, start: int, length: int) -> bytes:
        if self._schema is None:
            return _ipc_bytes(self._arrow.slice(start, length))
        if self._batch is not None:
            batch = self._batch.slice(start, length).serialize() if length else b""
            return b"".join([self._schema, batch, _END_OF_STREAM])
        piece = self._arrow.slice(start, length)
        batches = [batch.serialize() for batch in piece.to_batches()]
        return b"".join([self._schema, *batches, _END_OF_STREAM])


def decode_tables(blobs: Sequence[bytes]) -> pd.DataFrame:
    """Several encoded result tables stacked into one frame, in order (empty frame for none)."""
    return tables_frame([read_table(blob) for blob in blobs])


def read_table(blob: bytes) -> pa.Table:
    """One encoded result table (:func:`encode_table`) as an Arrow table."""
    return pa.ipc.open_stream(blob).read_all()


def tables_frame(tables: Sequence[pa.Table]) -> pd.DataFrame:
    """Arrow result tables (:func:`read_table`) stacked into one frame: :func:`decode_tables`."""
    if not tables:
        return pd.DataFrame()
    if len(tables) > 1:
        joined = pa.concat_tables(tables, promote_options="permissive")
    else:
        joined = tables[0]
    frame = joined.to_pandas()
    # Arrow reads text back as ``str``; columns that were ``object`` (text with None) stay so.
    for described in payload.pandas_columns(tables[0]):
        name = described["name"]
        if described["numpy_type"] == "object" and name in frame:
            column = joined.column(name)
            textual = pa.types.is_string(column.type) or pa.types.is_null(column.type)
            # Text (and all-missing) columns convert in C to the same str and None values.
            values = column.to_numpy(zero_copy_only=False) if textual else column.to_pylist()
            frame[name] = pd.Series(values, dtype=object)
    return frame


def variant_for(connection: Connection, viewer: Viewer, synthetic: bool | None) -> str:
    """The variant a viewer's reads use: as :meth:`Reads.load_surveys` picks its datasets.

    ``synthetic=None`` means synthetic datasets count only while the viewer can see no real
    survey data.

    Examples
    --------
    >>> from evaluation.store.engine import make_engine, upgrade
    >>> engine = make_engine("sqlite://")
    >>> upgrade(engine)
    >>> with engine.connect() as connection:
    ...     variant_for(connection, Viewer.national(), None)
    'all'
    """
    if synthetic is None:
        real = connection.execute(
            sa.select(datasets.c.dataset_id)
            .where(
                datasets.c.status == "active",
                datasets.c.kind == "survey",
                ~datasets.c.synthetic,
                datasets.c.dataset_id.in_(visible_ids(viewer)),
            )
            .limit(1)
        ).first()
        synthetic = real is None
    return "all" if synthetic else "real"


class KeptResults(StoreBase):
    """Scoped reads of the kept results (part of :class:`~evaluation.store.Store`)."""

    def rebuild_results(self) -> int:
        """Recompute every kept result in one write transaction; returns the groups computed."""
        with self._write() as connection:
            return rebuild(connection)

    def kept_results(
        self,
        viewer: Viewer,
        *,
        name: str = "results",
        level: Level = "hub",
        academic_year: Filter = None,
        hub: Filter = None,
        ncp: Filter = None,
        work_group: Filter = None,
        synthetic: bool | None = None,
    ) -> list[tuple[GroupKey, pd.DataFrame]] | None:
        """The kept ``name`` table of every group this viewer may see, one per group, in key order.

        Parameters
        ----------
        viewer : Viewer
            National: every group; hub: their hub's groups; lead: their Work Groups' groups
            (and no hub level, whose rows include other Work Groups: None is returned).
        name : str
            ``results`` (both levels); ``changes``, ``attrition``, ``reliability`` (groups).
        level : {"hub", "group"}
        academic_year, hub, ncp, work_group : str or sequence of str, optional
            Keep only groups with these values.
        synthetic : bool, optional
            As for :meth:`~evaluation.store.Store.load_surveys`.

        Returns
        -------
        list of (key, DataFrame) or None
            ``key`` is (academic_year, hub, ncp, work_group), work_group None at hub level.
            Hub-level tables carry their key columns; group-level tables do not (they are what
            the Work Group impact page computes from that group's rows alone). None when the
            viewer's rows are not whole groups of this level.

        Examples
        --------
        >>> from evaluation.store import Store
        >>> store = Store.open("sqlite://", secret=b"k")
        >>> rows = pd.DataFrame({
        ...     "respondent_id": ["a", "a", "b", "b"], "phase": ["pre", "post"] * 2,
        ...     "academic_year": "2024/25", "hub": "Solent Maths Hub", "work_group": "WG1",
        ...     "ncp": "Mastering Number at KS2", "conf_1": [2.0, 4.0, 3.0, 4.0]})
        >>> _ = store.add_frame(rows, kind="survey")
        >>> [key for key, _ in store.kept_results(Viewer.national())]
        [('2024/25', 'Solent Maths Hub', 'Mastering Number at KS2', None)]
        >>> store.kept_results(Viewer(role="hub", hub="Sussex Maths Hub"))
        []
        """
        found = self._kept_blobs(
            viewer, name, level, (academic_year, hub, ncp, work_group), synthetic
        )
        if found is None:
            return None
        return [(key, decode_tables([blob])) for key, blob in found]

    def kept_table(
        self,
        viewer: Viewer,
        *,
        name: str = "results",
        level: Level = "hub",
        academic_year: Filter = None,
        hub: Filter = None,
        ncp: Filter = None,
        work_group: Filter = None,
        synthetic: bool | None = None,
    ) -> pd.DataFrame | None:
        """The tables of :meth:`kept_results` stacked into one frame (empty frame when none).

        At hub level this is ``compare(to_long(rows, keys=...), by=[academic_year, hub, ncp])``
        of every survey row the viewer may see, to the last bit.

        Examples
        --------
        >>> from evaluation.store import Store
        >>> Store.open("sqlite://").kept_table(Viewer.national()).empty
        True
        """
        found = self._kept_blobs(
            viewer, name, level, (academic_year, hub, ncp, work_group), synthetic
        )
        if found is None:
            return None
        return decode_tables([blob for _, blob in found])

    def kept_table_bytes(
        self, viewer: Viewer, *, name: str = "results", level: Level = "hub"
    ) -> list[tuple[GroupKey, bytes]] | None:
        """The encoded tables :meth:`kept_table` stacks (None where it returns None), in order.

        Equal bytes are equal tables in any store version: decode only those that changed
        (:func:`evaluation.store.decoded.decode_tables_since`).

        Examples
        --------
        >>> from evaluation.store import Store
        >>> Store.open("sqlite://").kept_table_bytes(Viewer.national())
        []
        """
        return self._kept_blobs(viewer, name, level, (None, None, None, None), None)

    def kept_groups(
        self,
        viewer: Viewer,
        *,
        academic_year: Filter = None,
        hub: Filter = None,
        ncp: Filter = None,
        synthetic: bool | None = None,
    ) -> list[GroupKey]:
        """The participation groups this viewer may see, in key order, without their tables.

        The groups whose kept tables :meth:`kept_results` would return at ``level="group"``:
        the groups of the project's survey rows :meth:`~evaluation.store.Store.load_surveys`
        would load for the same viewer and filters (a group of comparison rows alone, such as a
        waiting-list cohort's, has no results and is not listed).

        Examples
        --------
        >>> from evaluation.store import Store
        >>> store = Store.open("sqlite://", secret=b"k")
        >>> rows = pd.DataFrame({
        ...     "respondent_id": ["a", "a"], "phase": ["pre", "post"],
        ...     "academic_year": "2024/25", "hub": "Solent Maths Hub", "work_group": "WG1",
        ...     "ncp": "Mastering Number at KS2", "conf_1": [2.0, 4.0]})
        >>> _ = store.add_frame(rows, kind="survey")
        >>> store.kept_groups(Viewer.national())
        [('2024/25', 'Solent Maths Hub', 'Mastering Number at KS2', 'WG1')]
        """
        found = self._kept_rows(
            viewer, "results", "group", (academic_year, hub, ncp, None), synthetic, data=False
        )
        return [key for key, _ in found]  # type: ignore[misc]

    def kept_group_tables(
        self, viewer: Viewer, key: GroupKey, *, synthetic: bool | None = None
    ) -> dict[str, bytes]:
        """The encoded kept tables of one participation group, by name ({} if none visible).

        The bytes (:func:`decode_tables` reads them) identify the tables: equal bytes, equal
        tables, whichever store version they were read in.

        Examples
        --------
        >>> from evaluation.store import Store
        >>> store = Store.open("sqlite://", secret=b"k")
        >>> rows = pd.DataFrame({
        ...     "respondent_id": ["a", "a"], "phase": ["pre", "post"],
        ...     "academic_year": "2024/25", "hub": "Solent Maths Hub", "work_group": "WG1",
        ...     "ncp": "Mastering Number at KS2", "conf_1": [2.0, 4.0]})
        >>> _ = store.add_frame(rows, kind="survey")
        >>> key = ("2024/25", "Solent Maths Hub", "Mastering Number at KS2", "WG1")
        >>> sorted(store.kept_group_tables(Viewer.national(), key))
        ['attrition', 'changes', 'distribution', 'reliability', 'results']
        >>> store.kept_group_tables(Viewer(role="hub", hub="Sussex Maths Hub"), key)
        {}
        """
        found: dict[str, bytes] = {}
        for name in GROUP_TABLES:
            # A missing key value filters nothing in SQL; the exact match is made here.
            rows = self._kept_rows(viewer, name, "group", tuple(key), synthetic, data=True)
            for group, blob in rows:
                if tuple(group) == tuple(key) and blob is not None:
                    found[name] = blob
        return found

    def _kept_blobs(
        self,
        viewer: Viewer,
        name: str,
        level: Level,
        chosen: tuple[Filter, Filter, Filter, Filter],
        synthetic: bool | None,
    ) -> list[tuple[GroupKey, bytes]] | None:
        require_viewer(viewer)
        if viewer.role == "lead" and level == "hub":
            return None
        return self._kept_rows(viewer, name, level, chosen, synthetic, data=True)  # type: ignore[return-value]

    def _kept_rows(
        self,
        viewer: Viewer,
        name: str,
        level: Level,
        chosen: tuple[Filter, Filter, Filter, Filter],
        synthetic: bool | None,
        *,
        data: bool,
    ) -> list[tuple[GroupKey, bytes | None]]:
        """(key, table bytes or None without ``data``) of the kept rows, scoped, in key order."""
        require_viewer(viewer)
        self._ensure_complete()
        conditions = [kept_results.c.level == level, kept_results.c.name == name]
        if viewer.role != "national":
            conditions.append(kept_results.c.hub == viewer.hub)
        if viewer.role == "lead":
            conditions.append(kept_results.c.work_group.in_(viewer.work_groups))
        for column, value in zip(GROUP_KEYS, chosen, strict=True):
            values = filter_values(value)
            if values is not None:
                conditions.append(kept_results.c[column].in_(values))
        keys = [kept_results.c[k] for k in GROUP_KEYS]
        with self._engine.connect() as connection:
            variant = variant_for(connection, viewer, synthetic)
            columns = [*keys, kept_results.c.data] if data else keys
            result = connection.execute(
                sa.select(*columns).where(kept_results.c.variant == variant, *conditions)
            )
            # Plain text and bytes columns: the driver's rows as they are (a national viewer
            # lists tens of thousands of groups).
            found = result.cursor.fetchall() if result.cursor is not None else []
        order = _key_order([row[:4] for row in found])
        return [(tuple(found[i][:4]), bytes(found[i][4]) if data else None) for i in order]

    def _ensure_complete(self) -> None:
        with self._engine.connect() as connection:
            complete = connection.execute(
                sa.select(kept_state.c.complete).where(kept_state.c.state_id == 1)
            ).scalar()
        if not complete:
            with self._write() as connection:
                still = connection.execute(
                    sa.select(kept_state.c.complete).where(kept_state.c.state_id == 1)
                ).scalar()
                if not still:
                    rebuild(connection)
