"""Board packs: every hub builds, nothing leaks, text is escaped, PDF and browser work."""

from __future__ import annotations

import html as html_module
import io
import os
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from pypdf import PdfReader

from evaluation.access import MIN_POOLED_HUBS, Viewer, pooled_hidden_reason
from evaluation.instruments import default_instrument
from evaluation.presentation.reports import (
    SYNTHETIC_BANNER,
    ReportInputs,
    build_board_pack,
    load_inputs,
)
from evaluation.presentation.reports.document import Chart
from evaluation.presentation.reports.html import escape
from evaluation.presentation.reports.pdf import CHROMIUM_ARGS
from schemas.reference import hubs

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "board_pack"
YEAR = "2024/25"
HUB_SECTIONS = (
    "Headline results",
    "Participation",
    "Results by project",
    "Comparison with the national picture",
    "Trends across years",
    "Methods",
    "Data provenance",
    "Suppression notes",
)


# sample_inputs and sample_analysis are session fixtures (conftest): the deck tests
# (test_slides.py) build the same pack.


@pytest.fixture(scope="module")
def solent_pack(sample_inputs, sample_analysis):
    """One hub's pack with its PDF, also saved under test-artifacts/ for people to look at."""
    pack = build_board_pack(
        sample_inputs,
        viewer=Viewer.national(),
        hub="Solent Maths Hub",
        academic_year=YEAR,
        analysis=sample_analysis,
    )
    assert pack.ok, pack.problem
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    _write_whole(ARTIFACTS / "report.html", pack.html.encode("utf-8"))
    if pack.pdf is not None:
        _write_whole(ARTIFACTS / "report.pdf", pack.pdf)
    return pack


def _write_whole(path: Path, data: bytes) -> None:
    """Write ``path`` whole at once: two pytest-xdist workers may both write it."""
    part = path.with_name(f"{path.name}.{os.getpid()}.part")
    part.write_bytes(data)
    os.replace(part, path)


# ---------------------------------------------------------------------------- small frames


def _survey(
    hub: str,
    ncp: str,
    n: int,
    *,
    seed: int,
    year: str = YEAR,
    shift: float = 0.6,
    texts: dict[int, str] | None = None,
) -> pd.DataFrame:
    """n people answering pre and post; post answers higher by about ``shift`` points."""
    rng = np.random.default_rng(seed)
    inst = default_instrument()
    rows = []
    for i in range(n):
        base = rng.integers(1, 5, size=len(inst.item_ids)).astype(float)
        after = np.clip(base + rng.choice([0, 1, 1, 2, -1], size=base.size) * shift, 1, 5)
        after = np.round(after)
        for phase, values in (("pre", base), ("post", after)):
            row = {
                "respondent_id": f"{hub[:3]}-{ncp[:3]}-{i}",
                "phase": phase,
                "academic_year": year,
                "hub": hub,
                "ncp": ncp,
                "work_group": f"{hub[:3]}-{ncp[:3]}-WG",
                "school_urn": 100000 + seed * 100 + i,
                "dataset_id": 1,
                **dict(zip(inst.item_ids, values, strict=True)),
                "text_what_changed": (texts or {}).get(i) if phase == "post" else None,
            }
            rows.append(row)
    frame = pd.DataFrame(rows)
    frame["school_urn"] = frame["school_urn"].astype("Int64")
    return frame


def _datasets(file_name: str = "surveys.csv", uploader: str = "A. Lead") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "dataset_id": [1],
            "kind": ["survey"],
            "status": ["active"],
            "synthetic": [False],
            "n_rows": [0],
            "file_name": [file_name],
            "sha256": ["ab" * 32],
            "uploader": [uploader],
            "uploaded_at": [pd.Timestamp("2025-07-01 10:00", tz="UTC")],
        }
    )


def _inputs(frames: list[pd.DataFrame], **kw) -> ReportInputs:
    return ReportInputs(
        surveys=pd.concat(frames, ignore_index=True),
        instrument=default_instrument(),
        datasets=kw.pop("datasets", _datasets()),
        **kw,
    )


