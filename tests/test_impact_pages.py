"""AppTest of the impact views with comparison data in the store, for hub and national viewers.

The National comparison page pools each hub's impact on pupils (Knapp-Hartung). A hub viewer's
rows are their own hub's, so the pool is computed from every hub's rows and only the pooled
value reaches them, hidden [c] when it pools fewer than MIN_POOLED_HUBS hubs (beside their own
hub's figures a smaller pool would give another hub's away: the rule pooled change follows).
An arm with fewer than 2 schools gets a reason, not a number. Expected values come from the
analysis layer called here on the stored rows, and from the random-effects formula.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # app_support sits beside app.py, outside the installed packages

from app_support.auth import TEST_VIEWER_KEY  # noqa: E402
from evaluation import columns as c  # noqa: E402
from evaluation.access import MIN_POOLED_HUBS, Viewer, pooled_hidden_reason  # noqa: E402
from evaluation.analysis.impact import national_impact, pupil_impact_analysis  # noqa: E402
from evaluation.stats.pooling import random_effects  # noqa: E402
from evaluation.store import Store  # noqa: E402

APP = str(ROOT / "app.py")
TIMEOUT = 240
YEAR, EARLIER = "2024/25", "2023/24"
OWN = "Solent Maths Hub"
OTHERS = ["Great North Maths Hub", "Abacus NW Maths Hub", "Turing NW Maths Hub"]
# Project -> hubs whose pupils have comparison schools: 4 hubs (shown to a hub viewer), 3 and 2
# (hidden from a hub viewer: with their own hub's figures the pool could give others' away).
POOLS = {
    "Mastering Number at KS2": [OWN, *OTHERS],
    "Mastering Number at Reception and KS1": [OWN, *OTHERS[:2]],
    "Primary Mastery Readiness": [OWN, OTHERS[0]],
}
SHOWN = "Mastering Number at KS2"
HUB_VIEWER = Viewer(role="hub", hub=OWN, name="board@solent.example")
NATIONAL = Viewer.national("team@ncetm.example")
ITEMS = ["conf_1", "conf_2", "know_1", "know_2", "prac_1", "prac_2"]


# AppTest as the server runs it (conftest).
pytestmark = pytest.mark.usefixtures("app_like_the_server")


# ------------------------------------------------------------------ data


def pupil_rows(
    hub: str, ncp: str, seed: int, *, year: str = YEAR, comparison_schools: int = 4
) -> pd.DataFrame:
    """4 intervention schools and ``comparison_schools`` comparison schools of 12 pupils each."""
    rng = np.random.default_rng(seed)
    schools = 4 + comparison_schools
    school = np.repeat(np.arange(schools), 12)
    treated = school < 4
    n = school.size
    pre = np.clip(np.round(rng.normal(14, 4, n)), 0, 25)
    post = pre + 2 + 1.5 * treated + rng.normal(0, 1, schools)[school] + rng.normal(0, 2.5, n)
    return pd.DataFrame(
        {
            "pupil_id": [f"p{seed}-{i}" for i in range(n)] * 2,
            "school_urn": np.tile(200000 + 100 * seed + school, 2),
            "hub": hub,
            "ncp": ncp,
            "academic_year": year,
            "year_group": 4,
            "phase": ["pre"] * n + ["post"] * n,
            "measure": "MTC",
            "score": np.concatenate([pre, np.clip(np.round(post), 0, 25)]),
            "group": np.tile(np.where(treated, "intervention", "comparison"), 2),
        }
    )


def survey_rows(hub: str, seed: int, people: int = 12) -> pd.DataFrame:
    """Teachers answering before and after (the National page starts from survey results)."""
    rng = np.random.default_rng(seed)
    pre = rng.integers(1, 4, size=(people, len(ITEMS))).astype(float)
    post = np.clip(pre + rng.integers(0, 3, size=pre.shape), 1, 5)
    rows = []
    for phase, answers in (("pre", pre), ("post", post)):
        for i, values in enumerate(answers):
            rows.append(
                {"respondent_id": f"t{seed}-{i}", "phase": phase, "academic_year": YEAR,
                 "hub": hub, "ncp": SHOWN, "work_group": f"WG-{seed}",
                 "school_urn": 100000 + seed, **dict(zip(ITEMS, values, strict=True))}
            )  # fmt: skip
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def comparison_store(tmp_path_factory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("impact_pages")
    url = f"sqlite:///{home / 'impact.sqlite'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IMPACT_HOME", str(home))
        patch.setenv("DATABASE_URL", url)
        patch.setenv("IMPACT_SECRET", "impact pages test key")
        store = Store.open(url, secret=b"impact pages test key")
        surveys = pd.concat(
            [survey_rows(hub, seed) for seed, hub in enumerate([OWN, *OTHERS], start=1)],
            ignore_index=True,
        )
        assert store.add_frame(surveys, kind="survey", file_name="s.csv").status == "stored"
        seed = 10
        for ncp, hubs in POOLS.items():
            for hub in hubs:
                seed += 1
                rows = pupil_rows(hub, ncp, seed)
                assert store.add_frame(rows, kind="pupil", file_name=f"{seed}.csv").status == (
                    "stored"
                )
        # An earlier year in which the hub's comparison pupils come from a single school.
        one = pupil_rows(OWN, SHOWN, 99, year=EARLIER, comparison_schools=1)
        assert store.add_frame(one, kind="pupil", file_name="one.csv").status == "stored"
        store.close()
        yield url


def stored_pupils() -> pd.DataFrame:
    store = Store.open()
    try:
        return store.load_pupils(NATIONAL, academic_year=YEAR)
    finally:
        store.close()


def open_page(page: str, viewer: Viewer) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state[TEST_VIEWER_KEY] = viewer
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    assert not [e.value for e in at.error if "went wrong" in e.value], [e.value for e in at.error]
    return at


def page_text(at: AppTest) -> str:
    """What the page says (markdown unescaped) and the tables it shows."""
    parts = [re.sub(r"\\(.)", r"\1", m.value) for m in at.markdown]
    parts += [i.value for i in at.info]
    parts += [frame.value.to_csv() for frame in at.dataframe]
    return "\n".join(parts)


def pooled_table(at: AppTest) -> pd.DataFrame:
    """The pooled impact table as the page shows it."""
    frame = next(f.value for f in at.dataframe if {"outcome", "k"} <= set(f.value.columns))
    return frame.reset_index(drop=True)


def expected_pooled(viewer: Viewer) -> pd.DataFrame:
    rows = stored_pupils()
    per_hub = pupil_impact_analysis(rows, by=[c.HUB, c.NCP, c.ACADEMIC_YEAR]).table
    return national_impact(per_hub, by=[c.NCP, c.ACADEMIC_YEAR, "outcome"], viewer=viewer)


# ------------------------------------------------------------------ tests


def test_a_hub_viewer_sees_the_impact_pooled_over_every_hub_when_no_hub_can_be_backed_out(
    comparison_store,
):
    at = open_page("pages/national.py", HUB_VIEWER)
    text = page_text(at)
    assert "Fewer than 2 hubs have an impact estimate" not in text  # no longer only their hub
    table = pooled_table(at).set_index(c.NCP)
    assert sorted(table.index) == sorted(POOLS)
    # Only pooled values are handed over: no per-hub row, count, spread or note.
    assert set(table.columns) == {
        c.ACADEMIC_YEAR, "outcome", "k", "estimate", "ci_low", "ci_high", "suppressed",
        "suppression_reason",
    }  # fmt: skip
    for ncp, hubs in POOLS.items():
        assert int(table.loc[ncp, "k"]) == len(hubs)
    shown = table.loc[SHOWN]
    assert len(POOLS[SHOWN]) >= MIN_POOLED_HUBS and not bool(shown["suppressed"])
    assert f"{SHOWN} · {YEAR} · MTC: pooled over {len(POOLS[SHOWN])} hubs" in text
    expected = expected_pooled(HUB_VIEWER).set_index(c.NCP).loc[SHOWN]
    for column in ("estimate", "ci_low", "ci_high"):
        assert float(shown[column]) == pytest.approx(float(expected[column]), abs=1e-9)
    # Independently: the unrounded pool is REML random effects with the Knapp-Hartung interval
    # over every hub's g, and the rounded interval a hub viewer sees still covers it.
    per_hub = pupil_impact_analysis(stored_pupils().query("ncp == @SHOWN"), by=[c.HUB]).table
    fit = random_effects(
        per_hub["g"].to_numpy(float), per_hub["g_se"].to_numpy(float) ** 2, "REML", "knha"
    )
    assert float(shown["ci_low"]) <= fit.ci_low and fit.ci_high <= float(shown["ci_high"])
    assert abs(float(shown["estimate"]) - fit.estimate) <= 0.05 + 1e-9
    # The thin pools are hidden, and the page says why.
    for ncp, hubs in POOLS.items():
        if len(hubs) >= MIN_POOLED_HUBS:
            continue
        assert table.loc[ncp, "estimate"] == "[c]"
        assert table.loc[ncp, "suppression_reason"] == pooled_hidden_reason()
    reason = (
        f"the pooled impact is hidden [c] ({pooled_hidden_reason()}): beside your own hub's "
        "figures, a smaller pool could give another hub's result away."
    )
    assert text.count(reason) == sum(len(h) < MIN_POOLED_HUBS for h in POOLS.values())
    for hub in OTHERS:
        assert hub not in text


def test_a_national_viewer_sees_every_pool_unrounded(comparison_store):
    at = open_page("pages/national.py", NATIONAL)
    table = pooled_table(at).set_index(c.NCP)
    expected = expected_pooled(NATIONAL).set_index(c.NCP)
    assert sorted(table.index) == sorted(POOLS)
    for ncp in POOLS:
        assert float(table.loc[ncp, "estimate"]) == pytest.approx(
            round(float(expected.loc[ncp, "estimate"]), 3), abs=1e-9
        )
        assert f"pooled over {len(POOLS[ncp])} hubs" in page_text(at)


def test_an_arm_with_one_school_gets_a_reason_instead_of_a_number(comparison_store):
    at = open_page("pages/pupils.py", HUB_VIEWER)
    text = page_text(at)
    start = f"{SHOWN} · {EARLIER} · MTC"  # the hub viewer's pupils are in several projects
    readings = [line for line in text.splitlines() if line.startswith(start)]
    assert readings, text
    (reading,) = readings
    assert "impact cannot be estimated" in reading
    assert "The comparison group has pupils from only 1 school" in reading
    assert re.search(r"at least 2 schools", reading)
    assert f"{SHOWN} · {YEAR} · MTC: impact against the comparison group of" in text


READING = re.compile(r"^(?:(?P<ncp>.+) · )?(?P<year>\d{4}/\d{2}) · MTC: impact ")


def impact_lines(at: AppTest) -> list[re.Match]:
    """The impact readings on the page, each split into the project (if named) and year."""
    lines = page_text(at).splitlines()
    return [found for line in lines if (found := READING.match(line))]


@pytest.mark.parametrize("page", ["pages/pupils.py", "pages/hub_overview.py"])
def test_each_impact_reading_names_its_project_when_the_view_holds_several(comparison_store, page):
    at = open_page(page, HUB_VIEWER)
    with Store.open() as store:
        own = store.load_pupils(NATIONAL, hub=OWN)
    expected = sorted(own[[c.NCP, c.ACADEMIC_YEAR]].drop_duplicates().itertuples(index=False))
    assert own[c.NCP].nunique() > 1
    named = sorted((m["ncp"], m["year"]) for m in impact_lines(at))
    assert named == sorted(tuple(pair) for pair in expected)


def test_a_view_of_one_project_names_only_the_year(comparison_store):
    at = open_page("pages/pupils.py", HUB_VIEWER)
    at.selectbox(key="filter_ncp").set_value(SHOWN).run()
    assert not at.exception, [e.message for e in at.exception]
    found = impact_lines(at)
    assert sorted(m["year"] for m in found) == [EARLIER, YEAR]
    assert [m["ncp"] for m in found] == [None, None]
