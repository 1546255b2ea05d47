"""Survey instruments: which columns are Likert items, their scale, labels and constructs.

An instrument is a small frozen value; the default one is loaded from reference data and a lead's
own can be built from the items detected in an uploaded file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from schemas import reference

__all__ = ["Instrument", "Item", "canonical_labels", "default_instrument"]


@dataclass(frozen=True)
class Item:
    """One Likert item of an instrument.

    Attributes
    ----------
    item : str
        Stable id, a valid Python identifier (``conf_1``); the column name in canonical frames.
    text : str
        The question as asked (the header in a survey export).
    construct : str
        The scale the item belongs to (``confidence``).
    reverse : bool
        True when agreeing means *less* of the construct; scored ``min + max - x``.
    label_set : str
        The answer labels used (``agreement``, ``confidence``, ``frequency``).
    """

    item: str
    text: str
    construct: str
    reverse: bool = False
    label_set: str = "agreement"


@dataclass(frozen=True)
class Instrument:
    """A survey instrument: items, scale and constructs.

    ``min_item_share`` is the share of a construct's items a respondent must have answered for
    a construct score (default half).

    Examples
    --------
    >>> inst = default_instrument()
    >>> inst.scale_min, inst.scale_max
    (1, 5)
    >>> inst.items_of("confidence")
    ('conf_1', 'conf_2', 'conf_3')
    """

    name: str
    items: tuple[Item, ...]
    scale_min: int = 1
    scale_max: int = 5
    # A construct score needs at least this share of the construct's items answered (and, for
    # a matched pair, answered both before and after): see stats.scoring.construct_scores.
    min_item_share: float = 0.5
    labels: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, hash=False)

    @property
    def item_ids(self) -> tuple[str, ...]:
        """Item ids in instrument order."""
        return tuple(i.item for i in self.items)

    @property
    def constructs(self) -> tuple[str, ...]:
        """Construct names in first-appearance order."""
        return tuple(dict.fromkeys(i.construct for i in self.items))

    @property
    def reverse_items(self) -> tuple[str, ...]:
        """Ids of reverse-coded items."""
        return tuple(i.item for i in self.items if i.reverse)

    def items_of(self, construct: str) -> tuple[str, ...]:
        """Item ids belonging to ``construct``."""
        return tuple(i.item for i in self.items if i.construct == construct)

    def item(self, item_id: str) -> Item:
        """The item with id ``item_id`` (KeyError if absent)."""
        for candidate in self.items:
            if candidate.item == item_id:
                return candidate
        raise KeyError(item_id)

    def point_labels(self, label_set: str) -> tuple[str, ...]:
        """Canonical labels for each scale point, lowest first."""
        if label_set in self.labels:
            return self.labels[label_set]
        return canonical_labels(label_set, self.scale_min, self.scale_max)

    def to_table(self) -> pd.DataFrame:
        """The instrument as a table with columns item, text, construct, reverse, label_set."""
        return pd.DataFrame(
            [vars(i) for i in self.items],
            columns=["item", "text", "construct", "reverse", "label_set"],
        )

    @classmethod
    def from_table(
        cls,
        table: pd.DataFrame,
        *,
        name: str = "custom",
        scale_min: int = 1,
        scale_max: int = 5,
        min_item_share: float = 0.5,
    ) -> Instrument:
        """Build an instrument from a table like :meth:`to_table` returns."""
        items = tuple(
            Item(
                item=str(r.item),
                text=str(r.text),
                construct=str(r.construct),
                reverse=bool(r.reverse),
                label_set=str(r.label_set),
            )
            for r in table.itertuples(index=False)
        )
        return cls(
            name=name,
            items=items,
            scale_min=scale_min,
            scale_max=scale_max,
            min_item_share=min_item_share,
        )


def canonical_labels(label_set: str, scale_min: int = 1, scale_max: int = 5) -> tuple[str, ...]:
    """Canonical labels of ``label_set`` for scores ``scale_min..scale_max``.

    Examples
    --------
    >>> canonical_labels("agreement")[0]
    'Strongly disagree'
    """
    table = reference.likert_labels()
    rows = table[(table["label_set"] == label_set) & table["canonical"]].set_index("score")
    return tuple(str(rows.loc[s, "label"]) for s in range(scale_min, scale_max + 1))


def default_instrument() -> Instrument:
    """The default teacher survey (confidence, subject knowledge, practice; 9 items, 1-5).

    Examples
    --------
    >>> len(default_instrument().items)
    9
    """
    return Instrument.from_table(reference.default_instrument_table(), name="default")