# ---------------------------------------------------------------------------- every hub


def test_board_pack_builds_for_every_hub_and_names_no_other_hub(sample_inputs, sample_analysis):
    names = hubs()["name"].astype(str).tolist()
    assert len(names) == 40
    for hub in names:
        pack = build_board_pack(
            sample_inputs,
            viewer=Viewer.national(),
            hub=hub,
            academic_year=YEAR,
            analysis=sample_analysis,
            pdf=False,
        )
        assert pack.ok, f"{hub}: {pack.problem}"
        assert pack.title.startswith(hub)
        for section in HUB_SECTIONS:
            assert section in pack.sections, f"{hub}: no {section}"
        others = [other for other in names if other != hub]
        leaked = [other for other in others if other in pack.html]
        assert leaked == [], f"{hub} report names {leaked}"
        for name, table in pack.tables.items():
            cells = [str(v) for v in table.to_numpy().ravel()] + list(map(str, table.columns))
            assert not [other for other in others if any(other in cell for cell in cells)], name


def test_hub_report_shows_no_other_hubs_rows_counts_or_text():
    # Hub B has a distinctive count (37 people) and open text; hub A's pack must show neither.
    a = _survey("Solent Maths Hub", "Mastering Number at KS2", 12, seed=1)
    b = _survey(
        "Sussex Maths Hub",
        "Mastering Number at KS2",
        37,
        seed=2,
        texts={i: f"sussex secret answer number {i}" for i in range(37)},
    )
    c = _survey("Jurassic Maths Hub", "Mastering Number at KS2", 9, seed=3)
    pack = build_board_pack(
        _inputs([a, b, c]),
        viewer=Viewer(role="hub", hub="Solent Maths Hub", name="Board clerk"),
        hub="Solent Maths Hub",
        academic_year=YEAR,
        pdf=False,
    )
    assert pack.ok, pack.problem
    for text in ("Sussex", "Jurassic", "sussex secret"):
        assert text not in pack.html
    participation = pack.tables["participation_by_project"]
    # The hub's own rows only: 12 people answered before, never 37, 9 or the national 58.
    assert participation["n_pre"].tolist() == [12.0, 12.0]
    assert "37" not in [str(v) for v in participation.to_numpy().ravel()]
    comparison = pack.tables["national_comparison"]
    assert set(comparison.columns) >= {"hub_estimate", "national_estimate", "hubs_pooled"}
    assert comparison["hubs_pooled"].eq(3).all()  # pooled over the three hubs, shown only as a pool


def test_hub_effect_equals_the_paired_standardised_change_worked_by_hand():
    a = _survey("Solent Maths Hub", "Mastering Number at KS2", 14, seed=11)
    others = [
        _survey("Sussex Maths Hub", "Mastering Number at KS2", 11, seed=12),
        _survey("Jurassic Maths Hub", "Mastering Number at KS2", 16, seed=13),
    ]
    pack = build_board_pack(
        _inputs([a, *others]),
        viewer=Viewer.national(),
        hub="Solent Maths Hub",
        academic_year=YEAR,
        pdf=False,
    )
    row = pack.tables["national_comparison"].set_index("item").loc["confidence"]
    # By hand: confidence = mean(conf_1, conf_2, 6 - conf_3) (conf_3 reverse-worded, 1-5 scale);
    # d_z = mean(post - pre) / SD(post - pre) with n - 1 (Cohen 1988, paired d_z).
    score = (a["conf_1"] + a["conf_2"] + (6 - a["conf_3"])) / 3
    wide = a.assign(score=score).pivot(index="respondent_id", columns="phase", values="score")
    change = (wide["post"] - wide["pre"]).to_numpy()
    expected = change.mean() / change.std(ddof=1)
    assert row["hub_estimate"] == pytest.approx(expected, rel=1e-9)
    assert int(row["hub_n"]) == 14


# ---------------------------------------------------------------------------- suppression


