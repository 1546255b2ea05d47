"""Pseudonymisation: respondent and pupil codes become keyed hashes before anything is stored.

HMAC-SHA256 with a per-installation secret (``IMPACT_SECRET`` or a 0600 key file under IMPACT_HOME).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import re
import secrets
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

__all__ = [
    "DEFAULT_HOME",
    "DIGEST_CHARS",
    "EMAIL_REMOVED",
    "HOME_ENV",
    "KEY_FILE_NAME",
    "PHONE_REMOVED",
    "SECRET_ENV",
    "SecretKeyError",
    "has_contact_details",
    "impact_home",
    "is_name_header",
    "load_secret",
    "looks_like_person_names",
    "normalise_code",
    "pseudonymise",
    "pseudonymise_series",
    "scrub_contact_details",
    "scrub_contact_series",
    "scrub_emails",
    "secret_fingerprint",
]

# Hex characters kept from the HMAC: 128 bits, ample to keep a few million codes apart.
DIGEST_CHARS = 32
SECRET_ENV = "IMPACT_SECRET"
HOME_ENV = "IMPACT_HOME"
DEFAULT_HOME = ".impact"
KEY_FILE_NAME = "secret.key"


class SecretKeyError(RuntimeError):
    """The secret key cannot be read or made; the message names the file and the fix."""


def impact_home() -> Path:
    """The directory holding this installation's files (``$IMPACT_HOME``, default ``./.impact``).

    Examples
    --------
    >>> isinstance(impact_home(), Path)
    True
    """
    return Path(os.environ.get(HOME_ENV) or Path.cwd() / DEFAULT_HOME)


def normalise_code(code: str) -> str:
    """A participant or pupil code as compared across files: trimmed, case-folded, single-spaced.

    Unicode compatibility forms (full-width letters, non-breaking spaces) are folded too (NFKC),
    so a code typed on a different keyboard still matches.

    Examples
    --------
    >>> normalise_code("  AB  12 ")
    'ab 12'
    >>> normalise_code("Jo.Bloggs@School.ORG") == normalise_code("jo.bloggs@school.org")
    True
    """
    return " ".join(unicodedata.normalize("NFKC", str(code)).split()).casefold()


def pseudonymise(code: str, secret: bytes) -> str:
    """The keyed hash of a normalised code: HMAC-SHA256, hex, first 32 characters.

    Parameters
    ----------
    code : str
        A respondent code, email address or pupil id as written in the file.
    secret : bytes
        The installation's secret key (see :func:`load_secret`).

    Returns
    -------
    str
        32 lower-case hex characters; equal codes (after :func:`normalise_code`) give equal hashes.

    Notes
    -----
    ``hex(HMAC_SHA256(key=secret, msg=utf8(normalise_code(code))))[:32]``. Without the secret the
    hash cannot be reversed by trying likely codes, which a plain SHA-256 would allow.

    Examples
    --------
    >>> pseudonymise("AB12", b"k") == pseudonymise(" ab12 ", b"k")
    True
    >>> len(pseudonymise("AB12", b"k"))
    32
    """
    message = normalise_code(code).encode("utf-8")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:DIGEST_CHARS]


def pseudonymise_series(codes: pd.Series, secret: bytes) -> pd.Series:
    """:func:`pseudonymise` applied to every non-missing code; missing codes stay missing.

    Each distinct code is hashed once, so a column with repeated codes is cheap.

    Examples
    --------
    >>> out = pseudonymise_series(pd.Series(["A1", "a1 ", None]), b"k")
    >>> bool(out[0] == out[1]), bool(out.isna()[2])
    (True, True)
    """
    present = codes.notna()
    result = pd.Series(pd.NA, index=codes.index, dtype="str")
    if present.any():
        values = codes[present].astype(str)
        mapping = {value: pseudonymise(value, secret) for value in values.unique()}
        result[present] = values.map(mapping)
    return result


def scrub_emails(text: pd.Series) -> pd.Series:
    """Open-text answers with contact details removed (see :func:`scrub_contact_details`).

    Examples
    --------
    >>> scrub_emails(pd.Series(["mail me at a.b@c.org please"]))[0]
    'mail me at [email removed] please'
    """
    return scrub_contact_series(text)


def secret_fingerprint(secret: bytes) -> str:
    """A short value that tells whether two secrets are the same without revealing either.

    Examples
    --------
    >>> secret_fingerprint(b"k") == secret_fingerprint(b"k") != secret_fingerprint(b"j")
    True
    """
    return hmac.new(secret, b"maths-hubs-impact secret check", hashlib.sha256).hexdigest()[:16]


def load_secret(home: str | os.PathLike[str] | None = None) -> bytes:
    """The installation's secret: ``$IMPACT_SECRET``, else a key file made on first use.

    The key file ``<home>/secret.key`` (home defaults to :func:`impact_home`) holds 64 random hex
    characters and is created readable by its owner only (mode 0600), atomically, so two processes
    starting together agree on one key. It lives outside the database on purpose: a copy of the
    database alone cannot be used to test guessed codes against the stored hashes.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as home:
    ...     load_secret(home) == load_secret(home)
    True
    """
    from_env = os.environ.get(SECRET_ENV)
    if from_env:
        return from_env.encode("utf-8")
    directory = Path(home) if home is not None else impact_home()
    key_file = directory / KEY_FILE_NAME
    try:
        if not key_file.exists():
            _create_key_file(key_file)
        key = key_file.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise SecretKeyError(
            f"The key file {key_file} cannot be made or read ({exc.strerror or exc}). Set "
            f"{HOME_ENV} to a folder you can write to, or set {SECRET_ENV}."
        ) from exc
    if not key:
        raise SecretKeyError(
            f"The key file {key_file} is empty. Restore it from a backup, or set {SECRET_ENV} to "
            "the key used when the data were stored; a new key would stop stored people "
            "matching their new answers."
        )
    return key.encode("ascii")


def _create_key_file(key_file: Path) -> None:
    key_file.parent.mkdir(parents=True, exist_ok=True)
    # Write a private temporary file, then link it into place: the link fails if another
    # process won the race, and nobody ever reads a half-written key.
    temporary = key_file.with_name(f".{key_file.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32) + "\n")
        os.chmod(temporary, 0o600)  # in case a umask or filesystem widened it
        with contextlib.suppress(FileExistsError):
            os.link(temporary, key_file)
    finally:
        temporary.unlink(missing_ok=True)


# --- Personal names ---------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that make a "... name" header about a thing, not a person.
_NOT_PERSON = _words(
    """school schools hub hubs project projects programme program ncp course work group groups
    workgroup wg instrument survey organisation organization trust academy setting company
    file sheet la authority town city street road place venue event module unit session
    class team department subject college partner provider scheme resource resources"""
)
# Words that mark a header as asking for a person's name.
_NAME_WORDS = _words(
    """name names surname surnames forename forenames firstname lastname fullname
    givenname familyname username"""
)
# "Name one thing ...": the verb, not a person's name.
_VERB_FOLLOWERS = _words("one two three four five a an any the some something up things ways")
_TITLES = _words("mr mrs ms miss mx dr prof sir dame")
# Words found in the names of hubs, schools, projects, roles and Work Groups, not of people.
_INSTITUTION_WORDS = _words(
    """maths math mathematics hub school primary secondary academy trust college church infant
    infants junior juniors nursery ce c of e rc catholic high grammar community federation
    group work project programme mastery number fluency teacher teachers teaching lead leader
    leaders head headteacher deputy assistant senior class subject early career coordinator
    senco support development research ks1 ks2 ks3 ks4 eyfs year key stage national north
    south east west central city county council the and of for in at on with"""
)
_NAME_WORD = re.compile(r"^[A-Z][a-z]*(?:['’-][A-Z]?[a-z]+)*$|^(?:Mc|Mac|O['’])[A-Z][a-z]+$")


def _header_words(header: object) -> list[str]:
    text = unicodedata.normalize("NFKC", str(header)).casefold()
    text = re.sub(r"\(.*?\)|\[.*?\]", " ", text)  # "(optional)", "[required]"
    words = re.findall(r"[a-z]+", text.replace("_", " "))
    if words and words[0] == "text":  # an open-text column's canonical name: text_<slug>
        words = words[1:]
    return words


def is_name_header(header: object) -> bool:
    """True when a column header asks for a person's name, in any wording.

    Names of schools, hubs, projects, Work Groups and the like are not personal names; nor is
    "Name one thing you will change" (a question that uses "name" as a verb).

    Parameters
    ----------
    header : object
        The header as written in the file, or an open-text column's canonical ``text_<slug>``.

    Returns
    -------
    bool

    Examples
    --------
    >>> [is_name_header(h) for h in ["What is your name?", "Teacher name (optional)",
    ...     "Your full name", "Surname", "text_first_name", "First-name"]]
    [True, True, True, True, True, True]
    >>> [is_name_header(h) for h in ["School name", "Work Group name", "Hub name",
    ...     "Name one thing you will change", "What changed?", "Instrument name"]]
    [False, False, False, False, False, False]
    """
    words = _header_words(header)
    if not words:
        return False
    joined = "".join(words)
    if joined in _NAME_WORDS:
        return True
    positions = [i for i, word in enumerate(words) if word in _NAME_WORDS]
    if not positions:
        return False
    if any(word in _NOT_PERSON for word in words):
        return False
    first = positions[0]
    following = words[first + 1] if first + 1 < len(words) else None
    return not (first == 0 and words[first] == "name" and following in _VERB_FOLLOWERS)


def _looks_like_a_name(value: str) -> bool:
    words = value.replace(".", " ").split()
    if words and words[0].casefold() in _TITLES:
        words = words[1:]
    if not 2 <= len(words) <= 3:
        return False
    if any(word.casefold() in _INSTITUTION_WORDS for word in words):
        return False
    return all(_NAME_WORD.match(word) for word in words)


def looks_like_person_names(values: Iterable[object], *, min_distinct: int = 3) -> bool:
    """True when a column's values look like people's names (a conservative test).

    At least ``min_distinct`` different values; four in five of the answers are two or three
    capitalised words (an optional title such as "Mrs" first) with no word found in the names of
    hubs, schools, projects, roles or Work Groups; and the values are mostly distinct (at least
    one different value per three answers), as names are and hub or Work Group names are not.

    Examples
    --------
    >>> looks_like_person_names(["Ann Smith", "Raj Patel", "Mrs Joan O'Neill", "Ann Smith"])
    True
    >>> looks_like_person_names(["Solent Maths Hub", "Class teacher", "Not sure", "Too early"])
    False
    >>> looks_like_person_names(["WG-01", "WG-02", "WG-03"])
    False
    """
    raw = pd.Series(list(values) if not isinstance(values, pd.Series) else values, dtype=object)
    counts: dict[str, int] = {}
    for value, count in raw.dropna().astype(str).value_counts(sort=False).items():
        answer = " ".join(unicodedata.normalize("NFKC", value).split())
        if answer and answer.casefold() not in ("nan", "<na>", "n/a", "none"):
            counts[answer] = counts.get(answer, 0) + int(count)
    total = sum(counts.values())
    if len(counts) < min_distinct or len(counts) * 3 < total:
        return False
    named = sum(count for answer, count in counts.items() if _looks_like_a_name(answer))
    return named * 5 >= total * 4


# --- Contact details ----------------------------------------------------------------------------

EMAIL_REMOVED = "[email removed]"
PHONE_REMOVED = "[phone removed]"
# Invisible characters people (or copy and paste) put inside addresses.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff]")
_DOT = r"(?:\.|\s*[(\[{<]\s*dot\s*[)\]}>]\s*|\s+dot\s+)"
_LABEL = r"[\w-]+"
# "a@b" needs no dot after it; "a @ b.org" (spaced) does, so "3 @ lunchtime" is left alone.
_CONTACT_EMAIL = re.compile(
    rf"[\w.!#$%&'*+/=?^`{{|}}~-]+"
    rf"(?:@{_LABEL}(?:{_DOT}{_LABEL})*"
    rf"|(?:\s+@\s*|\s*@\s+){_LABEL}(?:{_DOT}{_LABEL})+"
    rf"|\s*[(\[{{<]\s*at\s*[)\]}}>]\s*{_LABEL}(?:{_DOT}{_LABEL})*)",
    flags=re.IGNORECASE,
)
# UK numbers: +44 / 0044 then 9-10 digits, or 0 then 9-10 digits; spaces, dashes, brackets.
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)[\s-]*44[\s-]*(?:\(\s*0\s*\)[\s-]*)?|\(?0)\d(?:[\s()-]*\d){8,9}(?!\d)"
)


def scrub_contact_details(text: str) -> str:
    """Text with email addresses and UK phone numbers removed, however they are disguised.

    Full-width characters are folded (NFKC) and invisible characters dropped first, so
    ``a＠b.org`` and an address with a zero-width space after ``@`` are found; so are
    ``a @ b.org``, ``a(at)b.org``, ``a [at] b dot org`` and addresses without a dot
    (``a@school``). Phone numbers: ``07xxx xxxxxx``, ``01xxx xxxxxx``, ``+44 ...``.

    Examples
    --------
    >>> scrub_contact_details("mail jo.b@school or ring 07700 900123")
    'mail [email removed] or ring [phone removed]'
    >>> scrub_contact_details("jo [at] school dot org, +44 (0)1632 960 001")
    '[email removed], [phone removed]'
    >>> scrub_contact_details("Year 6 scored 21 of 25 in 2024")
    'Year 6 scored 21 of 25 in 2024'
    """
    clean = _INVISIBLE.sub("", unicodedata.normalize("NFKC", str(text)))
    clean = _CONTACT_EMAIL.sub(EMAIL_REMOVED, clean)
    return _PHONE.sub(PHONE_REMOVED, clean)


def has_contact_details(text: str) -> bool:
    """True when :func:`scrub_contact_details` would change more than spacing and width.

    Examples
    --------
    >>> has_contact_details("WG1"), has_contact_details("lead＠school.org")
    (False, True)
    """
    folded = _INVISIBLE.sub("", unicodedata.normalize("NFKC", str(text)))
    return scrub_contact_details(folded) != folded


def scrub_contact_series(text: pd.Series) -> pd.Series:
    """:func:`scrub_contact_details` on every non-missing value (each distinct value once).

    Examples
    --------
    >>> scrub_contact_series(pd.Series(["a@b.org", None])).tolist()
    ['[email removed]', nan]
    """
    present = text.notna()
    result = text.astype("object").copy()
    if present.any():
        values = text[present].astype(str)
        mapping = {value: scrub_contact_details(value) for value in values.unique()}
        result[present] = values.map(mapping)
    return result.astype("str")
