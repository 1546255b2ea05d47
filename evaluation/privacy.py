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
from pathlib import Path

import pandas as pd

# Hex characters kept from the HMAC: 128 bits, ample to keep a few million codes apart.
DIGEST_CHARS = 32
SECRET_ENV = "IMPACT_SECRET"
HOME_ENV = "IMPACT_HOME"
DEFAULT_HOME = ".impact"
KEY_FILE_NAME = "secret.key"

_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")


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
    """Open-text answers with any email address replaced by ``[email removed]``.

    Examples
    --------
    >>> scrub_emails(pd.Series(["mail me at a.b@c.org please"]))[0]
    'mail me at [email removed] please'
    """
    return text.astype("str").str.replace(_EMAIL, "[email removed]", regex=True)


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
    if not key_file.exists():
        _create_key_file(key_file)
    key = key_file.read_text(encoding="ascii").strip()
    if not key:
        raise RuntimeError(f"The key file {key_file} is empty; restore it from a backup.")
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