def test_small_project_is_shown_as_c_and_listed_in_the_suppression_notes():
    big, middle, small_ncp = _known_ncps()[:3]
    frames = [
        _survey("Solent Maths Hub", big, 12, seed=21),
        _survey("Solent Maths Hub", middle, 10, seed=22),
        _survey("Solent Maths Hub", small_ncp, 3, seed=23),
    ]
    pack = build_board_pack(
        _inputs(frames),
        viewer=Viewer.national(),
        hub="Solent Maths Hub",
        academic_year=YEAR,
        pdf=False,
    )
    assert pack.ok, pack.problem
    participation = pack.tables["participation_by_project"].set_index("project")
    assert bool(participation.loc[small_ncp, "suppressed"])
    assert pd.isna(participation.loc[small_ncp, "n_pre"])
    # A total row is shown, so exactly one more project is hidden (secondary suppression).
    projects = participation.drop(index="All")
    assert int(projects["suppressed"].sum()) == 2
    assert "[c]" in pack.html
    document = pack.document
    notes = [s for s in document.sections if s.title == "Suppression notes"][0]
    text = " ".join(getattr(p, "text", "") + " ".join(getattr(p, "items", ())) for p in notes.parts)
    assert "fewer than 5 respondents" in text
    assert "Participation by project" in text
    results = pack.tables[f"results_{re.sub(r'[^a-z0-9]+', '_', small_ncp.lower()).strip('_')}"]
    assert results["suppressed"].all() and results["mean_change"].isna().all()


# ---------------------------------------------------------------------------- thin national pools

NCP = "Mastering Number at KS2"
HUB_A, HUB_B, HUB_C = "Solent Maths Hub", "Sussex Maths Hub", "Jurassic Maths Hub"
HUB_D = "Great North Maths Hub"
HUB_A_VIEWER = Viewer(role="hub", hub=HUB_A, name="Board clerk")
GENERATED = datetime(2025, 7, 2, 9, 30, tzinfo=UTC)


def _pack(frames: list[pd.DataFrame], viewer: Viewer, year: str = YEAR):
    pack = build_board_pack(
        _inputs(frames),
        viewer=viewer,
        hub=HUB_A,
        academic_year=year,
        pdf=False,
        generated=GENERATED,
    )
    assert pack.ok, pack.problem
    return pack


def _everything_shown(pack) -> str:
    """The report as a reader can get it: visible HTML text, chart data and every export."""
    body = pack.html.split("<main>", 1)[1]  # after the inline plotly.js library
    text = html_module.unescape(
        re.sub(r"<[^>]+>", " ", re.sub(r"(?s)<script.*?</script>", " ", body))
    )
    charts = []
    for section in pack.document.sections:
        for part in section.parts:
            if isinstance(part, Chart):
                for trace in part.figure.data:
                    for key in ("x", "y", "text", "hovertext"):
                        values = getattr(trace, key, None)
                        charts.append(" ".join(map(str, values)) if values is not None else "")
                    for key in ("error_x", "error_y"):
                        bars = getattr(trace, key, None)
                        if bars is not None:
                            charts.append(f"{bars.array} {bars.arrayminus}")
    exports = [pack.table_csv(name).decode("utf-8-sig") for name in pack.tables]
    return "\n".join([text, *charts, *exports])


def _has_number(text: str, value: float, digits: int) -> bool:
    """``value`` printed to ``digits`` places appears as a number of its own (not inside another).

    A count (``digits`` 0) also matches ``18.0``; ``0.81`` does not match inside ``0.8123``.
    """
    shown = re.escape(f"{value:.{digits}f}")
    return re.search(rf"(?<![\d.]){shown}(?!\d)", text) is not None


