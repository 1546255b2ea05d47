"""Real-browser tests: the app served by `streamlit run`, driven in Debian Chromium by Playwright.

Screenshots go to test-artifacts/ so a person can look at what users see.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from evaluation.presentation.reports.pdf import CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "sample_data" / "examples"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
LAPTOP = {"width": 1366, "height": 820}
PLOT = ".js-plotly-plot"
SLOW = 120_000  # ms: the first page load seeds the sample on a shared two-core machine

# One worker runs them all (pytest-xdist --dist loadfile, or loadgroup): they share the module's
# servers.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("streamlit did not become healthy in time")


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    """`streamlit run app.py` on a free port with its own empty default store (seeded on open)."""
    yield from _serve(tmp_path_factory.mktemp("browser_home"))


@pytest.fixture(scope="module")
def empty_server(tmp_path_factory) -> Iterator[str]:
    """A second fresh server whose store stays empty (no sample) and that nobody has opened."""
    yield from _serve(tmp_path_factory.mktemp("empty_home"), IMPACT_SEED_SAMPLE="0")


def _serve(home: Path, script: str = "app.py", **extra_env: str) -> Iterator[str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["IMPACT_HOME"] = str(home)
    env["PYTHONUNBUFFERED"] = "1"  # streamlit.log holds everything printed, even when killed
    env.update(extra_env)
    log = (home / "streamlit.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            script,
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--server.fileWatcherType",
            "none",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
        yield url
    finally:
        # Killed, not asked to stop: after a SIGTERM, Streamlit closes its sockets and threads in
        # a tenth of a second, then Python spends seconds of CPU freeing the app's objects one by
        # one, for a store in a temporary folder that is thrown away anyway.
        process.kill()
        process.wait()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def tabs(browser) -> Iterator[object]:
    """The browser context whose new tabs :func:`page` hands out, one per test.

    One context for the module, not one per test, only so that its HTTP cache (and the compiled
    code Chromium keeps with it) is shared: each new context downloaded and compiled Streamlit's
    scripts again, a third of a second of CPU per page opened. Each test still starts with no
    cookies and empty storage (:func:`page` clears them after every test) and its own tab, so its
    own Streamlit session.
    """
    context = _context(browser)
    yield context
    context.close()


@pytest.fixture
def page(tabs, server, request):
    tab = tabs.new_page()
    failed_before = request.session.testsfailed
    yield tab
    if request.session.testsfailed > failed_before:  # keep what the browser showed
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / f"FAILED_{request.node.name}.png"), full_page=True)
    # What a test leaves in the browser goes with its tab: the next test starts as a new visitor.
    try:
        tab.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
    finally:
        tab.close()
        tabs.clear_cookies()


# Added to every page before Streamlit's own scripts: one observer notes when the page last
# changed (so a check can wait until drawing has finished) and counts the script runs that ended
# (stApp's ``data-test-script-state`` leaving "running"), so an action can wait for its own rerun.
WATCH_RUNS = """
(() => {
  const watch = {changed: performance.now(), runs: 0};
  window.__settle = watch;
  new MutationObserver((records) => {
    watch.changed = performance.now();
    for (const r of records) {
      if (r.attributeName === 'data-test-script-state' && r.oldValue === 'running') watch.runs++;
    }
  }).observe(document, {subtree: true, childList: true, characterData: true, attributes: true,
                        attributeOldValue: true});
})();
"""
QUIET_MS = 250  # the page has not changed for this long: Streamlit and Plotly have drawn
MISSED_RUN_MS = 30_000  # a rerun not counted after this long was missed by the counter
POLL_MS = 50  # how often a wait checks its condition (not every animation frame: less CPU)
SETTLED = f"""() => {{
  const app = document.querySelector('[data-testid="stApp"]');
  return !!app && app.getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector('[data-testid="stStatusWidget"]')
    && !document.querySelector('[data-stale="true"]')
    && performance.now() - window.__settle.changed >= {QUIET_MS};
}}"""


def _context(browser):
    """A new browser context at laptop size whose pages carry the :data:`WATCH_RUNS` observer."""
    context = browser.new_context(viewport=LAPTOP)
    context.add_init_script(script=WATCH_RUNS)
    context.set_default_timeout(SLOW)
    return context


def _settle(tab) -> None:
    """Wait until Streamlit has finished running the script and redrawn every element.

    That is: the app says its script is not running, no status widget shows, nothing is greyed
    out (``data-stale="true"``, as what the previous run drew is while a rerun is under way: a
    check made then sees faded text, whose contrast axe reports), and the page has not changed
    for ``QUIET_MS``.
    """
    tab.wait_for_function(SETTLED, polling=POLL_MS, timeout=SLOW)


def _rerun(tab, action) -> None:
    """Do ``action`` (a click that changes a widget), then wait for the rerun it starts to end.

    Streamlit starts the rerun only when the server answers, so right after the click the page
    still looks settled: count the runs that ended before, and wait for one more.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    before = tab.evaluate("() => window.__settle.runs")
    action()
    try:
        tab.wait_for_function(
            f"(before) => window.__settle.runs > before && ({SETTLED})()",
            arg=before,
            polling=POLL_MS,
            timeout=MISSED_RUN_MS,
        )
    except PlaywrightTimeout:
        # Seen once in ten full runs: the widget had changed and the page was drawn, but no
        # run was counted (React may draw a quick run's start and end in one update, so the
        # state never reads "running"). Wait until settled; the test's next waits and
        # assertions check what the rerun drew.
        _settle(tab)


