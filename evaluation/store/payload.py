"""Payload encoding: one dataset's rows as Parquet bytes (zstd), and back, filtered on read.

Columnar bytes per dataset make loading a national year one decode, not millions of row fetches.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from evaluation import columns as c

FORMAT = "parquet-zstd-1"
# Rows per Parquet row group: smaller groups decode in parallel and cache-friendly chunks.
ROW_GROUP_ROWS = 100_000


def encode(frame: pd.DataFrame) -> bytes:
    """Parquet bytes (zstd) of ``frame``, keeping pandas dtypes (Int64, boolean, str, datetimes).

    Examples
    --------
    >>> frame = pd.DataFrame({"hub": ["A", "B"], "score": [1.0, 2.0]})
    >>> decode([(7, encode(frame))])["dataset_id"].tolist()
    [7, 7]
    """
    buffer = io.BytesIO()
    frame.to_parquet(
        buffer, engine="pyarrow", compression="zstd", index=False, row_group_size=ROW_GROUP_ROWS
    )
    return buffer.getvalue()


def _read(
    blob: bytes,
    allowed: Mapping[str, Sequence[str] | None],
    keep: Callable[[str], bool] | None = None,
) -> pa.Table:
    """The rows of one payload whose every named column holds one of its allowed values.

    The filter goes to the Parquet reader, which skips row groups whose statistics show they
    hold none of the values (rows of one hub tend to sit together). With ``keep``, only the
    columns it accepts are read (the filter may still use the others).
    """
    schema = pq.read_schema(pa.BufferReader(blob))
    columns = None if keep is None else [name for name in schema.names if keep(name)]
    expression = None
    for column, values in allowed.items():
        if values is None:
            continue
        if column not in schema.names:
            return schema.empty_table()
        value_set = pa.array(list(values), type=schema.field(column).type)
        term = pc.field(column).isin(value_set)
        expression = term if expression is None else expression & term
    if columns is not None and expression is None and not columns:
        return schema.empty_table().select([])
    return pq.read_table(pa.BufferReader(blob), columns=columns, filters=expression)


def decode(
    payloads: Sequence[tuple[int, bytes]],
    *,
    allowed: Mapping[str, Sequence[str] | None] | None = None,
    columns_needed: Sequence[str] = (),
    keep: Callable[[str], bool] | None = None,
) -> pd.DataFrame:
    """The rows of several payloads as one frame with a ``dataset_id`` column first.

    Parameters
    ----------
    payloads : sequence of (dataset_id, bytes)
        Encoded datasets, in the order their rows should appear.
    allowed : mapping of column -> allowed values, optional
        Keep only rows whose every named column holds one of its values (None = any value). A
        payload lacking a named column contributes no rows.
    columns_needed : sequence of str
        Columns the result must have even when no payload has them (filled with missing values).
    keep : callable, optional
        Read only the columns whose name it accepts (default every column).

    Returns
    -------
    pandas.DataFrame
        ``dataset_id`` (int64) then the union of the payloads' columns in first-seen order, with
        each column's stored dtype restored (int columns that gained gaps become Int64).

    Examples
    --------
    >>> one = encode(pd.DataFrame({"hub": ["A", "B"], "q1": [1.0, 2.0]}))
    >>> two = encode(pd.DataFrame({"hub": ["A"], "q2": [5.0]}))
    >>> decode([(1, one), (2, two)], allowed={"hub": ["A"]}).to_dict("list")
    {'dataset_id': [1, 2], 'hub': ['A', 'A'], 'q1': [1.0, nan], 'q2': [nan, 5.0]}
    """
    tables: list[pa.Table] = []
    dtypes: dict[str, str] = {}
    for dataset_id, blob in payloads:
        table = _read(blob, allowed or {}, keep)
        for described in pandas_columns(table):
            dtypes.setdefault(described["name"], described["numpy_type"])
        ids = pa.array(np.full(table.num_rows, dataset_id, dtype=np.int64))
        tables.append(table.replace_schema_metadata(None).add_column(0, c.DATASET_ID, ids))
    if not tables:
        frame = pd.DataFrame({c.DATASET_ID: pd.Series(dtype="int64")})
    elif len(tables) == 1:
        frame = _to_pandas(tables[0])
    else:
        frame = _to_pandas(pa.concat_tables(tables, promote_options="permissive"))
    frame = _restore_dtypes(frame, dtypes)
    for column in columns_needed:
        if column not in frame.columns:
            frame[column] = pd.Series(pd.NA, index=frame.index, dtype="str")
    return frame


def pandas_columns(table: pa.Table) -> list[dict]:
    """The pandas metadata of ``table``'s named columns (name, numpy_type, ...); [] if none.

    Examples
    --------
    >>> table = pa.Table.from_pandas(pd.DataFrame({"hub": ["A"]}), preserve_index=False)
    >>> [col["name"] for col in pandas_columns(table)]
    ['hub']
    """
    metadata = table.schema.metadata or {}
    raw = metadata.get(b"pandas")
    if not raw:
        return []
    return [col for col in json.loads(raw)["columns"] if col.get("name") is not None]


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    mapping = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}
    return table.to_pandas(types_mapper=mapping.get)


def _restore_dtypes(frame: pd.DataFrame, dtypes: dict[str, str]) -> pd.DataFrame:
    # Int and bool columns come back nullable; make them plain again where they were plain
    # and nothing is missing, so a frame round-trips unchanged.
    updates = {}
    for column in frame.columns:
        stored = dtypes.get(column)
        if column == c.DATASET_ID:
            stored = "int64"
        if stored in ("int64", "int32", "bool") and not frame[column].isna().any():
            updates[column] = frame[column].to_numpy(dtype=stored)
    if updates:
        frame = frame.assign(**updates)
    return frame