def test_two_hub_national_pool_is_hidden_from_a_hub_viewer_and_shown_nationally():
    # Hub A: 7 matched people; hub B: 11 with a larger shift. Together the national pool is
    # 18 people over two hubs, so A's own result and the pooled value would give away B's.
    # Seeds chosen so that no other number in A's pack happens to print like a pooled value.
    frames = [_survey(HUB_A, NCP, 7, seed=7, shift=0.3), _survey(HUB_B, NCP, 11, seed=8, shift=1.0)]
    national = _pack(frames, Viewer.national())
    hub = _pack(frames, HUB_A_VIEWER)

    full = national.tables["national_comparison"]
    assert full["hubs_pooled"].eq(2).all() and full["national_n"].eq(18).all()
    secret = full[["national_estimate", "national_ci_low", "national_ci_high"]].to_numpy()
    assert np.isfinite(secret).all()
    everything = _everything_shown(national)
    assert _has_number(everything, float(full["national_estimate"].iloc[0]), 2)
    assert _has_number(everything, 18, 0)

    shown = _everything_shown(hub)
    for count in (11, 18):
        assert not _has_number(shown, count, 0), count
    for value in secret.ravel():
        for digits in (2, 4):
            assert not _has_number(shown, float(value), digits), (value, digits)
    assert pooled_hidden_reason() in shown
    comparison = hub.tables["national_comparison"]
    assert "national_n" not in comparison
    assert comparison["national_suppressed"].all()
    assert comparison["national_estimate"].isna().all() and comparison["band"].isna().all()
    # The hub's own result still shows.
    assert comparison["hub_estimate"].notna().all() and comparison["hub_n"].eq(7).all()
    notes = [s for s in hub.document.sections if s.key == "suppression"][0]
    note_text = " ".join(
        getattr(p, "text", "") + " ".join(getattr(p, "items", ())) for p in notes.parts
    )
    assert (
        f"National comparison: 3 national values (fewer than {MIN_POOLED_HUBS} hubs pooled)"
        in note_text
    )
    assert "never shown" in note_text


def _on_step(values, step: float = 0.05) -> np.ndarray:
    """Rounded to the nearest multiple of ``step`` (what a hub viewer sees of a d_z pool)."""
    return np.round(np.round(np.asarray(values, dtype=float) / step) * step, 6)


def test_three_hub_national_pool_is_hidden_from_a_hub_viewer():
    # Three hubs leave only two besides the viewer's own: hidden, like two.
    frames = [
        _survey(HUB_A, NCP, 7, seed=41, shift=0.3),
        _survey(HUB_B, NCP, 11, seed=42),
        _survey(HUB_C, NCP, 9, seed=43, shift=0.8),
    ]
    full = _pack(frames, Viewer.national()).tables["national_comparison"]
    assert full["hubs_pooled"].eq(3).all() and full["national_estimate"].notna().all()
    comparison = _pack(frames, HUB_A_VIEWER).tables["national_comparison"]
    assert comparison["national_suppressed"].all()
    assert comparison["national_estimate"].isna().all() and comparison["band"].isna().all()


def test_four_hub_national_pool_shows_to_a_hub_viewer_rounded_without_its_people_count():
    frames = [
        _survey(HUB_A, NCP, 7, seed=41, shift=0.3),
        _survey(HUB_B, NCP, 11, seed=42),
        _survey(HUB_C, NCP, 9, seed=43, shift=0.8),
        _survey(HUB_D, NCP, 10, seed=44, shift=0.5),
    ]
    full = _pack(frames, Viewer.national()).tables["national_comparison"]
    hub = _pack(frames, HUB_A_VIEWER)
    comparison = hub.tables["national_comparison"]
    assert full["hubs_pooled"].eq(4).all() and full["national_n"].eq(37).all()
    # The pooled count would give B + C + D (37 - 7); hub viewers never get it.
    assert "national_n" not in comparison
    assert not comparison["national_suppressed"].any()
    # Only the estimate and its interval, to 0.05; the interval rounded outwards.
    np.testing.assert_allclose(comparison["national_estimate"], _on_step(full["national_estimate"]))
    assert (comparison["national_ci_low"] <= full["national_ci_low"] + 1e-9).all()
    assert (comparison["national_ci_high"] >= full["national_ci_high"] - 1e-9).all()
    assert (
        comparison["national_pi_low"].isna().all() and comparison["national_pi_high"].isna().all()
    )
    assert comparison["band"].notna().all()
    shown = _everything_shown(hub)
    assert _has_number(shown, float(_on_step(full["national_estimate"].iloc[0])), 2)
    for value in (
        full[["national_estimate", "national_pi_low", "national_pi_high"]].to_numpy().ravel()
    ):
        assert not _has_number(shown, float(value), 3), value
    assert not _has_number(shown, 37, 0)  # (30 is in the time the pack was made: 09:30)


