"""Codebooks of themes for open answers, kept in the store and changed with an audit trail.

Who may do what (kept simple on purpose):

- Each instrument (``instrument_key``, ``"default"`` unless a survey has its own) has a
  **national** codebook. Until someone changes it, it is the Maths Hubs default from the
  reference data (``schemas/reference/codebook_default.csv``).
- A **hub** may keep its **own copy**. Once a hub has one, the hub's views use it instead of the
  national codebook; other hubs still see the national one. The copy starts as the national
  codebook at the hub's first change, and later national changes do not reach it.
- **National** users change the national codebook, or any hub's copy (``hub=``).
  **Hub** users change their own hub's copy only. **Work Group leads** read their hub's codebook
  and change nothing.

Rows are never deleted: a theme taken out is *retired* (and comes back when saved again), and
each row's ``version`` counts its changes. Every change writes one audit entry (action
``codebook_*``, the instrument, the hub, the theme, before and after) in the same transaction.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, Literal

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from evaluation.access import Viewer
from evaluation.store.audit import actor_name, now, record, required_reason
from evaluation.store.engine import StoreBase, write_transaction
from evaluation.store.errors import StoreError
from evaluation.store.scope import require_viewer
from evaluation.store.tables import audit_log, codebooks
from evaluation.text.codebook import (
    CODEBOOK_COLUMNS,
    SEPARATOR,
    check_codebook,
    default_codebook,
)

__all__ = [
    "ACTIONS",
    "DEFAULT_INSTRUMENT",
    "STORED_COLUMNS",
    "CodebookStore",
    "Source",
    "theme_values",
]

DEFAULT_INSTRUMENT = "default"
# Columns of :meth:`CodebookStore.codebook`: a codebook ``tag_answers`` reads, then its state.
STORED_COLUMNS = (*CODEBOOK_COLUMNS, "status", "version")
# Audit actions written here, all starting "codebook_".
ACTIONS = (
    "codebook_start",
    "codebook_add",
    "codebook_update",
    "codebook_retire",
    "codebook_rename",
    "codebook_merge",
)
ACTIVE, RETIRED = "active", "retired"
Source = Literal["default", "national", "hub"]


def _parts(value: object) -> list[str]:
    """Keywords or examples as a list: from a list/tuple or a ``;``-separated string."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    if isinstance(value, list | tuple):
        items = [str(v).strip() for v in value]
    else:
        items = [part.strip() for part in str(value).split(SEPARATOR)]
    return list(dict.fromkeys(item for item in items if item))


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    return str(value).strip()


def theme_values(theme: Mapping[str, object]) -> dict[str, Any]:
    """A theme as the store keeps it, checked: name, description, keywords and examples.

    Keywords and examples may be lists or strings separated by semicolons.

    Raises
    ------
    StoreError
        When the theme has no name or no usable keyword (the message says which).

    Examples
    --------
    >>> theme_values({"theme": " Talk ", "keywords": "talk; explain;"})
    {'theme': 'Talk', 'description': '', 'keywords': ['talk', 'explain'], 'examples': []}
    >>> theme_values({"theme": "Talk", "keywords": ""})
    Traceback (most recent call last):
    ...
    evaluation.store.errors.StoreError: The theme "Talk" has no keywords; give at least one \
word or phrase, separated by semicolons.
    """
    name = _text(theme.get("theme"))
    values = {
        "theme": name,
        "description": _text(theme.get("description")),
        "keywords": _parts(theme.get("keywords")),
        "examples": _parts(theme.get("examples")),
    }
    if not name:
        raise StoreError("Please give the theme a name.")
    table = pd.DataFrame({"theme": [name], "keywords": [SEPARATOR.join(values["keywords"])]})
    if check_codebook(table):
        raise StoreError(
            f'The theme "{name}" has no keywords; give at least one word or phrase, separated '
            "by semicolons."
        )
    return values


def _frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    table = pd.DataFrame(
        [
            {
                "theme": row["theme"],
                "description": row["description"],
                "keywords": tuple(row["keywords"]),
                "examples": tuple(row["examples"]),
                "status": row["status"],
                "version": int(row["version"]),
            }
            for row in rows
        ],
        columns=list(STORED_COLUMNS),
    )
    return table.astype({c: object for c in CODEBOOK_COLUMNS + ("status",)}).astype(
        {"version": "int64"}
    )