def _shot(tab, name: str) -> Path:
    """A screenshot of the whole page (Streamlit scrolls inside its main block, not the window)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    height = tab.evaluate(
        '() => Math.max(...[...document.querySelectorAll(\'[data-testid="stMain"], '
        '[data-testid="stMainBlockContainer"]\')].map(e => e.scrollHeight), 0)'
    )
    tab.set_viewport_size({"width": LAPTOP["width"], "height": min(max(height + 40, 820), 9000)})
    # redrawn at the new height: wait until the page has stopped changing
    tab.wait_for_function(
        f"() => performance.now() - window.__settle.changed >= {QUIET_MS}", polling=POLL_MS
    )
    tab.screenshot(path=str(path), full_page=True)
    tab.set_viewport_size(LAPTOP)
    return path


def _no_error(tab) -> None:
    text = tab.inner_text('[data-testid="stMain"]')
    assert "Sorry, something went wrong" not in text
    assert "Traceback" not in text


def _choose(tab, key: str, option: str) -> None:
    """Pick ``option`` in the selectbox with widget key ``key`` (a searchable combobox)."""
    box = tab.locator(f".st-key-{key} input[role='combobox']")
    box.click()
    box.fill(option)
    _rerun(tab, tab.get_by_role("option", name=option, exact=True).first.click)


def test_home_says_what_is_loaded(page, server):
    page.goto(server)
    page.get_by_text("Data loaded").wait_for()
    _settle(page)
    _no_error(page)
    assert page.get_by_text("synthetic sample").first.is_visible()
    _shot(page, "home")


@pytest.mark.parametrize(
    "path", ["impact", "hub_overview", "national", "pupils", "datasets", "methods"]
)
def test_results_pages_draw_at_laptop_width(page, server, path):
    page.goto(f"{server}/{path}")
    page.locator("h1").first.wait_for()
    _settle(page)
    if path in ("impact", "hub_overview", "national", "pupils"):
        page.wait_for_selector(PLOT)
        _settle(page)
    _no_error(page)
    # nothing spills sideways at laptop width
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1
    _shot(page, path)


def test_upload_two_microsoft_forms_exports_and_see_the_charts(page, server):
    page.goto(f"{server}/upload")
    page.get_by_text("About this Work Group").wait_for()
    _settle(page)
    _choose(page, "upload_hub", "Solent Maths Hub")
    _choose(page, "upload_ncp", "Mastering Number at KS2")
    _choose(page, "upload_year", "2025/26")
    inputs = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    inputs.nth(0).set_input_files(str(EXAMPLES / "ms_forms_pre.xlsx"))
    page.get_by_text("Before (pre) file:").wait_for()
    _settle(page)
    inputs.nth(1).set_input_files(str(EXAMPLES / "ms_forms_post.xlsx"))
    page.get_by_text("After (post) file:").wait_for()
    _settle(page)
    assert page.get_by_text("Ready to save").count() == 2
    _shot(page, "upload_checked")
    page.get_by_role("button", name="Save and show results").click()
    page.get_by_text("Results for this Work Group").wait_for()
    page.wait_for_selector(PLOT)
    _settle(page)
    _no_error(page)
    assert page.locator(PLOT).count() >= 4
    _shot(page, "upload_results")


def test_upload_with_problems_shows_what_to_fix(page, server, tmp_path):
    bad = tmp_path / "survey.csv"
    bad.write_text(
        "Participant code,Phase,Academic year,Maths Hub,Project,"
        "I feel confident teaching mathematics to my class\n"
        "A1,pre,2024/25,Solent Maths Hubb,Mastering Number at KS2,Agree\n",
        encoding="utf-8",
    )
    page.goto(f"{server}/upload")
    page.locator(".st-key-upload_layout").get_by_text("One file with both").click()
    page.get_by_text("One file with before and after survey export").wait_for()
    _settle(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(
        str(bad)
    )
    page.get_by_text("to fix before this file can be saved").wait_for()
    _settle(page)
    _no_error(page)
    _shot(page, "upload_problems")


def test_a_link_opened_first_on_a_fresh_server_gets_the_apps_navigation(browser, empty_server):
    # Streamlit runs pages/<page>.py on its own for the first visitor of a server with a pages/
    # folder; the page must come back through app.py (titles, filters, wide layout).
    context = _context(browser)
    tab = context.new_page()
    try:
        tab.goto(f"{empty_server}/national")
        tab.get_by_text("nothing to compare").wait_for()
        _settle(tab)
        _no_error(tab)
        # Waited for, not read at once: on a busy machine the sidebar's select boxes (a widget
        # chunk this new context has not loaded yet) can appear after the page has looked quiet.
        nav = tab.locator('[data-testid="stSidebar"]')
        nav.get_by_text("National comparison", exact=True).first.wait_for()
        nav.get_by_text("Maths Hub", exact=True).first.wait_for()
        sidebar = nav.inner_text()
        assert "National comparison" in sidebar and "Maths Hub" in sidebar
        assert "hub overview" not in sidebar, "no raw page-file names"
        _shot(tab, "fresh_server_deep_link")
    finally:
        context.close()


def test_a_pdf_renamed_csv_gets_one_clear_message(page, empty_server, tmp_path):
    fake = tmp_path / "report.csv"
    fake.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + bytes(range(256)) * 8)
    page.goto(f"{empty_server}/upload")
    page.locator(".st-key-upload_layout").get_by_text("One file with both").click()
    page.get_by_text("One file with before and after survey export").wait_for()
    _settle(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(
        str(fake)
    )
    page.get_by_text("This is a PDF, not a table").wait_for()
    _settle(page)
    _no_error(page)
    assert page.locator('[data-testid="stTable"], [data-testid="stDataFrame"]').count() == 0
    _shot(page, "upload_pdf_renamed_csv")


# --------------------------------------------------------------------------------------------
# Accessibility: axe-core (from the npm registry) run in Chromium on the board pack and on two
# dashboard pages; no serious or critical violation is allowed.
# --------------------------------------------------------------------------------------------

AXE_DIR = ROOT / ".cache" / "axe"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


@pytest.fixture(scope="module")
def axe_js() -> Path:
    """axe-core's ``axe.min.js``, installed with npm into the git-ignored .cache/axe if missing."""
    if not AXE_JS.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is needed to install axe-core (scripts/run-tests.sh installs it)")
        AXE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                npm,
                "install",
                "--prefix",
                str(AXE_DIR),
                "--no-audit",
                "--no-fund",
                "--no-save",
                "axe-core@4",
            ],
            check=True,
            timeout=600,
        )
    return AXE_JS


