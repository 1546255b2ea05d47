"""Change statistics are about the project's own people: comparison-group rows never enter them.

The expected values are the same statistics computed on the frame with the comparison rows
removed by hand (pandas boolean indexing in the test), so the check does not rest on the helper.
"""

from __future__ import annotations

import pandas as pd

from evaluation import columns as c
from evaluation.instruments import default_instrument
from evaluation.stats.attrition import attrition
from evaluation.stats.comparisons import compare
from evaluation.stats.pupils import pupil_change, pupil_summary, score_distribution
from evaluation.stats.reliability import cronbach_alpha
from evaluation.stats.scoring import to_long
from tests.conftest import ROOT

SMALL = ROOT / "sample_data" / "small"


def _with_comparison(own: pd.DataFrame, other: pd.DataFrame) -> pd.DataFrame:
    return pd.concat(
        [own.assign(**{c.GROUP: c.INTERVENTION}), other.assign(**{c.GROUP: c.COMPARISON})],
        ignore_index=True,
    )


def test_pupil_change_summary_and_distribution_leave_comparison_pupils_out() -> None:
    own = pd.read_csv(SMALL / "pupils.csv").head(3000)
    other = pd.read_csv(SMALL / "pupils_comparison.csv").head(3000)
    both = _with_comparison(own, other)
    alone = both[both[c.GROUP].ne(c.COMPARISON)]
    for statistic in (pupil_change, pupil_summary, score_distribution):
        pd.testing.assert_frame_equal(
            statistic(both, by=[c.ACADEMIC_YEAR]), statistic(alone, by=[c.ACADEMIC_YEAR])
        )


def test_survey_change_alpha_and_attrition_leave_a_waiting_list_cohort_out() -> None:
    instrument = default_instrument()
    own = pd.read_csv(SMALL / "surveys.csv").head(2000)
    other = pd.read_csv(SMALL / "surveys_comparison.csv")
    both = _with_comparison(own, other)
    alone = both[both[c.GROUP].ne(c.COMPARISON)]
    by = [c.ACADEMIC_YEAR]
    pd.testing.assert_frame_equal(
        compare(to_long(both, instrument), by=by), compare(to_long(alone, instrument), by=by)
    )
    pd.testing.assert_frame_equal(
        cronbach_alpha(both, instrument, by=by), cronbach_alpha(alone, instrument, by=by)
    )
    pd.testing.assert_frame_equal(
        attrition(both, instrument, by=by), attrition(alone, instrument, by=by)
    )
    kept = to_long(both, instrument, include_comparison=True)
    assert len(kept) > len(to_long(alone, instrument))