def _trend_traces(pack, construct: str = "confidence"):
    chart = [
        p
        for s in pack.document.sections
        for p in s.parts
        if isinstance(p, Chart) and p.name == f"trend_{construct}"
    ][0]
    return {trace.name: trace for trace in chart.figure.data}


def test_national_trend_line_is_hidden_in_years_pooling_fewer_than_four_different_hubs():
    other = _known_ncps()[1]
    earlier = "2023/24"
    frames = [
        # 2023/24: hub A ran two projects and hub B one: three results but only two hubs.
        _survey(HUB_A, NCP, 8, seed=51, year=earlier),
        _survey(HUB_A, other, 10, seed=52, year=earlier, shift=0.3),
        _survey(HUB_B, NCP, 11, seed=53, year=earlier, shift=1.0),
        # 2024/25: four hubs.
        _survey(HUB_A, NCP, 7, seed=54),
        _survey(HUB_B, NCP, 12, seed=55),
        _survey(HUB_C, NCP, 9, seed=56, shift=0.8),
        _survey(HUB_D, NCP, 10, seed=57, shift=0.4),
    ]
    national = _trend_traces(_pack(frames, Viewer.national()))["National"]
    assert all(v is not None for v in national.y)
    assert "respondents" in " ".join(national.hovertext)

    hub_pack = _pack(frames, HUB_A_VIEWER)
    line = _trend_traces(hub_pack)["National"]
    assert list(line.x) == [earlier, YEAR]
    assert line.y[0] is None and line.y[1] == pytest.approx(float(_on_step(national.y[1])))
    assert "[c]" in line.hovertext[0] and "respondents" not in " ".join(line.hovertext)
    shown = _everything_shown(hub_pack)
    assert not _has_number(shown, float(national.y[0]), 4)
    notes = [s for s in hub_pack.document.sections if s.key == "suppression"][0]
    items = [i for p in notes.parts for i in getattr(p, "items", ())]
    assert (
        f"Trends, confidence, national line: 1 years ({pooled_hidden_reason()}) shown as [c]."
        in (items)
    )


def _known_ncps() -> list[str]:
    from schemas.reference import ncps

    return ncps()["name"].astype(str).tolist()


# ---------------------------------------------------------------------------- escaping, exports


def test_user_text_with_script_is_escaped_everywhere():
    attack = "<script>alert('board')</script> helped a lot"
    frame = _survey(
        "Solent Maths Hub", "Mastering Number at KS2", 8, seed=41, texts={0: attack, 1: attack}
    )
    datasets = _datasets(file_name="<b>survey</b>.csv", uploader='<img src=x onerror="alert(1)">')
    pack = build_board_pack(
        _inputs([frame], datasets=datasets),
        viewer=Viewer.national(),
        hub="Solent Maths Hub",
        academic_year=YEAR,
        pdf=False,
    )
    assert pack.ok, pack.problem
    assert "<script>alert(" not in pack.html
    assert "<img src=x" not in pack.html and "<b>survey</b>" not in pack.html
    assert escape(attack) in pack.html
    assert escape('<img src=x onerror="alert(1)">') in pack.html


