"""Tests for evaluation.privacy: code normalisation, keyed hashing and the installation secret.

Known answers come from RFC 4231 (HMAC-SHA256 test vectors), not from our own output.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaluation import privacy

# RFC 4231, test case 2: key "Jefe", data "what do ya want for nothing?".
RFC4231_KEY = b"Jefe"
RFC4231_DATA = "what do ya want for nothing?"
RFC4231_HMAC = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"


def test_pseudonym_is_the_published_hmac_sha256_truncated_to_32_hex_characters() -> None:
    assert privacy.pseudonymise(RFC4231_DATA, RFC4231_KEY) == RFC4231_HMAC[:32]


def test_codes_differing_only_in_case_and_spacing_get_the_same_pseudonym() -> None:
    variants = ["What do ya want for nothing?", "  WHAT DO YA  WANT\tFOR NOTHING? "]
    assert {privacy.pseudonymise(v, RFC4231_KEY) for v in variants} == {RFC4231_HMAC[:32]}


def test_different_codes_or_different_secrets_give_different_pseudonyms() -> None:
    assert privacy.pseudonymise("AB12", b"k") != privacy.pseudonymise("AB13", b"k")
    assert privacy.pseudonymise("AB12", b"k") != privacy.pseudonymise("AB12", b"j")


def test_full_width_letters_and_non_breaking_spaces_are_folded() -> None:
    assert privacy.normalise_code("\uff21\uff22\u00a012") == "ab 12"


@given(st.text(min_size=1, max_size=30))
def test_normalisation_is_idempotent(code: str) -> None:
    once = privacy.normalise_code(code)
    assert privacy.normalise_code(once) == once
    assert once == once.strip()
    assert "  " not in once


@given(st.from_regex(r"[A-Za-z0-9]{1,6}( [A-Za-z0-9]{1,6}){0,2}", fullmatch=True))
def test_upper_lower_and_padded_forms_of_a_code_hash_alike(code: str) -> None:
    forms = {code, code.upper(), code.lower(), f"  {code}  ", code.replace(" ", "   ")}
    assert len({privacy.pseudonymise(f, b"secret") for f in forms}) == 1


def test_series_keeps_missing_codes_missing_and_hashes_each_value() -> None:
    codes = pd.Series(["AB12", None, "ab12 ", "CD34"])
    hashed = privacy.pseudonymise_series(codes, b"k")
    assert hashed.isna().tolist() == [False, True, False, False]
    assert hashed[0] == hashed[2] == privacy.pseudonymise("ab12", b"k")
    assert hashed[3] == privacy.pseudonymise("CD34", b"k")


def test_emails_in_open_text_are_removed() -> None:
    text = pd.Series(["Email jo.bloggs@school.org or Sam_S+1@mail.co.uk now", "no email", None])
    scrubbed = privacy.scrub_emails(text)
    assert scrubbed[0] == "Email [email removed] or [email removed] now"
    assert scrubbed[1] == "no email"
    assert pd.isna(scrubbed[2])


def test_secret_from_environment_wins_and_no_key_file_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMPACT_SECRET", "from the environment")
    assert privacy.load_secret(tmp_path) == b"from the environment"
    assert not (tmp_path / "secret.key").exists()


def test_key_file_is_created_once_private_to_its_owner_and_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IMPACT_SECRET", raising=False)
    monkeypatch.setenv("IMPACT_HOME", str(tmp_path / "home"))
    first = privacy.load_secret()
    key_file = tmp_path / "home" / "secret.key"
    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first) == 64 and int(first, 16) >= 0  # 32 random bytes as hex
    assert privacy.load_secret() == first
    assert list((tmp_path / "home").iterdir()) == [key_file]  # no temporary files left


def test_default_home_is_dot_impact_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IMPACT_HOME", raising=False)
    monkeypatch.chdir(tmp_path)
    assert privacy.impact_home() == tmp_path / ".impact"


def _load(home: str, barrier, results) -> None:
    import os

    os.environ.pop("IMPACT_SECRET", None)
    barrier.wait(timeout=60)
    results.put(privacy.load_secret(home))


def test_processes_creating_the_key_file_at_once_agree_on_one_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, process_context
) -> None:
    monkeypatch.delenv("IMPACT_SECRET", raising=False)
    context = process_context
    barrier = context.Barrier(3)
    results = context.Queue()
    processes = [
        context.Process(target=_load, args=(str(tmp_path), barrier, results)) for _ in range(3)
    ]
    for process in processes:
        process.start()
    keys = {results.get(timeout=120) for _ in processes}
    for process in processes:
        process.join(timeout=60)
    assert keys == {privacy.load_secret(tmp_path)}


def test_secret_fingerprint_does_not_contain_the_secret() -> None:
    secret = b"0123456789abcdef0123456789abcdef"
    fingerprint = privacy.secret_fingerprint(secret)
    assert len(fingerprint) == 16
    assert fingerprint not in secret.decode()


# --- Names (issue 16, item 2) -------------------------------------------------------------------

REFERENCE = Path(__file__).resolve().parents[1] / "schemas" / "reference"
SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "small"


@pytest.mark.parametrize(
    "header",
    [
        "What is your name?",
        "Teacher name (optional)",
        "Your full name",
        "Name (optional)",
        "First name",
        "Surname",
        "Last Name:",
        "Full name of teacher",
        "Participant's name",
        "Forename",
        "FULL_NAME",
        "text_your_name_please",
    ],
)
def test_headers_asking_for_a_name_in_any_wording_are_names(header: str) -> None:
    assert privacy.is_name_header(header)


@pytest.mark.parametrize(
    "header",
    [
        "School name",
        "Name of school",
        "Hub name",
        "Project name",
        "Work Group name",
        "Instrument name",
        "Name one thing you will do differently",
        "What changed in your teaching?",
        "Role",
        "Any other comments?",
    ],
)
def test_headers_naming_things_or_using_name_as_a_verb_are_not_names(header: str) -> None:
    assert not privacy.is_name_header(header)


def test_values_that_look_like_people_are_names() -> None:
    people = [
        "Alice Quenby",
        "Alice Quenby",
        "Bertram Ogilvy",
        "Mrs Cressida Fairweather",
        "Dorian O'Neill",
        "Ewan McTavish",
    ]
    assert privacy.looks_like_person_names(people)


def test_no_text_column_of_the_synthetic_sample_nor_any_hub_or_project_looks_like_names() -> None:
    surveys = pd.read_csv(SAMPLE / "surveys.csv", dtype=str)
    pupils = pd.read_csv(SAMPLE / "pupils.csv", dtype=str)
    columns = [surveys[col] for col in surveys if surveys[col].dtype == object]
    columns += [pupils[col] for col in pupils if pupils[col].dtype == object]
    hubs = pd.read_csv(REFERENCE / "maths_hubs.csv", dtype=str)
    ncps = pd.read_csv(REFERENCE / "ncps.csv", dtype=str)
    columns += [hubs[col] for col in hubs] + [ncps[col] for col in ncps]
    flagged = [values.name for values in columns if privacy.looks_like_person_names(values)]
    assert flagged == []
    # Work Group names written as words, not ids, are not people either.
    groups = [
        "Fractions Work Group",
        "Early Number Group",
        "Solent Primary Mastery",
        "Year 5 Fluency",
        "Bar Model Work Group",
        "Stem Sentences Group",
    ]
    assert not privacy.looks_like_person_names(groups * 3)


# --- Contact details (issue 16, item 3) --------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "jo@school",
        "jo＠school.org",
        "jo@\u200bschool.org",
        "jo\u200b@school.org",
        "jo @ school.org",
        "jo(at)school.org",
        "jo [at] school dot org",
        "jo.bloggs+wg@school.sch.uk",
        "07700 900123",
        "07700900123",
        "+44 7700 900123",
        "+44 (0)1632 960001",
        "01632 960001",
        "0161-496-0000",
    ],
)
def test_every_disguise_of_an_email_or_uk_phone_number_is_removed(text: str) -> None:
    scrubbed = privacy.scrub_contact_details(f"contact: {text} thanks")
    assert scrubbed in ("contact: [email removed] thanks", "contact: [phone removed] thanks")
    assert privacy.has_contact_details(text)


@pytest.mark.parametrize(
    "text",
    [
        "Year 6 scored 21 of 25",
        "URN 100001",
        "2024-11-13 07:18:45",
        "We met 3 @ lunchtime",
        "WG-1",
        "ANE-MNKS2-2122-01",
        "Look at school policy",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert privacy.scrub_contact_details(text) == text
    assert not privacy.has_contact_details(text)


# --- The key file (issue 16, item 9) -----------------------------------------------------------


def test_an_empty_key_file_is_named_with_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IMPACT_SECRET", raising=False)
    (tmp_path / "secret.key").write_text("\n")
    with pytest.raises(privacy.SecretKeyError, match="secret.key is empty.*IMPACT_SECRET"):
        privacy.load_secret(tmp_path)


def test_a_key_file_that_cannot_be_made_names_impact_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IMPACT_SECRET", raising=False)
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder should be")
    with pytest.raises(privacy.SecretKeyError, match="IMPACT_HOME"):
        privacy.load_secret(blocked / "home")
