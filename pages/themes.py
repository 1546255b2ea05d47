"""Themes in open answers: the codebook (editable, audited), shares per theme, suggested themes.

National users edit the national codebook or a hub's own copy; hub users their hub's copy (see
evaluation/store/codebooks.py); Work Group leads are not offered this page. Counts, shares and
suggestions need the open answers, so they show only for roles allowed to read open text.
"""

import hashlib
from dataclasses import replace

import pandas as pd
import streamlit as st

import app_support as ui
from app_support.theme_counts import theme_counts, theme_suggestions
from evaluation.stats.disclosure import resolve_min_n
from evaluation.store import StoreError
from evaluation.store.codebooks import DEFAULT_INSTRUMENT
from evaluation.text.codebook import SEPARATOR
from evaluation.text.themes import suggest_at_once_limit

FLASH = "themes_flash"
ASKED = "themes_suggest_asked"  # the user asked for suggestions on a large selection
REJECTED = "themes_rejected"
# Words of a suggestion that become the keywords of the theme it is accepted as.
ACCEPTED_TERMS = 5
EDITOR_COLUMNS = {
    "theme": "Theme",
    "description": "Description",
    "keywords": "Keywords (separated by ;)",
    "examples": "Examples (separated by ;)",
}
SOURCE_NOTE = {
    "default": "This is the Maths Hubs default codebook: nobody has changed it yet.",
    "national": "This is the national codebook, as changed by the national team.",
    "hub": "This is the hub's own copy: the hub's views use it instead of the national one.",
}

ui.page_header(
    "Themes in open answers",
    "What teachers wrote in the open questions, in themes: the codebook of themes and the words "
    "that mark each one, how many answers have each theme before and after the programme, and "
    "suggested new themes for the answers no theme covers. Every change to the codebook is "
    "recorded in the audit log with who made it and why.",
)


def editable(book: pd.DataFrame) -> pd.DataFrame:
    """The codebook as text cells for the editor (keywords and examples joined by ``;``)."""
    table = book[list(EDITOR_COLUMNS)].copy()
    for column in ("keywords", "examples"):
        table[column] = [f"{SEPARATOR} ".join(values) for values in table[column]]
    return table.rename(columns=EDITOR_COLUMNS)


def from_editor(table: pd.DataFrame) -> pd.DataFrame:
    """The edited table back in the codebook's columns, rows with no name left out."""
    out = table.rename(columns={v: k for k, v in EDITOR_COLUMNS.items()})
    names = out["theme"].astype("string").fillna("").str.strip()
    return out[names.ne("")].reset_index(drop=True)


def _share(value: object) -> str:
    return "[c]" if pd.isna(value) else f"{float(value):.0%}"


