"""The board pack as PDF: the same HTML printed to A4 by headless Chromium in a subprocess.

Without Chromium there is no PDF (``pdf`` is None) and the note says so; the HTML has the same
content. Set ``IMPACT_CHROMIUM`` to use a browser somewhere else.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

CHROMIUM_ENV = "IMPACT_CHROMIUM"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
NO_CHROMIUM = "PDF needs Chromium; the HTML report has the same content."
# Screen width the charts are drawn at before printing: the A4 text width (210 mm less 12 mm
# margins each side = 186 mm = 703 CSS px), so what is drawn is what fits on the page.
A4_TEXT_WIDTH_PX = 703
DEFAULT_TIMEOUT = 180.0
# Simulated time Chromium waits for scripts (plotly drawing) before it prints.
VIRTUAL_TIME_MS = 15000
# Chromium switches for a sandboxed server with no network: no GPU, no QUIC, no first-run
# screens and no calls home. Shared with the browser tests, which launch the same Chromium.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


@dataclass(frozen=True)
class PdfResult:
    """A printed PDF, or None with a plain-English note saying why not."""

    pdf: bytes | None
    note: str | None = None


def find_chromium() -> str | None:
    """Path of a Chromium executable: ``$IMPACT_CHROMIUM``, else the first on PATH, else None.

    Examples
    --------
    >>> import os
    >>> os.environ["IMPACT_CHROMIUM"] = "/no/such/browser"
    >>> find_chromium() is None
    True
    >>> del os.environ["IMPACT_CHROMIUM"]
    """
    configured = os.environ.get(CHROMIUM_ENV, "").strip()
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def chromium_command(chromium: str, html_file: Path, pdf_file: Path, profile: Path) -> list[str]:
    """The headless Chromium command line that prints ``html_file`` to ``pdf_file``.

    Examples
    --------
    >>> cmd = chromium_command("chromium", Path("/t/r.html"), Path("/t/r.pdf"), Path("/t/p"))
    >>> cmd[-1], "--headless" in cmd
    ('file:///t/r.html', True)
    """
    return [
        chromium,
        "--headless",
        *CHROMIUM_ARGS,
        "--disable-extensions",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        f"--window-size={A4_TEXT_WIDTH_PX},1000",
        "--no-pdf-header-footer",
        f"--virtual-time-budget={VIRTUAL_TIME_MS}",
        f"--print-to-pdf={pdf_file}",
        html_file.resolve().as_uri(),
    ]


def html_to_pdf(
    html: str, *, chromium: str | None = None, timeout: float = DEFAULT_TIMEOUT
) -> PdfResult:
    """Print an HTML page to A4 PDF with headless Chromium.

    Parameters
    ----------
    html : str
        A self-contained page (no network is used; Chromium's background networking is off).
    chromium : str, optional
        Browser executable; default :func:`find_chromium`.
    timeout : float
        Seconds before the browser is stopped and no PDF is returned.

    Returns
    -------
    PdfResult
        ``pdf`` bytes, or None with ``note`` saying why (no Chromium, it failed, too slow).

    Examples
    --------
    >>> html_to_pdf("<p>hi</p>", chromium="/no/such/browser").note
    'PDF needs Chromium; the HTML report has the same content.'
    """
    browser = chromium or find_chromium()
    if not browser or not os.access(browser, os.X_OK):
        return PdfResult(None, NO_CHROMIUM)
    with tempfile.TemporaryDirectory(prefix="board-pack-") as tmp:
        folder = Path(tmp)
        html_file, pdf_file, profile = folder / "report.html", folder / "report.pdf", folder / "p"
        html_file.write_text(html, encoding="utf-8")
        command = chromium_command(browser, html_file, pdf_file, profile)
        try:
            finished = subprocess.run(
                command,
                capture_output=True,
                timeout=timeout,
                check=False,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            return PdfResult(None, f"Chromium took longer than {timeout:.0f} seconds to print.")
        except OSError as exc:
            return PdfResult(None, f"{NO_CHROMIUM} (Chromium could not start: {exc.strerror})")
        if pdf_file.exists() and pdf_file.stat().st_size > 0:
            return PdfResult(pdf_file.read_bytes())
        detail = finished.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
        return PdfResult(
            None,
            "Chromium did not produce a PDF"
            + (f" ({detail[0][:200]})" if detail else "")
            + "; the HTML report has the same content.",
        )