# Streamlit's own sidebar navigation with sections puts <li> items inside a <div> inside its
# <ul> (axe rules "list" and "listitem"): markup of the framework, not of this app, so that one
# element is left out of the dashboard checks; everything the app draws is checked.
STREAMLIT_NAV = '[data-testid="stSidebarNavItems"]'


def _axe_violations(tab, axe_js: Path, *, exclude: tuple[str, ...] = ()) -> list[dict]:
    """Open every "Show as table", run axe-core on the page, return serious/critical violations."""
    tab.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    tab.add_script_tag(path=str(axe_js))
    result = tab.evaluate(
        "async (exclude) => await axe.run("
        "{include: [['html']], exclude: exclude.map(s => [s])}, {resultTypes: ['violations']})",
        list(exclude),
    )
    return [v for v in result["violations"] if v["impact"] in BLOCKING]


def _describe(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['impact']} {v['id']}: {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in violations
    )


def test_board_pack_html_has_no_serious_accessibility_violations(browser, axe_js, tmp_path):
    from evaluation.access import Viewer
    from evaluation.presentation.reports import build_board_pack, inputs_from_files

    small = ROOT / "sample_data" / "small"
    inputs = inputs_from_files([small / "surveys.csv", small / "pupils.csv"])
    pack = build_board_pack(
        inputs,
        viewer=Viewer.national(),
        hub="Solent Maths Hub",
        academic_year="2024/25",
        pdf=False,
    )
    assert pack.ok, pack.problem
    report = tmp_path / "report.html"
    report.write_text(pack.html, encoding="utf-8")
    context = browser.new_context(viewport=LAPTOP)
    tab = context.new_page()
    try:
        tab.goto(report.as_uri())
        tab.wait_for_selector(PLOT)
        assert tab.locator("details.chart-table").count() == tab.locator(PLOT).count()
        violations = _axe_violations(tab, axe_js)
        assert not violations, _describe(violations)
    finally:
        context.close()


