"""Open answers tagged once and kept (evaluation/text/tagged.py) equal tagging from scratch.

After any sequence of uploads, withdrawals, replacements and codebook changes, the kept answers,
phases and tags (and the shares per theme worked out from them) are the same as reading every
answer again, cell by cell, and tagging them all; after an upload only the new answers are
tagged, and a hub viewer's kept answers hold only that hub's.
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import evaluation.text.tagged as tagged_module
from evaluation import columns as c
from evaluation.access import Viewer
from evaluation.store import Store
from evaluation.text.codebook import read_codebook, tag_answers
from evaluation.text.tagged import TaggedAnswers, codebook_key, tag_open_answers
from evaluation.text.themes import summarise_themes

BOOKS = (
    read_codebook(b"theme,keywords\nTalk,talk; explain\nBar model,bar model\n"),
    read_codebook(b"theme,keywords\nTalk,talk\nFluency,times tables; fluen*\n"),
    read_codebook(b"theme,keywords\nBar model,bar model; represent\n"),
)
WORDS = ("", "  ", "talk more", " Bar models daily ", "times tables", "explaining", "nothing")
NATIONAL = Viewer.national("Nadia")
SOLENT = Viewer(role="hub", hub="Solent Maths Hub", name="board@solent.example")


def from_scratch(frame: pd.DataFrame, book: pd.DataFrame) -> tuple[pd.Series, ...]:
    """Every non-empty cell of every ``text_*`` column, question by question, read one by one."""
    answers, phases = [], []
    for column in [col for col in frame.columns if str(col).startswith(c.TEXT_PREFIX)]:
        for value, phase in zip(frame[column], frame[c.PHASE], strict=True):
            text = "" if pd.isna(value) else str(value).strip()
            if text:
                answers.append(text)
                phases.append(phase)
    answer_series = pd.Series(answers, dtype=object, name="answer")
    phase_series = pd.Series(phases, dtype=frame[c.PHASE].dtype, name="phase")
    return answer_series, phase_series, tag_answers(answer_series, book)


def assert_same(
    kept: TaggedAnswers, frame: pd.DataFrame, book: pd.DataFrame, *, shares: bool = False
) -> None:
    """The kept answers, phases and tags are those from scratch (and, with ``shares``, so are
    the shares per theme: a function of those three alone)."""
    answers, phases, tags = from_scratch(frame, book)
    pd.testing.assert_series_equal(kept.answers, answers)
    pd.testing.assert_series_equal(kept.phases, phases)
    pd.testing.assert_frame_equal(kept.tags, tags)
    assert [type(i) for i in kept.tags["answer_id"]] == [type(i) for i in tags["answer_id"]]
    assert kept.n_coded == int(answers.index.isin(tags["answer_id"]).sum())
    if not shares:
        return
    themes = book["theme"].tolist()
    pd.testing.assert_frame_equal(
        summarise_themes(kept.answers, kept.tags, themes=themes, phases=kept.phases, min_n=2),
        summarise_themes(answers, tags, themes=themes, phases=phases, min_n=2),
    )


def dataset_rows(draw, dataset_id: int) -> pd.DataFrame:
    n = draw(st.integers(0, 5))
    rows = pd.DataFrame(
        {
            c.DATASET_ID: [dataset_id] * n,
            c.PHASE: draw(st.lists(st.sampled_from(["pre", "post", None]), min_size=n, max_size=n)),
            "text_what": draw(st.lists(st.sampled_from([*WORDS, None]), min_size=n, max_size=n)),
        }
    )
    if draw(st.booleans()):  # an open question only some files have
        rows["text_other"] = draw(st.lists(st.sampled_from(WORDS), min_size=n, max_size=n))
    return rows


@st.composite
def histories(draw) -> list[tuple[pd.DataFrame, pd.DataFrame]]:
    """(frame, codebook) after each change, the frame as the store loads it (datasets in order)."""
    active: dict[int, pd.DataFrame] = {}
    book = BOOKS[0]
    out = []
    for step in range(draw(st.integers(1, 7))):
        change = draw(st.sampled_from(["upload", "upload", "withdraw", "replace", "codebook"]))
        if change in ("withdraw", "replace") and active:
            gone = draw(st.sampled_from(sorted(active)))
            del active[gone]
        if change in ("upload", "replace"):
            active[step + 1] = dataset_rows(draw, step + 1)
        if change == "codebook":
            book = draw(st.sampled_from(BOOKS))
        parts = [active[i] for i in sorted(active)]
        frame = pd.concat(parts, ignore_index=True) if parts else dataset_rows(draw, 0).iloc[:0]
        if draw(st.booleans()) and len(parts) > 1:  # rows not in the kept order: read again
            frame = pd.concat(parts[::-1], ignore_index=True)
        out.append((frame, book))
    return out


@given(histories())
def test_kept_tags_equal_tags_from_scratch_after_any_changes(history):
    kept = None
    for frame, book in history:
        kept = tag_open_answers(frame, book, previous=kept)
        assert_same(kept, frame, book)
        assert kept.codebook == codebook_key(book)


HEADER = "respondent_id,phase,academic_year,hub,ncp,work_group,conf_1,text_what"


def survey_file(hub: str, work_group: str, answers: list[str], extra: str = "") -> bytes:
    header = HEADER + (",text_other" if extra else "")
    lines = [
        f"{work_group}-{i},{'pre' if i % 2 else 'post'},2024/25,{hub},MN-KS2,{work_group},3,"
        f"{answer}" + (f",{extra} {i}" if extra else "")
        for i, answer in enumerate(answers)
    ]
    return ("\n".join([header, *lines]) + "\n").encode()


@pytest.fixture
def counted_tagging(monkeypatch) -> list[int]:
    """How many answers each call tags (the tagged module's calls of tag_answers)."""
    sizes: list[int] = []

    def counting(answers: pd.Series, book: pd.DataFrame) -> pd.DataFrame:
        sizes.append(len(answers))
        return tag_answers(answers, book)

    monkeypatch.setattr(tagged_module, "tag_answers", counting)
    return sizes


def test_kept_tags_through_the_store_tag_only_what_changed(counted_tagging):
    store = Store.open("sqlite://", secret=b"k")
    solent = ["Solent talk more", "Solent bar model", "Solent nothing yet"]
    north = ["North times tables", "North talk daily"]
    first = store.add_file(survey_file("Solent", "WG-S", solent), kind="survey", file_name="s.csv")
    store.add_file(survey_file("Great North Maths Hub", "WG-N", north), kind="survey")
    book = BOOKS[0]
    kept = {}
    for viewer in (NATIONAL, SOLENT):
        frame = store.load_survey_text(viewer)
        kept[viewer.role] = tag_open_answers(frame, book)
        assert_same(kept[viewer.role], frame, book, shares=True)
    assert not any(a.startswith("North") for a in kept["hub"].answers)

    # An upload with a new open question: only its answers are tagged.
    later = ["Solent explain more", "Solent represent it"]
    upload = survey_file("Solent", "WG-T", later, extra="talk club")
    added = store.add_file(upload, kind="survey", file_name="t.csv")
    assert added.status == "stored"
    counted_tagging.clear()
    for viewer in (NATIONAL, SOLENT):
        frame = store.load_survey_text(viewer)
        kept[viewer.role] = tag_open_answers(frame, book, previous=kept[viewer.role])
        assert_same(kept[viewer.role], frame, book, shares=True)
    assert sum(counted_tagging) == 2 * 2 * len(later)  # both viewers, both questions
    assert not any(a.startswith("North") for a in kept["hub"].answers)

    # A replacement and a withdrawal drop the old answers; a codebook change tags again.
    fixed = survey_file("Solent", "WG-S", ["Solent bar models now", "Solent talk"])
    assert store.replace(first.dataset_id, fixed, file_name="s2.csv", by="Nadia").status == (
        "stored"
    )
    store.withdraw(added.dataset_id, reason="sent twice", by="Nadia")
    for book in (BOOKS[0], BOOKS[1]):
        for viewer in (NATIONAL, SOLENT):
            frame = store.load_survey_text(viewer)
            kept[viewer.role] = tag_open_answers(frame, book, previous=kept[viewer.role])
            assert_same(kept[viewer.role], frame, book, shares=True)
    assert "Solent talk more" not in set(kept["hub"].answers)
    assert not any(a.startswith("North") for a in kept["hub"].answers)


def test_codebook_key_follows_themes_and_keywords_only():
    renamed = read_codebook(b"theme,keywords\nSpeaking,talk; explain\nBar model,bar model\n")
    described = BOOKS[0].assign(description="Pupils talk")
    assert codebook_key(described) == codebook_key(BOOKS[0])
    assert codebook_key(renamed) != codebook_key(BOOKS[0])
    assert codebook_key(BOOKS[1]) != codebook_key(BOOKS[0])