def test_text_answer_starting_with_equals_stays_text_in_every_table_export():
    formula = '=HYPERLINK("http://evil.example","click me please")'
    frame = _survey("Solent Maths Hub", "Mastering Number at KS2", 8, seed=51, texts={0: formula})
    pack = build_board_pack(
        _inputs([frame], datasets=_datasets(file_name="=cmd.csv")),
        viewer=Viewer.national(),
        hub="Solent Maths Hub",
        academic_year=YEAR,
        pdf=False,
    )
    assert pack.ok, pack.problem
    found = 0
    for name in pack.tables:
        workbook = openpyxl.load_workbook(io.BytesIO(pack.table_xlsx(name)))
        csv_text = pack.table_csv(name).decode("utf-8-sig")
        for row in workbook.active.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    found += 1
                    assert cell.data_type == "s" and cell.quotePrefix, (name, cell.value)
        assert "\n=" not in csv_text and ",=" not in csv_text, name
    # The answer itself and the file name were both exported, as text.
    assert found >= 2
    quotes = pack.tables["open_text_what_changed"]
    assert formula in quotes.iloc[:, 0].tolist()
    assert "'" + formula.replace('"', '""') in pack.table_csv("open_text_what_changed").decode(
        "utf-8-sig"
    )


def test_open_text_question_is_named_by_its_column_less_the_one_text_marker():
    # The reader marks an open question "Text messages home" as text_ + text_messages_home;
    # only that one marker comes off, so the question keeps its own first word.
    answer = "the weekly text messages helped parents a lot"
    frame = _survey("Solent Maths Hub", "Mastering Number at KS2", 8, seed=61)
    frame = frame.rename(columns={"text_what_changed": "text_text_messages_home"})
    frame.loc[frame["phase"].eq("post"), "text_text_messages_home"] = answer
    pack = build_board_pack(
        _inputs([frame]),
        viewer=Viewer.national(),
        hub="Solent Maths Hub",
        academic_year=YEAR,
        pdf=False,
    )
    assert pack.ok, pack.problem
    assert pack.tables["open_text_text_messages_home"].iloc[:, 0].tolist() == [answer]
    assert "open_text_messages_home" not in pack.tables


# ---------------------------------------------------------------------------- access, problems


def test_hub_viewer_cannot_build_another_hubs_pack_or_a_national_report(sample_inputs):
    viewer = Viewer(role="hub", hub="Sussex Maths Hub")
    pack = build_board_pack(
        sample_inputs, viewer=viewer, hub="Solent Maths Hub", academic_year=YEAR, pdf=False
    )
    assert pack.problem_code == "not_allowed" and pack.html == ""
    national = build_board_pack(
        sample_inputs, viewer=viewer, ncp="MN-KS2", academic_year=YEAR, pdf=False
    )
    assert national.problem_code == "not_allowed"


def test_unknown_hub_gets_a_did_you_mean_and_missing_year_lists_the_years(sample_inputs):
    pack = build_board_pack(
        sample_inputs, viewer=Viewer.national(), hub="Solant Maths Hub", academic_year=YEAR
    )
    assert pack.problem == "'Solant Maths Hub' is not a Maths Hub. Did you mean 'Solent Maths Hub'?"
    missing = build_board_pack(
        sample_inputs, viewer=Viewer.national(), hub="Solent", academic_year="2019/20"
    )
    assert missing.problem_code == "no_data"
    assert "2021/22, 2022/23, 2023/24, 2024/25" in missing.problem


def test_synthetic_banner_only_for_synthetic_data(solent_pack):
    assert solent_pack.synthetic
    assert escape(SYNTHETIC_BANNER) in solent_pack.html
    real = build_board_pack(
        _inputs([_survey("Solent Maths Hub", "Mastering Number at KS2", 8, seed=61)]),
        viewer=Viewer.national(),
        hub="Solent Maths Hub",
        academic_year=YEAR,
        pdf=False,
    )
    assert escape(SYNTHETIC_BANNER) not in real.html