@pytest.mark.parametrize("path", ["hub_overview", "impact"])
def test_dashboard_pages_have_no_serious_accessibility_violations(page, server, axe_js, path):
    page.goto(f"{server}/{path}")
    page.locator("h1").first.wait_for()
    page.wait_for_selector(PLOT)
    _settle(page)
    _no_error(page)
    # Open one chart's "Show as table" so its table is checked too.
    _rerun(page, page.get_by_text("Show as table").first.click)
    violations = _axe_violations(page, axe_js, exclude=(STREAMLIT_NAV,))
    assert not violations, _describe(violations)


def _upload_pupils(page, url: str, path: Path, *, comparison: bool) -> None:
    """Upload one file of pupil scores on the upload page (ticking "comparison" if asked)."""
    page.goto(f"{url}/upload")
    page.get_by_text("About this Work Group").wait_for()
    _settle(page)
    # Inside the widget: the templates section further down also says "Pupil scores (MTC)", hidden
    # in its expander, and on a slow machine it can be in the page before this control is.
    _rerun(page, page.locator(".st-key-upload_kind").get_by_text("Pupil scores (MTC)").click)
    page.locator(".st-key-upload_layout").get_by_text("One file with both").click()
    page.get_by_text("One file with before and after pupil scores").wait_for()
    _settle(page)
    if comparison:
        _rerun(
            page,
            page.locator(".st-key-upload_comparison")
            .get_by_text("These files are comparison data")
            .click,
        )
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(
        str(path)
    )
    page.get_by_text("Ready to save").wait_for()
    _settle(page)
    page.get_by_role("button", name="Save and show results").click()
    page.get_by_text("Saved").first.wait_for()
    _settle(page)


def test_upload_pupils_and_comparison_schools_and_see_the_impact_chart(browser, tmp_path):
    """Issue 13: upload the project's pupils, then a comparison file marked as such."""
    sample = ROOT / "sample_data" / "small"
    chosen = {"ncp": "Mastering Number at KS2", "academic_year": "2024/25"}
    for name in ("pupils", "pupils_comparison"):
        rows = pd.read_csv(sample / f"{name}.csv", dtype=str)
        for column, value in chosen.items():
            rows = rows[rows[column].eq(value)]
        rows.to_csv(tmp_path / f"{name}.csv", index=False)
    (tmp_path / "home").mkdir()
    served = _serve(tmp_path / "home", IMPACT_SEED_SAMPLE="0")
    url = next(served)
    context = _context(browser)
    tab = context.new_page()
    try:
        _upload_pupils(tab, url, tmp_path / "pupils.csv", comparison=False)
        _upload_pupils(tab, url, tmp_path / "pupils_comparison.csv", comparison=True)
        tab.goto(f"{url}/pupils")
        tab.get_by_text("Impact against comparison").first.wait_for()
        # The page draws in parts: wait for the sentence and the chart asserted on below.
        tab.get_by_text("impact against the comparison group of").first.wait_for()
        tab.wait_for_function(
            "() => [...document.querySelectorAll('.js-plotly-plot')].some(p => (p.data || [])"
            ".some(t => t.name === 'Impact against comparison with 95% CI'))",
            timeout=SLOW,
        )
        _settle(tab)
        _no_error(tab)
        main = tab.inner_text('[data-testid="stMain"]')
        assert "impact against the comparison group of" in main
        assert "Evidence strength: 0 of 5" in main  # the before-and-after headline
        names = tab.evaluate(
            "() => [...document.querySelectorAll('.js-plotly-plot')]"
            ".flatMap(p => (p.data || []).map(t => t.name))"
        )
        assert "Impact against comparison with 95% CI" in names
        _shot(tab, "pupils_impact_against_comparison")
    finally:
        context.close()
        served.close()
