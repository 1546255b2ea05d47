"""Personal data in uploads: columns that ask for or hold names are never read (issue 16 item 2).

Stored-side checks (the raw SQLite bytes and a pg_dump) are in tests/test_store_contents.py.
"""

from __future__ import annotations

from evaluation.io.reader import FileDefaults

WHOLE_FILE = FileDefaults(hub="Solent", ncp="MN-KS2", academic_year="2024/25")


def test_columns_asking_for_or_holding_names_are_not_read_and_say_why() -> None:
    """Issue 16 item 2: names in any wording, or answers that are names, are never read."""
    from evaluation.validation import check_survey
    from evaluation.validation.columns import NAME_HEADER_REASON, NAME_VALUES_REASON

    data = (
        b"Participant code,What is your name?,Teacher name (optional),Who ran it,"
        b"Which school are you in?,I feel confident teaching fractions\n"
        b"AB1,Alice Quenby,Alice Q,Ann Smith,Oak Primary School,Agree\n"
        b"CD2,Bert Ogilvy,Bert O,Raj Patel,Elm Primary School,Disagree\n"
        b"EF3,Cara Jones,Cara J,Joan O'Neill,Ash Primary School,Agree\n"
    )
    checked = check_survey(
        data,
        defaults=FileDefaults(hub="Solent", ncp="MN-KS2", phase="pre", academic_year="2024/25"),
    )
    assert checked.column_map["What is your name?"] == NAME_HEADER_REASON
    assert checked.column_map["Teacher name (optional)"] == NAME_HEADER_REASON
    assert checked.column_map["Who ran it"] == NAME_VALUES_REASON
    assert checked.column_map["Which school are you in?"].startswith("text:")
    stored = "\n".join(map(str, checked.frame.astype(str).to_numpy().ravel()))
    for name in ("Alice", "Bert", "Cara", "Ann Smith", "Raj Patel"):
        assert name not in stored
