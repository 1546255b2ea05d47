"""Kept tables decoded into one frame, redecoding only the tables that changed.

A national viewer's hub-level results are thousands of small encoded tables; an upload changes
a few of them. :func:`decode_tables_since` keeps each table's digest, row count and schema
beside the stacked frame, so the next decode reuses the rows of every table whose bytes are
unchanged and decodes only the new ones. The frame is the one
:func:`evaluation.store.results.decode_tables` gives, to the last bit: rows are only reused
while every table has the same columns, types and pandas metadata (else all are decoded).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

from evaluation.store import payload
from evaluation.store.results import read_table, tables_frame

__all__ = ["DecodedTables", "decode_tables_since"]


@dataclass(frozen=True)
class DecodedTables:
    """Encoded tables stacked into ``frame``, with each table's digest, row count and schema."""

    digests: tuple[bytes, ...]
    lengths: tuple[int, ...]
    schemas: tuple[str, ...]
    frame: pd.DataFrame


def _schemas(tables: Sequence[pa.Table]) -> tuple[str, ...]:
    """Each table's columns as stacking sees them: name, Arrow type and pandas type.

    A text column whose values are all missing is stored with the null type; it stacks and
    converts exactly as a text column (both become ``object`` str/None), so both read "text".
    """
    seen: dict[tuple, str] = {}
    out = []
    for table in tables:
        raw = (table.schema.metadata or {}).get(b"pandas", b"")
        key = (table.schema.remove_metadata(), raw)
        if key not in seen:
            numpy = {col["name"]: col["numpy_type"] for col in payload.pandas_columns(table)}
            fields = []
            for field in table.schema:
                kind = str(field.type)
                textual = pa.types.is_string(field.type) or pa.types.is_null(field.type)
                if textual and numpy.get(field.name) == "object":
                    kind = "text"
                fields.append((field.name, kind, numpy.get(field.name)))
            seen[key] = repr(fields)
        out.append(seen[key])
    return tuple(out)


def _decoded(digests: tuple[bytes, ...], tables: Sequence[pa.Table]) -> DecodedTables:
    return DecodedTables(
        digests=digests,
        lengths=tuple(table.num_rows for table in tables),
        schemas=_schemas(tables),
        frame=tables_frame(tables),
    )


def decode_tables_since(
    blobs: Sequence[bytes], previous: DecodedTables | None = None
) -> DecodedTables:
    """``decode_tables(blobs)``, reusing the rows ``previous`` decoded from the same bytes.

    Parameters
    ----------
    blobs : sequence of bytes
        Encoded result tables (:func:`evaluation.store.results.encode_table`), in order.
    previous : DecodedTables, optional
        An earlier result, of any blobs.

    Returns
    -------
    DecodedTables
        ``frame`` equals :func:`evaluation.store.results.decode_tables` of ``blobs``.

    Examples
    --------
    >>> from evaluation.store.results import decode_tables, encode_table
    >>> blobs = [encode_table(pd.DataFrame({"x": [float(i)]})) for i in range(3)]
    >>> first = decode_tables_since(blobs)
    >>> later = decode_tables_since([blobs[0], encode_table(pd.DataFrame({"x": [9.0]}))], first)
    >>> later.frame["x"].tolist()
    [0.0, 9.0]
    """
    digests = tuple(hashlib.sha256(blob).digest() for blob in blobs)
    if previous is not None and previous.digests == digests:
        return previous
    known: dict[bytes, tuple[int, int, str]] = {}
    if previous is not None:
        offset = 0
        for digest, length, schema in zip(
            previous.digests, previous.lengths, previous.schemas, strict=True
        ):
            known.setdefault(digest, (offset, length, schema))
            offset += length
    fresh_at = [i for i, digest in enumerate(digests) if digest not in known]
    if previous is None or len(fresh_at) * 2 > len(blobs):
        return _decoded(digests, [read_table(blob) for blob in blobs])
    fresh_tables = [read_table(blobs[i]) for i in fresh_at]
    schemas = {known[d][2] for d in digests if d in known} | set(_schemas(fresh_tables))
    if len(schemas) != 1:  # permissive stacking could change a type: decode them all
        return _decoded(digests, [read_table(blob) for blob in blobs])
    fresh = tables_frame(fresh_tables)
    # (source, start, stop) row runs in order: reused rows of ``previous``, decoded ``fresh``.
    runs: list[list] = []
    fresh_offset = 0
    fresh_rows = {i: t.num_rows for i, t in zip(fresh_at, fresh_tables, strict=True)}
    for i, digest in enumerate(digests):
        if digest in known:
            source, (start, length, _) = "old", known[digest]
        else:
            source, start, length = "new", fresh_offset, fresh_rows[i]
            fresh_offset += length
        if runs and runs[-1][0] == source and runs[-1][2] == start:
            runs[-1][2] = start + length
        else:
            runs.append([source, start, start + length])
    pieces = [
        (previous.frame if source == "old" else fresh).iloc[start:stop]
        for source, start, stop in runs
    ]
    frame = pd.concat(pieces, ignore_index=True) if len(pieces) > 1 else pieces[0]
    lengths = {d: length for d, (_, length, _) in known.items()}
    only = next(iter(schemas))
    return DecodedTables(
        digests=digests,
        lengths=tuple(lengths[d] if d in lengths else fresh_rows[i] for i, d in enumerate(digests)),
        schemas=tuple(only for _ in digests),
        frame=frame.reset_index(drop=True),
    )
