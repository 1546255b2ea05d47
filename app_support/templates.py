"""Files to start from on the upload page: a survey file, a pupil file, the instrument's items.

Templates name the viewer's own hub, never another hub's.
"""

from __future__ import annotations

import pandas as pd

from app_support.auth import current_viewer
from evaluation import columns as c
from evaluation.instruments import Instrument, default_instrument
from schemas import reference

__all__ = ["example_hub", "instrument_table", "pupil_template", "survey_template"]


def example_hub() -> str:
    """The hub named in templates: the viewer's own (never another hub's name)."""
    viewer = current_viewer()
    return viewer.hub if viewer.hub else str(reference.hubs()["name"].iloc[0])


def survey_template(instrument: Instrument | None = None) -> pd.DataFrame:
    """An empty-but-for-two-examples survey file with the headers the reader knows best."""
    instrument = instrument or default_instrument()
    hub = example_hub()
    ncp = reference.ncps()["name"].iloc[0]
    rows = []
    for phase, answer in (("pre", 3), ("post", 4)):
        row: dict[str, object] = {
            c.RESPONDENT_ID: "T001",
            c.PHASE: phase,
            c.ACADEMIC_YEAR: "2025/26",
            c.HUB: hub,
            c.NCP: ncp,
            c.WORK_GROUP: "WG-01",
            c.SCHOOL_URN: 100000,
        }
        for item in instrument.items:
            row[item.item] = answer
        row["text_comments"] = ""
        rows.append(row)
    return pd.DataFrame(rows)


def pupil_template() -> pd.DataFrame:
    """A pupil MTC file with the expected headers and two example rows."""
    hub = example_hub()
    return pd.DataFrame(
        {
            c.PUPIL_ID: ["P001", "P001"],
            c.SCHOOL_URN: [100000, 100000],
            c.HUB: [hub, hub],
            c.NCP: ["Mastering Number at KS2"] * 2,
            c.ACADEMIC_YEAR: ["2025/26"] * 2,
            c.YEAR_GROUP: [4, 4],
            c.PHASE: ["pre", "post"],
            c.MEASURE: ["MTC", "MTC"],
            c.SCORE: [18, 22],
            c.DISADVANTAGED: [False, False],
            c.SEX: ["F", "F"],
            c.SEN: [False, False],
            c.EAL: [False, False],
        }
    )


def instrument_table(instrument: Instrument) -> pd.DataFrame:
    """The instrument's items with their question text (for the template's second download)."""
    return instrument.to_table()