def shares_table(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary for people: counts and percentages as text, [c] where hidden."""
    hidden = summary["suppressed"].to_numpy(dtype=bool)
    return pd.DataFrame(
        {
            "Theme": summary["theme"],
            "Answers": [
                "[c]" if h else str(int(n)) for h, n in zip(hidden, summary["n"], strict=True)
            ],
            "Share": [
                "[c]" if h else _share(v) for h, v in zip(hidden, summary["share"], strict=True)
            ],
            "Share before": [_share(v) for v in summary["share_pre"]],
            "Share after": [_share(v) for v in summary["share_post"]],
            "Example answers": [
                " | ".join(q) if isinstance(q, tuple) and not h else ""
                for h, q in zip(hidden, summary["examples"], strict=True)
            ],
        }
    )


def suggestion_key(name: str) -> str:
    """A widget key for one suggestion that stays the same when others come and go."""
    return "themes_s_" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:10]


def done(message: str) -> None:
    st.session_state[FLASH] = message
    st.rerun()


viewer = ui.current_viewer()
if viewer.role == "lead":
    st.warning(
        "Only national and hub users work on the codebook of themes; ask your hub.",
        icon=":material/lock:",
    )
    st.stop()

with ui.friendly_errors("showing the codebook"):
    store = ui.get_store()
    chosen = ui.filters()
    if flash := st.session_state.pop(FLASH, None):
        st.success(flash)
    scope = viewer.hub
    if viewer.is_national:
        scope = st.selectbox(
            "Codebook",
            [None, *ui.hubs_for(viewer)],
            format_func=lambda hub: "National codebook" if hub is None else f"{hub}'s own copy",
            key="themes_scope",
            help="A hub's own copy, once the hub has changed something, replaces the national "
            "codebook in that hub's views.",
        )
    where = {"instrument_key": DEFAULT_INSTRUMENT, "hub": scope}
    book = store.codebook(viewer, DEFAULT_INSTRUMENT, hub=scope)
    source = store.codebook_source(viewer, DEFAULT_INSTRUMENT, hub=scope)
    names = book["theme"].tolist()

    st.subheader("The codebook")
    st.caption(
        f"{SOURCE_NOTE[source]} An answer has a theme when it contains one of the theme's "
        "keywords or phrases (any case; plurals and -ing, -ed forms count; a word ending in * "
        "matches every word it starts). Edit the cells, add a row at the bottom or delete rows, "
        "give a reason and save. To rename a theme and keep its history, use Rename below."
    )
    shown = editable(book)
    edited = st.data_editor(
        shown,
        num_rows="dynamic",
        hide_index=True,
        key=f"themes_editor_{ui.data_version()}",  # a saved change starts a fresh editor
    )
    ui.download_table(shown, "codebook", key="themes_codebook", label="codebook")
    reason = st.text_input(
        "Reason for the change (kept in the audit log)", key="themes_reason", max_chars=500
    )
    if st.button("Save the codebook", type="primary", icon=":material/save:", key="themes_save"):
        try:
            changes = store.save_codebook(viewer, from_editor(edited), reason, **where)
        except StoreError as exc:
            st.error(str(exc))
        else:
            done(" ".join(changes) if changes else "Nothing had changed; nothing was saved.")

    st.subheader("Rename, merge or retire themes")
    left, right = st.columns(2)
    with left:
        pick = st.selectbox("Theme", names, key="themes_pick")
        new_name = st.text_input("New name", key="themes_new_name", max_chars=200)
        rename = st.button("Rename", key="themes_rename", icon=":material/edit:")
        retire = st.button("Retire", key="themes_retire", icon=":material/archive:")
    with right:
        merging = st.multiselect("Merge these themes", names, key="themes_merge_pick")
        into = st.selectbox("into", names, key="themes_merge_into")
        merge = st.button("Merge", key="themes_merge", icon=":material/merge:")
    try:
        if rename and pick is not None:
            store.rename_theme(viewer, pick, new_name, reason, **where)
            done(f'Renamed "{pick}" to "{new_name.strip()}".')
        if retire and pick is not None:
            store.retire_theme(viewer, pick, reason, **where)
            done(f'Retired "{pick}"; save it again to bring it back.')
        if merge and into is not None:
            store.merge_themes(viewer, [*merging, into], into=into, reason=reason, **where)
            merged = ", ".join(f'"{m}"' for m in merging if m != into)
            done(f'Merged {merged} into "{into}".')
    except StoreError as exc:
        st.error(str(exc))

with ui.friendly_errors("listing the changes"):
    st.subheader("Changes to this codebook")
    history = store.codebook_history(viewer, DEFAULT_INSTRUMENT, hub=scope)
    if history.empty:
        st.caption("No changes yet.")
    else:
        log = ui.audit_display(history[["at", "who", "action", "theme", "reason"]])
        log = log.rename(columns={"theme": "Theme"})
        st.dataframe(log, hide_index=True, key="themes_history")
        ui.download_table(log, "codebook_changes", key="themes_history_download", label="changes")

with ui.friendly_errors("counting the themes"):
    st.subheader("Share of answers per theme, before and after")
    min_n = resolve_min_n(None)
    if not viewer.sees_open_text:
        st.info(
            "Open-text answers are not shown for your role, so the themes cannot be counted here.",
            icon=":material/lock:",
        )
        st.stop()
    # A hub's codebook is counted on that hub's answers.
    # Only the open answers are read (not every column of every row).
    frame = ui.survey_text(replace(chosen, hub=scope) if scope else chosen)
    count = theme_counts(frame, book, scope, min_n)
    if not count["n_answers"]:
        ui.empty_state(
            "No open-text answers in this selection yet: upload surveys with open questions to "
            "see their themes."
        )
        st.stop()
    summary = count["summary"]
    st.caption(
        f"{count['n_answers']} answers in this selection; {count['n_coded']} have at least one "
        "theme. Shares "
        "before and after are out of that phase's answers; an answer can have several themes. "
        f"[c]: fewer than {min_n} answers, not shown. Example answers are shown exactly as "
        "written, email addresses removed."
    )
    table = shares_table(summary)
    st.dataframe(table, hide_index=True, key="themes_shares")
    ui.download_table(table, "themes", key="themes_shares_download", label="shares per theme")

with ui.friendly_errors("suggesting themes"):
    st.subheader("Suggested themes for answers no theme covers")
    k = st.number_input(
        "How many themes to look for", min_value=1, max_value=12, value=3, key="themes_k"
    )
    n_uncoded = count["n_answers"] - count["n_coded"]
    at_once = suggest_at_once_limit()
    if n_uncoded > at_once and not st.session_state.get(ASKED):
        st.caption(
            f"{n_uncoded:,} answers have no theme. Suggestions for more than {at_once:,} answers "
            "take a while to work out, so they wait until you ask (or narrow the selection in "
            "the sidebar)."
        )
        if st.button("Suggest themes", key="themes_suggest", icon=":material/lightbulb:"):
            st.session_state[ASKED] = True
            st.rerun()
        st.stop()
    n_uncoded, ideas = theme_suggestions(frame, book, scope, int(k))
    rejected: set[str] = st.session_state.setdefault(REJECTED, set())
    small = ideas[ideas["n"] < min_n] if len(ideas) else ideas
    ideas = ideas[(ideas["n"] >= min_n) & ~ideas["theme"].isin(rejected)] if len(ideas) else ideas
    st.caption(
        f"{n_uncoded} answers have no theme. Suggestions group them by the words they share; "
        f"each shows its top words and example answers. Accept one into the codebook (under its "
        f"name or one you type), merge its words into a theme you have, or reject it. "
        f"Suggestions with fewer than {min_n} answers are not shown"
        + (f" ({len(small)} of them)." if len(small) else ".")
    )
    if ideas.empty:
        st.caption("No suggestions for this selection.")
    for idea in ideas.to_dict("records"):
        key = suggestion_key(idea["theme"])
        terms = list(idea["top_terms"])
        with st.container(border=True):
            st.markdown(f"**{ui.plain(idea['theme'])}** · {idea['n']} answers")
            st.caption("Top words: " + ui.plain(", ".join(terms)))
            for quote in idea["examples"]:
                st.text(quote)
            name = st.text_input("Name in the codebook", value=idea["theme"], key=f"{key}_name")
            left, middle, right = st.columns(3)
            with left:
                accept = st.button("Accept", key=f"{key}_accept", icon=":material/add:")
            with middle:
                target = st.selectbox("Merge into", names, key=f"{key}_into")
                merge_in = st.button("Merge", key=f"{key}_merge", icon=":material/merge:")
            with right:
                reject = st.button("Reject", key=f"{key}_reject", icon=":material/close:")
        try:
            if accept:
                if name.strip().casefold() in {n.casefold() for n in names}:
                    raise StoreError(
                        f'The codebook already has a theme "{name.strip()}"; choose another name '
                        "or merge into it."
                    )
                theme = {
                    "theme": name,
                    "keywords": terms[:ACCEPTED_TERMS],
                    "description": "Suggested from the answers: " + ", ".join(terms),
                }
                store.save_theme(viewer, theme, reason, **where)
                done(f'Added "{name.strip()}" to the codebook.')
            if merge_in and target is not None:
                current = book.set_index("theme").loc[target]
                theme = {
                    "theme": target,
                    "description": current["description"],
                    "keywords": [*current["keywords"], *terms[:ACCEPTED_TERMS]],
                    "examples": list(current["examples"]),
                }
                store.save_theme(viewer, theme, reason, **where)
                done(f'Added the words of "{idea["theme"]}" to "{target}".')
            if reject:
                rejected.add(idea["theme"])
                done(f'Rejected "{idea["theme"]}" (for this session).')
        except StoreError as exc:
            st.error(str(exc))
