"""MDES of a two-level cluster design (evaluation.stats.mdes).

Expected values: the formula of Bloom (2006) / PowerUp! (Dong & Maynard 2013, CRA2_2r, with
``J - 2`` degrees of freedom) written out here with SciPy 1.17 ``stats.t.ppf`` one design at a time.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats

from evaluation.stats.mdes import MDES_COLUMNS, design_mdes, mdes, mdes_table


def formula(j, n, icc, r1, r2, p, alpha=0.05, power=0.80):
    m = stats.t.ppf(1 - alpha / 2, j - 2) + stats.t.ppf(power, j - 2)
    return m * math.sqrt(
        icc * (1 - r2) / (p * (1 - p) * j) + (1 - icc) * (1 - r1) / (p * (1 - p) * j * n)
    )


GRID = list(
    itertools.product(
        [4, 10, 31, 60, 200],  # clusters
        [1, 6, 25.5],  # per cluster
        [0.0, 0.05, 0.15, 0.3],  # ICC
        [0.0, 0.5, 0.8],  # R² individual
        [0.0, 0.6],  # R² cluster
        [0.3, 0.5],  # share in intervention
    )
)


def test_mdes_equals_the_formula_over_a_grid():
    j, n, icc, r1, r2, p = (np.array(v, dtype=float) for v in zip(*GRID, strict=True))
    expected = np.array([formula(*design) for design in GRID])
    np.testing.assert_allclose(mdes(j, n, icc, r1, r2, p), expected, rtol=1e-9, atol=0)


def test_scalars_in_a_float_out_and_other_alpha_and_power():
    value = mdes(40, 20, 0.2, 0.5, 0.5, 0.5, alpha=0.10, power=0.90)
    assert isinstance(value, float)
    assert value == pytest.approx(formula(40, 20, 0.2, 0.5, 0.5, 0.5, 0.10, 0.90), rel=1e-9)


def test_inputs_broadcast_against_each_other():
    values = mdes(np.array([[20], [40]]), np.array([10, 20, 30]), 0.1)
    assert values.shape == (2, 3)
    assert values[1, 2] == pytest.approx(formula(40, 30, 0.1, 0, 0, 0.5), rel=1e-9)


@pytest.mark.parametrize(
    "design",
    [(2, 20, 0.1, 0, 0, 0.5), (30, 0, 0.1, 0, 0, 0.5), (30, 20, 1.5, 0, 0, 0.5),
     (30, 20, 0.1, 1.0, 0, 0.5), (30, 20, 0.1, 0, 0, 1.0)],
)  # fmt: skip
def test_impossible_designs_give_nan(design):
    assert math.isnan(mdes(*design))


def test_more_schools_detect_smaller_effects():
    values = mdes(np.arange(6, 200), 25, 0.15, 0.5, 0.5)
    assert np.all(np.diff(values) < 0)


def test_table_and_dataclass_carry_the_inputs_and_multiplier():
    table = mdes_table([30, 60], 20, 0.1, 0.5)
    assert list(table.columns) == list(MDES_COLUMNS)
    assert table["df"].tolist() == [28.0, 58.0]
    assert table["multiplier"].iloc[0] == pytest.approx(
        stats.t.ppf(0.975, 28) + stats.t.ppf(0.8, 28), rel=1e-12
    )
    result = design_mdes(30, 20, 0.1, 0.5)
    assert result.mdes == pytest.approx(formula(30, 20, 0.1, 0.5, 0, 0.5), rel=1e-9)
    with pytest.raises(AttributeError):
        result.mdes = 0.0  # frozen


def test_published_powerupr_value():
    # PowerUpR (Dong & Maynard's PowerUp! in R) ``mdes.cra2r2(rho2=.17, n=15, J=20)`` prints
    # "0.629 95% CI [0.183,1.075]", 18 degrees of freedom (output quoted in the pyPowerUp test
    # suite, tests/test_mde.py, test_cra2r2).
    assert mdes(20, 15, 0.17) == pytest.approx(0.629, abs=5e-4)