def test_national_project_report_compares_every_hub_that_ran_it(sample_inputs, sample_analysis):
    pack = build_board_pack(
        sample_inputs,
        viewer=Viewer.national(),
        ncp="Mastering Number at KS2",
        academic_year=YEAR,
        analysis=sample_analysis,
        pdf=False,
    )
    assert pack.ok, pack.problem
    assert "Hubs compared with the national value" in pack.sections
    assert "Pupil outcomes (Multiplication Tables Check)" in pack.sections
    surveys = sample_inputs.surveys
    ran = surveys[
        (surveys["ncp"] == "Mastering Number at KS2") & (surveys["academic_year"] == YEAR)
    ]
    participation = pack.tables["participation_by_hub"]
    assert set(participation["hub"]) - {"All"} == set(ran["hub"].unique())


# ---------------------------------------------------------------------------- store


def test_pack_from_the_store_for_a_hub_viewer_lists_only_its_own_data(store, tmp_path):
    store.seed_sample()
    viewer = Viewer(role="hub", hub="Solent Maths Hub", name="Solent board")
    inputs = load_inputs(store, viewer, hub="Solent Maths Hub")
    assert inputs.synthetic
    own = inputs.surveys[inputs.surveys["hub"] == "Solent Maths Hub"]
    assert len(own) and inputs.pupils is not None
    pack = build_board_pack(
        inputs, viewer=viewer, hub="Solent Maths Hub", academic_year=YEAR, pdf=False
    )
    assert pack.ok, pack.problem
    others = [h for h in hubs()["name"] if h != "Solent Maths Hub"]
    assert not [h for h in others if h in pack.html]
    provenance = pack.tables["provenance"]
    assert set(provenance["file_name"]) <= {"surveys.csv", "pupils.csv"}
    assert provenance["sha256"].str.fullmatch(r"[0-9a-f]{64}").all()


# ---------------------------------------------------------------------------- PDF, browser


def test_pdf_has_a_title_page_and_each_section_starts_a_new_page(solent_pack):
    assert shutil.which("chromium") or Path("/usr/bin/chromium").exists()
    assert solent_pack.pdf is not None, solent_pack.pdf_note
    reader = PdfReader(io.BytesIO(solent_pack.pdf))
    pages = [page.extract_text() or "" for page in reader.pages]
    assert len(pages) > len(solent_pack.sections)
    assert "Solent Maths Hub: board pack 2024/25" in pages[0]
    starts = []
    for number, title in enumerate(solent_pack.sections, start=1):
        heading = f"{number}. {title}"
        found = [i for i, text in enumerate(pages[1:], start=1) if heading in text]
        assert found, f"no page starts {heading!r}"
        starts.append(found[0])
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    assert f"Page 2 of {len(pages)}" in pages[1]


@pytest.mark.browser
def test_html_charts_render_in_headless_chromium_without_network(solent_pack):
    from playwright.sync_api import sync_playwright

    expected = solent_pack.html.count('class="plotly-graph-div"')
    assert expected >= 5
    path = ARTIFACTS / "report.html"
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=list(CHROMIUM_ARGS))
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("request", lambda r: requests.append(r.url))
            page.goto(path.as_uri())
            page.wait_for_function(
                f"document.querySelectorAll('.js-plotly-plot svg.main-svg').length >= {expected}",
                timeout=30000,
            )
            drawn = page.evaluate(
                "() => [...document.querySelectorAll('.js-plotly-plot')].map(e => "
                "e.querySelectorAll('svg.main-svg path, svg.main-svg rect').length)"
            )
            page.screenshot(path=str(ARTIFACTS / "report-laptop.png"), full_page=False)
            # Narrow to about A4 width: the charts redraw to fit and nothing sticks out.
            page.set_viewport_size({"width": 760, "height": 1100})
            page.wait_for_function("document.documentElement.scrollWidth <= 760", timeout=15000)
            page.screenshot(path=str(ARTIFACTS / "report-a4-width.png"), full_page=False)
        finally:
            browser.close()
    assert len(drawn) == expected and min(drawn) > 0
    assert [u for u in requests if not u.startswith("file:")] == []