def _default_rows() -> list[dict[str, Any]]:
    book = default_codebook()
    return [
        {
            "theme": row["theme"],
            "description": row["description"],
            "keywords": list(row["keywords"]),
            "examples": list(row["examples"]),
            "status": ACTIVE,
            "version": 0,
        }
        for row in book.to_dict("records")
    ]


def _hub_condition(hub: str | None) -> sa.ColumnElement[bool]:
    return codebooks.c.hub.is_(None) if hub is None else codebooks.c.hub == hub


class CodebookStore(StoreBase):
    """Codebooks per instrument, national or a hub's own (part of :class:`~evaluation.store.Store`).

    Examples
    --------
    >>> from evaluation.store import Store
    >>> store = Store.open("sqlite://")
    >>> national = Viewer.national("ann")
    >>> len(store.codebook(national)), store.codebook_source(national)
    (8, 'default')
    >>> store.save_theme(national, {"theme": "Homework", "keywords": "homework"}, "new theme")
    1
    >>> store.codebook(national)["theme"].iloc[-1], store.codebook_source(national)
    ('Homework', 'national')
    """

    # ------------------------------------------------------------------ reading

    def codebook(
        self,
        viewer: Viewer,
        instrument_key: str = DEFAULT_INSTRUMENT,
        *,
        hub: str | None = None,
        include_retired: bool = False,
    ) -> pd.DataFrame:
        """The codebook that applies to this viewer's views (a hub's copy, else the national one).

        Parameters
        ----------
        viewer : Viewer
            National viewers read the national codebook, or a hub's (``hub=``); hub and lead
            viewers read their own hub's.
        instrument_key : str
            The instrument (``"default"`` unless a survey has its own codebook).
        hub : str, optional
            For national viewers: whose codebook to read (None: the national one).
        include_retired : bool
            Also list retired themes (status ``retired``).

        Returns
        -------
        DataFrame
            ``theme, description, keywords, examples, status, version`` in the order themes
            were added (keywords and examples as tuples), ready for
            :func:`evaluation.text.codebook.tag_answers`. The reference default (version 0)
            when nothing is stored.
        """
        require_viewer(viewer)
        target = self._readable_hub(viewer, hub)
        with self._engine.connect() as connection:
            rows, _source = _effective(connection, instrument_key, target)
        if not include_retired:
            rows = [row for row in rows if row["status"] == ACTIVE]
        return _frame(rows).reset_index(drop=True)

    def codebook_source(
        self, viewer: Viewer, instrument_key: str = DEFAULT_INSTRUMENT, *, hub: str | None = None
    ) -> Source:
        """Where the viewer's codebook comes from: ``"hub"``, ``"national"`` or ``"default"``.

        Examples
        --------
        >>> from evaluation.store import Store
        >>> Store.open("sqlite://").codebook_source(Viewer(role="hub", hub="Solent Maths Hub"))
        'default'
        """
        require_viewer(viewer)
        target = self._readable_hub(viewer, hub)
        with self._engine.connect() as connection:
            return _effective(connection, instrument_key, target)[1]

    def codebook_history(
        self, viewer: Viewer, instrument_key: str = DEFAULT_INSTRUMENT, *, hub: str | None = None
    ) -> pd.DataFrame:
        """Audit entries of the codebook this viewer reads: its own changes and the national ones.

        Returns
        -------
        DataFrame
            at (UTC), who, action, theme, reason, detail (dict), oldest first.
        """
        require_viewer(viewer)
        target = self._readable_hub(viewer, hub)
        query = (
            sa.select(audit_log.c.at, audit_log.c.who, audit_log.c.action, audit_log.c.reason,
                      audit_log.c.detail)
            .where(audit_log.c.action.like("codebook_%"))
            .order_by(audit_log.c.entry_id)
        )  # fmt: skip
        with self._engine.connect() as connection:
            entries = connection.execute(query).mappings().all()
        wanted = {None, target}
        rows = [
            {**entry, "theme": (entry["detail"] or {}).get("theme")}
            for entry in entries
            if isinstance(entry["detail"], dict)
            and entry["detail"].get("instrument_key") == instrument_key
            and entry["detail"].get("hub") in wanted
        ]
        table = pd.DataFrame(rows, columns=["at", "who", "action", "theme", "reason", "detail"])
        table["at"] = pd.to_datetime(table["at"], utc=True)
        return table

    # ------------------------------------------------------------------ changing

    def save_theme(
        self,
        viewer: Viewer,
        theme: Mapping[str, object],
        reason: str,
        *,
        instrument_key: str = DEFAULT_INSTRUMENT,
        hub: str | None = None,
    ) -> int:
        """Add a theme, or change the one of the same name (a retired one comes back); audited.

        Parameters
        ----------
        viewer : Viewer
            A national or hub user (leads are refused).
        theme : mapping
            ``theme`` (name), ``keywords`` (list, or text separated by semicolons), optional
            ``description`` and ``examples``.
        reason : str
            Why; kept in the audit log.
        instrument_key, hub
            Whose codebook (see :meth:`codebook`).

        Returns
        -------
        int
            The theme's version after the change (unchanged when nothing differed).

        Raises
        ------
        StoreError
            A lead, another hub's codebook, no reason, or a theme with no name or keywords.
        """
        values = theme_values(theme)
        with self._changing(viewer, reason, instrument_key, hub) as change:
            return change.save(values)

    def save_codebook(
        self,
        viewer: Viewer,
        table: pd.DataFrame,
        reason: str,
        *,
        instrument_key: str = DEFAULT_INSTRUMENT,
        hub: str | None = None,
    ) -> list[str]:
        """Make the codebook match an edited table, in one transaction; one audit entry per change.

        Themes in ``table`` are added or changed (matched by name, ignoring case); active themes
        missing from it are retired. A renamed row counts as one theme retired and another
        added: use :meth:`rename_theme` to keep a theme's history.

        Returns
        -------
        list of str
            One sentence per change (empty when nothing changed).

        Examples
        --------
        >>> from evaluation.store import Store
        >>> store = Store.open("sqlite://")
        >>> ann = Viewer.national("ann")
        >>> book = store.codebook(ann).head(2)
        >>> book.loc[1, "description"] = "Recall of number facts"
        >>> store.save_codebook(ann, book, "fewer themes")[:2]
        ['Changed "Fluency and times tables".', 'Retired "Reasoning and talk".']
        """
        themes = [theme_values(row) for row in table.to_dict("records")]
        names = [t["theme"].casefold() for t in themes]
        repeated = sorted({t["theme"] for t in themes if names.count(t["theme"].casefold()) > 1})
        if repeated:
            raise StoreError(
                f'The theme "{repeated[0]}" is listed more than once; give each theme one row.'
            )
        with self._changing(viewer, reason, instrument_key, hub) as change:
            done = []
            for values in themes:
                before = change.find(values["theme"])
                version = before["version"] if before and before["status"] == ACTIVE else None
                if change.save(values) != version:
                    verb = "Changed" if version is not None else "Added"
                    done.append(f'{verb} "{values["theme"]}".')
            for row in change.active():
                if row["theme"].casefold() not in names:
                    change.retire(row["theme"])
                    done.append(f'Retired "{row["theme"]}".')
            return done

    def retire_theme(
        self,
        viewer: Viewer,
        theme: str,
        reason: str,
        *,
        instrument_key: str = DEFAULT_INSTRUMENT,
        hub: str | None = None,
    ) -> None:
        """Take a theme out of the codebook (kept as retired, so it can come back); audited."""
        with self._changing(viewer, reason, instrument_key, hub) as change:
            change.retire(theme)

    def rename_theme(
        self,
        viewer: Viewer,
        theme: str,
        new_name: str,
        reason: str,
        *,
        instrument_key: str = DEFAULT_INSTRUMENT,
        hub: str | None = None,
    ) -> None:
        """Give a theme a new name, keeping its keywords and history; audited.

        Examples
        --------
        >>> from evaluation.store import Store
        >>> store = Store.open("sqlite://")
        >>> ann = Viewer.national("ann")
        >>> store.rename_theme(ann, "Time and workload", "Workload", "shorter")
        >>> store.codebook(ann)["theme"].iloc[-1]
        'Workload'
        """
        new_name = str(new_name).strip()
        if not new_name:
            raise StoreError("Please give the new name.")
        with self._changing(viewer, reason, instrument_key, hub) as change:
            row = change.require(theme)
            clash = change.find(new_name)
            if (
                clash is not None
                and clash["theme_id"] != row["theme_id"]
                and clash["status"] == ACTIVE
            ):
                raise StoreError(f'The codebook already has a theme "{clash["theme"]}".')
            change.update(row, {"theme": new_name}, "codebook_rename", {"renamed_to": new_name})

    def merge_themes(
        self,
        viewer: Viewer,
        themes: Sequence[str],
        *,
        into: str,
        reason: str,
        instrument_key: str = DEFAULT_INSTRUMENT,
        hub: str | None = None,
    ) -> None:
        """Merge themes into one: their keywords and examples joined, the others retired; audited.

        ``into`` may be one of ``themes`` (it keeps its name and description) or a new name.

        Examples
        --------
        >>> from evaluation.store import Store
        >>> store = Store.open("sqlite://")
        >>> ann = Viewer.national("ann")
        >>> store.merge_themes(ann, ["Reasoning and talk", "Pupils' attitudes"],
        ...                    into="Reasoning and talk", reason="overlap")
        >>> book = store.codebook(ann).set_index("theme")
        >>> len(book), "enjoy" in book.loc["Reasoning and talk", "keywords"]
        (7, True)
        """
        into = str(into).strip()
        if not into:
            raise StoreError("Please name the theme to merge into.")
        names = list(dict.fromkeys(str(t).strip() for t in themes if str(t).strip()))
        if len({n.casefold() for n in [*names, into]}) < 2:
            raise StoreError("Choose at least two themes to merge.")
        with self._changing(viewer, reason, instrument_key, hub) as change:
            rows = [change.require(name) for name in names]
            target = change.find(into)
            if target is not None and target["status"] == ACTIVE:
                if all(row["theme_id"] != target["theme_id"] for row in rows):
                    rows.insert(0, target)
            else:
                target = None
            keep = target or rows[0]
            merged = {
                "theme": into,
                "description": keep["description"],
                "keywords": list(dict.fromkeys(k for row in rows for k in row["keywords"])),
                "examples": list(dict.fromkeys(e for row in rows for e in row["examples"])),
            }
            detail = {"merged": [row["theme"] for row in rows], "into": into}
            change.update(keep, merged, "codebook_merge", detail)
            for row in rows:
                if row["theme_id"] != keep["theme_id"]:
                    change.retire(row["theme"], action="codebook_merge", extra=detail)

    # ------------------------------------------------------------------ helpers

    def _readable_hub(self, viewer: Viewer, hub: str | None) -> str | None:
        if viewer.role == "national":
            return hub
        if hub is not None and hub != viewer.hub:
            raise StoreError("You can read only your own hub's codebook.")
        return viewer.hub

    def _changing(
        self, viewer: Viewer, reason: str, instrument_key: str, hub: str | None
    ) -> _Change:
        require_viewer(viewer)
        if viewer.role == "lead":
            raise StoreError(
                "Only national and hub users can change a codebook; Work Group leads can read it."
            )
        if viewer.role == "hub" and hub is not None and hub != viewer.hub:
            raise StoreError("A hub user can change only their own hub's codebook.")
        target = viewer.hub if viewer.role == "hub" else hub
        key = str(instrument_key).strip()
        if not key:
            raise StoreError("Please say which instrument's codebook to change.")
        return _Change(self._engine, actor_name(viewer), required_reason(reason), key, target)


