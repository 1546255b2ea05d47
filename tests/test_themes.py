"""Themes in open answers (evaluation.text.codebook, evaluation.text.themes).

The acceptance data are generated here with planted themes: three themes each written 30
different ways, plus noise answers that belong to none. What is expected comes from the planted
labels, never from our own output.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaluation.text.codebook import (
    CodebookError,
    default_codebook,
    read_codebook,
    stem,
    tag_answers,
)
from evaluation.text.themes import suggest_themes, summarise_themes

# How teachers start an answer; every planted theme uses every opening about as often, so the
# openings are shared words that must not decide the suggestions.
FRAMINGS = (
    "Since the course I rely on {}.",
    "In my classroom we now have {}.",
    "The biggest change this year has been {}.",
    "{}",
    "Definitely {}!",
    "We have started {}",
    "Lots more {} than before.",
    "My colleagues and I noticed {}.",
    "Honestly, {}",
    "What changed: {}.",
)
PLANTED = {
    "representations": (
        "the bar model when solving word problems",
        "bar models to represent fractions",
        "drawing a bar model before calculating",
        "concrete resources and bar models",
        "pictorial representations such as the bar model",
        "bar modelling for missing number problems",
        "representations like the part whole model",
        "a bar model to compare quantities",
        "counters and then a drawn bar model",
        "the bar model to show the structure of a problem",
    ),
    "fluency": (
        "daily times tables practice",
        "quick recall of multiplication facts",
        "times tables games at the start of maths",
        "fluency sessions on number facts",
        "practising the multiplication tables check questions",
        "rapid recall of times tables",
        "ten minutes of fluency every morning",
        "chanting and songs for times tables",
        "number facts and times tables fluency",
        "multiplication facts practice in pairs",
    ),
    "talk": (
        "stem sentences so pupils explain their reasoning",
        "talk partners to discuss their thinking",
        "asking children to explain how they know",
        "more mathematical talk and discussion",
        "reasoning questions where pupils justify answers",
        "children explaining their reasoning out loud",
        "discussion of methods with a partner",
        "sentence stems to support talk",
        "pupils convincing each other with reasons",
        "explaining and justifying in full sentences",
    ),
}
NOISE = (
    "Nothing to add.",
    "The venue was lovely and lunch was good.",
    "Not sure yet, ask me next term.",
    "It was useful overall.",
    "The sessions were well organised.",
    "Parking at the venue was difficult.",
    "I enjoyed meeting new people.",
    "Too early to say.",
    "No comment.",
    "Thank you to the lead.",
    "The online meetings worked well for me.",
    "I missed one session through illness.",
    "Great course, would recommend.",
    "The slides arrived late.",
    "Coffee was excellent.",
)
CODEBOOK = b"""theme,description,keywords
representations,Bar model and representations,bar model; represent; concrete; pictorial; counters; part whole
fluency,Times tables and number facts,times tables; multiplication; fluency; number facts; recall
talk,Reasoning and talk,reasoning; explain; talk; discuss; discussion; justify; stem sentence; sentence stems; convince
"""  # noqa: E501


def planted_answers(seed: int = 7) -> tuple[pd.Series, pd.Series]:
    """Answers (shuffled, index 0..n-1) and their planted theme (None for noise)."""
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for theme, cores in PLANTED.items():
        # Each of the ten ways is written three times, each time with a different opening.
        openings = rng.permutation(len(FRAMINGS))
        for repeat in range(3):
            for number, core in enumerate(cores):
                framing = FRAMINGS[openings[(number + 3 * repeat) % len(FRAMINGS)]]
                texts.append(framing.format(core))
                labels.append(theme)
    texts += NOISE
    labels += [None] * len(NOISE)
    order = rng.permutation(len(texts))
    answers = pd.Series([texts[i] for i in order])
    truth = pd.Series([labels[i] for i in order], dtype=object)
    return answers, truth


def test_each_planted_theme_is_written_30_different_ways():
    answers, truth = planted_answers()
    for theme in PLANTED:
        assert answers[truth.eq(theme)].nunique() == 30


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_suggestions_put_most_of_each_planted_theme_in_one_suggestion(seed):
    answers, truth = planted_answers(seed=seed + 10)
    ideas = suggest_themes(answers, 3, seed=seed)
    assert len(ideas) == 3
    homes = []
    for theme in PLANTED:
        planted = set(truth.index[truth.eq(theme)])
        overlap = [len(planted & set(ids)) / len(planted) for ids in ideas["answer_ids"]]
        assert max(overlap) >= 0.8, (theme, overlap)
        homes.append(int(np.argmax(overlap)))
    assert len(set(homes)) == 3  # three planted themes, three different suggestions


def test_suggestions_are_the_same_for_the_same_seed():
    answers, _ = planted_answers()
    first = suggest_themes(answers, 3, seed=4)
    second = suggest_themes(answers, 3, seed=4)
    pd.testing.assert_frame_equal(first, second)


def test_suggestions_name_their_top_words_and_quote_their_own_answers():
    answers, _ = planted_answers()
    ideas = suggest_themes(answers, 3, seed=0, n_examples=2)
    for record in ideas.to_dict("records"):
        assert record["theme"] == ", ".join(record["top_terms"][:3])
        assert len(record["examples"]) == 2
        assert set(record["examples"]) <= set(answers[list(record["answer_ids"])])
    stems = {stem(word) for terms in ideas["top_terms"] for word in terms}
    assert {stem("bar"), stem("tables"), stem("explain")} <= stems


def test_tagging_by_a_codebook_that_names_the_planted_themes():
    answers, truth = planted_answers()
    tags = tag_answers(answers, read_codebook(CODEBOOK))
    found = set(zip(tags["answer_id"], tags["theme"], strict=True))
    planted = {(i, theme) for i, theme in truth.items() if theme is not None}
    recall = len(found & planted) / len(planted)
    precision = len(found & planted) / len(found)
    assert recall >= 0.9, recall
    assert precision >= 0.9, precision


def test_suggestions_leave_out_answers_that_share_no_word():
    ideas = suggest_themes(pd.Series(["apples", "pears", "bar model", "bar models"]), 2, seed=0)
    assert [sorted(ids) for ids in ideas["answer_ids"]] == [[2, 3]]


def test_too_few_answers_give_no_suggestions():
    assert suggest_themes(pd.Series(["only one answer"]), 3, seed=0).empty
    assert suggest_themes(pd.Series(["one", "two"], dtype=object), 3, seed=0).empty


def test_matching_is_whole_word_and_case_insensitive():
    book = read_codebook(b"theme,keywords\nWorkload,cover; TIME TO\nAnxiety,anxi*\n")
    answers = pd.Series(
        [
            "We discover patterns",  # not "cover"
            "Supply COVER was hard",
            "It took time to embed",
            "anxious at first",
            "Anxiety has gone",
        ]
    )
    tags = tag_answers(answers, book)
    assert list(zip(tags["answer_id"], tags["theme"], strict=True)) == [
        (1, "Workload"),
        (2, "Workload"),
        (3, "Anxiety"),
        (4, "Anxiety"),
    ]


@pytest.mark.parametrize(
    ("keyword", "word"),
    [
        ("represent", "representations"),
        ("represent", "represented"),
        ("plan", "planning"),
        ("model", "modelling"),
        ("table", "tables"),
        ("colleague", "colleagues"),
        ("activity", "activities"),
        ("class", "classes"),
    ],
)
def test_a_keyword_matches_its_own_word_forms(keyword, word):
    assert stem(keyword) == stem(word)
    book = read_codebook(f"theme,keywords\nT,{keyword}\n".encode())
    assert len(tag_answers(pd.Series([f"More {word} now"]), book)) == 1


def test_a_phrase_matches_its_words_in_order_only():
    book = read_codebook(b"theme,keywords\nBar,bar model\n")
    tags = tag_answers(pd.Series(["bar models daily", "a model of the bar"]), book)
    assert tags["answer_id"].tolist() == [0]


def test_default_codebook_has_the_eight_maths_hubs_themes():
    book = default_codebook()
    assert len(book) == 8
    assert all(len(keywords) >= 3 for keywords in book["keywords"])
    text = pd.Series(
        [
            "I use the bar model far more",
            "Daily times tables practice",
            "Children explain their thinking in full sentences",
            "I feel much more confident teaching fractions",
            "I plan in smaller steps now",
            "I have shared the approach with colleagues",
            "The children enjoy maths more",
            "Hard to find time to attend",
        ]
    )
    tags = tag_answers(text, book)
    assert dict(zip(tags["answer_id"], tags["theme"], strict=False)) == dict(
        enumerate(book["theme"])
    )


@pytest.mark.parametrize(
    ("csv", "message"),
    [
        (b"name,words\nx,y\n", "no column theme, keywords"),
        (b"theme,keywords\n,talk\n", "Row 2: no theme name"),
        (b"theme,keywords\nTalk,talk\ntalk,explain\n", 'Row 3: the theme "talk" is already'),
        (b"theme,keywords\nTalk, ; \n", "Row 2: no keywords"),
    ],
)
def test_an_unusable_codebook_says_which_row_and_why(csv, message):
    with pytest.raises(CodebookError, match=message) as caught:
        read_codebook(csv)
    assert not caught.value.unreadable


def test_an_empty_codebook_file_tags_nothing(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert tag_answers(pd.Series(["bar model"]), read_codebook(path)).empty
    with pytest.raises(CodebookError) as caught:
        read_codebook(tmp_path / "missing.csv")
    assert caught.value.unreadable


def _summary_inputs():
    answers = pd.Series([f"answer {i}" for i in range(20)])
    phases = pd.Series(["pre"] * 10 + ["post"] * 10)
    # Theme A: 2 of 10 before, 6 of 10 after. Theme B: 3 answers in all.
    ids_a = [0, 1, 10, 11, 12, 13, 14, 15]
    tags = pd.DataFrame(
        {
            "answer_id": [*ids_a, 2, 3, 16],
            "theme": ["A"] * 8 + ["B"] * 3,
            "keyword": ["a"] * 8 + ["b"] * 3,
        }
    )
    return answers, phases, tags


def test_summary_counts_shares_and_before_after():
    answers, phases, tags = _summary_inputs()
    rows = pd.Series(np.arange(20) + 2)  # spreadsheet rows: header is row 1
    out = summarise_themes(
        answers, tags, themes=["A", "B", "C"], phases=phases, source_rows=rows, min_n=3
    )
    a = out.set_index("theme").loc["A"]
    assert a["n"] == 8 and a["share"] == pytest.approx(8 / 20)
    assert np.isnan(a["n_pre"]) and np.isnan(a["share_pre"])  # 2 before: below the minimum 3
    assert a["n_post"] == 6 and a["share_post"] == pytest.approx(6 / 10)
    assert a["rows"] == (2, 3, 12, 13, 14, 15, 16, 17)
    assert len(a["examples"]) == 3 and set(a["examples"]) <= set(answers[[0, 1, *range(10, 16)]])
    b = out.set_index("theme").loc["B"]
    assert b["n"] == 3 and not b["suppressed"]
    c = out.set_index("theme").loc["C"]
    assert c["suppressed"] and np.isnan(c["n"])


def test_summary_suppresses_small_themes_with_the_configured_minimum(monkeypatch):
    answers, phases, tags = _summary_inputs()
    monkeypatch.setenv("IMPACT_MIN_N", "4")
    out = summarise_themes(answers, tags).set_index("theme")
    assert not out.loc["A", "suppressed"]
    b = out.loc["B"]
    assert b["suppressed"] and b["suppression_reason"] == "fewer than 4 respondents"
    assert all(pd.isna(b[col]) for col in ("n", "share", "rows", "examples", "top_terms"))


def test_summary_quotes_have_email_addresses_removed():
    answers = pd.Series([f"talk more, mail me at t{i}@school.org" for i in range(6)])
    tags = pd.DataFrame({"answer_id": range(6), "theme": "Talk", "keyword": "talk"})
    out = summarise_themes(answers, tags, min_n=5)
    assert out.loc[0, "examples"]
    assert all("@" not in quote and "[email removed]" in quote for quote in out.loc[0, "examples"])


def test_small_suggestions_are_left_out_of_the_summary():
    answers = pd.Series(["bar model"] * 6 + ["times tables", "times tables"])
    ideas = pd.DataFrame(
        {
            "theme": ["bar, model", "times, tables"],
            "top_terms": [("bar", "model"), ("times", "tables")],
            "answer_ids": [tuple(range(6)), (6, 7)],
            "n": [6, 2],
            "examples": [("bar model",), ("times tables",)],
        }
    )
    empty = pd.DataFrame({"answer_id": [], "theme": [], "keyword": []})
    out = summarise_themes(answers, empty, suggestions=ideas, min_n=5)
    assert out["theme"].tolist() == ["bar, model"]
    assert out.loc[0, "source"] == "suggested" and out.loc[0, "top_terms"] == ("bar", "model")


def test_a_suggestion_named_like_a_codebook_theme_keeps_both():
    answers = pd.Series(["talk"] * 5 + ["chat"] * 5)
    tags = pd.DataFrame({"answer_id": range(5), "theme": "talk", "keyword": "talk"})
    ideas = pd.DataFrame(
        {
            "theme": ["talk"],
            "top_terms": [("chat",)],
            "answer_ids": [tuple(range(5, 10))],
            "n": [5],
            "examples": [("chat",)],
        }
    )
    out = summarise_themes(answers, tags, suggestions=ideas, min_n=5)
    assert out[["theme", "source", "n"]].values.tolist() == [
        ["talk", "codebook", 5],
        ["talk (suggested)", "suggested", 5],
    ]


SHORT = (
    "bar models",
    "talk more",
    "times tables",
    "bar model and talk",
    "nothing",
    " ",
    "x@y.org talk",
)


@given(
    st.lists(st.sampled_from(SHORT), max_size=30),
    st.lists(st.sampled_from(["pre", "post", " Post", None]), min_size=30, max_size=30),
    st.integers(1, 4),
)
def test_summary_by_position_equals_the_summary_by_label(texts, phase_labels, min_n):
    # Whole-number answer labels are looked up by position; text labels one by one (and object
    # phases label by label): the same answers give the same table either way.
    book = default_codebook()
    answers = pd.Series(texts, dtype=object)
    phases = pd.Series(phase_labels[: len(texts)], dtype="str")
    tags = tag_answers(answers, book)
    labels = [f"answer {i}" for i in range(len(texts))]
    by_label = summarise_themes(
        answers.set_axis(labels),
        tags.assign(answer_id=[labels[i] for i in tags["answer_id"]]),
        themes=book["theme"].tolist(),
        phases=phases.astype(object).set_axis(labels),
        source_rows=pd.Series(range(len(texts)), index=labels),
        min_n=min_n,
    )
    by_position = summarise_themes(
        answers, tags, themes=book["theme"].tolist(), phases=phases, min_n=min_n
    )
    pd.testing.assert_frame_equal(by_position, by_label)