@pytest.mark.parametrize("kind", ["hub", "ncp"])
def test_with_a_larger_suppression_minimum_the_pack_never_says_fewer_than_5(
    sample_inputs, monkeypatch, kind
):
    monkeypatch.setenv("IMPACT_MIN_N", "10")
    where = {"hub": "Solent Maths Hub"} if kind == "hub" else {"ncp": "Mastering Number at KS2"}
    pack = build_board_pack(
        sample_inputs, viewer=Viewer.national(), academic_year=YEAR, pdf=False, **where
    )
    assert pack.ok, pack.problem
    text = html_module.unescape(pack.html)
    assert "fewer than 10" in text
    assert "fewer than 5" not in text


# ------------------------------------------------------------------ accessible charts, themes


def test_every_chart_in_the_pack_has_a_text_alternative_and_its_numbers_as_a_table(solent_pack):
    page = solent_pack.html
    figures = re.findall(r'<figure class="chart">(.*?)</figure>', page, flags=re.S)
    assert figures
    for figure in figures:
        caption = re.search(r"<figcaption>(.*?)</figcaption>", figure).group(1)
        label = re.search(r'<div class="plot" role="group" aria-label="([^"]*)"', figure)
        assert label and label.group(1).startswith(f"Chart: {caption}")
        table = re.search(r'<details class="chart-table"><summary>Show as table</summary>'
                          r"(.*?)</details>", figure, flags=re.S)  # fmt: skip
        assert table and '<th scope="col"' in table.group(1) and "<td" in table.group(1)


def test_the_chart_table_in_the_pack_holds_the_numbers_the_chart_draws(solent_pack):
    chart = next(
        part
        for section in solent_pack.document.sections
        for part in section.parts
        if isinstance(part, Chart) and part.figure.data and part.figure.data[0].type == "scatter"
    )
    xs = [float(x) for x in chart.figure.data[0].x if x is not None]
    page = solent_pack.html
    start = page.index(f"<figcaption>{escape(chart.caption)}</figcaption>")
    block = page[start : page.index("</details>", start)]
    cells = {c for c in re.findall(r'<td class="num">([^<]*)</td>', block)}
    for x in xs:
        assert f"{x:.3f}".rstrip("0").rstrip(".") in cells


def test_the_pack_shows_themes_before_and_after_and_quotes_only_for_viewers_of_open_text(
    sample_inputs, sample_analysis
):
    national = build_board_pack(
        sample_inputs, viewer=Viewer.national(), hub="Solent Maths Hub", academic_year=YEAR,
        analysis=sample_analysis, pdf=False,
    )  # fmt: skip
    assert "What teachers wrote" in national.sections
    themes = national.tables["themes"]
    assert {"theme", "n", "share_pre", "share_post", "examples"} <= set(themes.columns)
    # Independently of the themes code: a theme's share after is its answers after over all.
    shown = themes[themes["share_post"].notna()]
    assert (shown["share_post"] > 0).all() and (shown["share_post"] <= 1).all()
    hidden = build_board_pack(
        sample_inputs,
        viewer=Viewer(role="hub", hub="Solent Maths Hub", open_text=False),
        hub="Solent Maths Hub", academic_year=YEAR, analysis=sample_analysis, pdf=False,
    )  # fmt: skip
    assert "What teachers wrote" in hidden.sections
    assert "examples" not in hidden.tables["themes"].columns
    assert "Example answers are not shown for your role." in hidden.html
    for quote in (q for quotes in themes["examples"].dropna() for q in quotes):
        assert html_module.escape(quote) not in hidden.html


def test_write_pack_writes_the_slides_too(tmp_path):
    from evaluation.presentation.reports import BoardPack, write_pack

    pack = BoardPack(kind="hub", hub="Solent Maths Hub", ncp=None, academic_year=YEAR,
                     html="<p>r</p>", pptx=b"PK-deck")  # fmt: skip
    written = write_pack(pack, tmp_path)
    assert [p.name for p in written] == ["report.html", "report.pptx"]
    assert (tmp_path / "report.pptx").read_bytes() == b"PK-deck"