def _stored(connection: Connection, instrument_key: str, hub: str | None) -> list[dict[str, Any]]:
    query = (
        sa.select(codebooks)
        .where(codebooks.c.instrument_key == instrument_key, _hub_condition(hub))
        .order_by(codebooks.c.theme_id)
    )
    return [dict(row) for row in connection.execute(query).mappings()]


def _effective(
    connection: Connection, instrument_key: str, hub: str | None
) -> tuple[list[dict[str, Any]], Source]:
    """The rows that apply to ``hub`` (None: national) and where they come from."""
    if hub is not None:
        own = _stored(connection, instrument_key, hub)
        if own:
            return own, "hub"
    national = _stored(connection, instrument_key, None)
    if national:
        return national, "national"
    return _default_rows(), "default"


class _Unchanged(Exception):
    """Raised into a write transaction in which nothing changed, to roll it back."""


class _Change:
    """One write transaction on one codebook: copies the codebook it starts from, then edits."""

    def __init__(
        self, engine: Engine, who: str, reason: str, instrument_key: str, hub: str | None
    ) -> None:
        self._engine = engine
        self.changed = False
        self.who, self.reason, self.key, self.hub = who, reason, instrument_key, hub

    def __enter__(self) -> _Change:
        self._context = write_transaction(self._engine)
        self.connection = self._context.__enter__()
        self.at = now()
        rows, source = _effective(self.connection, self.key, self.hub)
        if source != ("national" if self.hub is None else "hub"):
            for row in rows:
                values = {k: row[k] for k in ("theme", "description", "keywords", "examples")}
                self.connection.execute(
                    codebooks.insert().values(
                        instrument_key=self.key,
                        hub=self.hub,
                        status=row["status"],
                        version=1,
                        updated_at=self.at,
                        updated_by=self.who,
                        **values,
                    )
                )
            self._audit("codebook_start", None, {"copied_from": source, "n_themes": len(rows)})
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool | None:
        if exc_type is None and not self.changed:
            # Nothing changed: roll back, so that no copy is started and the version stays.
            with contextlib.suppress(_Unchanged):
                self._context.__exit__(_Unchanged, _Unchanged(), None)
            return None
        return self._context.__exit__(exc_type, exc, traceback)

    def _audit(self, action: str, theme: str | None, detail: dict[str, Any]) -> None:
        self.changed = self.changed or action != "codebook_start"
        record(
            self.connection,
            at=self.at,
            who=self.who,
            action=action,
            reason=self.reason,
            detail={"instrument_key": self.key, "hub": self.hub, "theme": theme, **detail},
        )

    def rows(self) -> list[dict[str, Any]]:
        return _stored(self.connection, self.key, self.hub)

    def active(self) -> list[dict[str, Any]]:
        return [row for row in self.rows() if row["status"] == ACTIVE]

    def find(self, name: str) -> dict[str, Any] | None:
        """The row of this name (ignoring case): the active one, else the latest retired."""
        matches = [r for r in self.rows() if r["theme"].casefold() == str(name).strip().casefold()]
        active = [r for r in matches if r["status"] == ACTIVE]
        return (active or matches[::-1] or [None])[0]

    def require(self, name: str) -> dict[str, Any]:
        row = self.find(name)
        if row is None or row["status"] != ACTIVE:
            raise StoreError(f'There is no theme "{str(name).strip()}" in this codebook.')
        return row

    def update(
        self,
        row: dict[str, Any],
        values: dict[str, Any],
        action: str,
        extra: dict[str, Any] | None = None,
    ) -> int:
        version = int(row["version"]) + 1
        self.connection.execute(
            codebooks.update()
            .where(codebooks.c.theme_id == row["theme_id"])
            .values(**values, status=ACTIVE, version=version, updated_at=self.at,
                    updated_by=self.who)
        )  # fmt: skip
        before = {k: row[k] for k in ("theme", "description", "keywords", "examples", "status")}
        after = {**{k: before[k] for k in before if k != "status"}, **values}
        self._audit(action, row["theme"], {"before": before, "after": after, **(extra or {})})
        return version

    def save(self, values: dict[str, Any]) -> int:
        row = self.find(values["theme"])
        if row is None:
            self.connection.execute(
                codebooks.insert().values(
                    instrument_key=self.key,
                    hub=self.hub,
                    status=ACTIVE,
                    version=1,
                    updated_at=self.at,
                    updated_by=self.who,
                    **values,
                )
            )
            self._audit("codebook_add", values["theme"], {"after": values})
            return 1
        same = all(row[k] == values[k] for k in ("theme", "description", "keywords", "examples"))
        if same and row["status"] == ACTIVE:
            return int(row["version"])
        action = "codebook_update" if row["status"] == ACTIVE else "codebook_add"
        return self.update(row, values, action)

    def retire(
        self, name: str, *, action: str = "codebook_retire", extra: dict[str, Any] | None = None
    ) -> None:
        row = self.require(name)
        self.connection.execute(
            codebooks.update()
            .where(codebooks.c.theme_id == row["theme_id"])
            .values(status=RETIRED, version=int(row["version"]) + 1, updated_at=self.at,
                    updated_by=self.who)
        )  # fmt: skip
        self._audit(action, row["theme"], {"retired": True, **(extra or {})})
