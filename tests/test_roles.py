"""Sign-in and roles: local use, OIDC sign-in with and without a role, the Roles page, the CLI.

AppTest seeds ``st.user`` and ``st.secrets``; the role table is a real store per test.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # app_support sits beside app.py, outside the installed packages

import app_support as ui  # noqa: E402
from app_support.auth import TEST_VIEWER_KEY  # noqa: E402
from evaluation.access import Viewer  # noqa: E402
from evaluation.cli import main  # noqa: E402
from evaluation.store import Store  # noqa: E402
from evaluation.store.engine import DEFAULT_FILE_NAME  # noqa: E402

APP = str(ROOT / "app.py")
TIMEOUT = 180
AUTH = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "not-a-real-secret",
        "client_id": "test-client",
        "client_secret": "not-a-real-secret",
        "server_metadata_url": "https://login.example/.well-known/openid-configuration",
    }
}
SOLENT = "Solent Maths Hub"
DATA_PAGES = [path for key, (path, _t, _i) in ui.PAGES.items() if key not in ("roles", "methods")]


@pytest.fixture(autouse=True)
def _as_the_server(app_like_the_server, monkeypatch):  # conftest: AppTest as the server runs it
    monkeypatch.delenv("IMPACT_OPEN_TEXT_ROLES", raising=False)
    monkeypatch.delenv("IMPACT_REQUIRE_LOGIN", raising=False)


@pytest.fixture
def store_url(seeded_home: Path, tmp_path, monkeypatch) -> str:
    """A store with the synthetic sample, named by DATABASE_URL (so the app does not seed it).

    Each test gets its own copy of conftest's ``seeded_home`` (the store with its key file).
    """
    shutil.copytree(seeded_home, tmp_path, dirs_exist_ok=True)
    url = f"sqlite:///{tmp_path / DEFAULT_FILE_NAME}"
    monkeypatch.setenv("IMPACT_HOME", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("IMPACT_SECRET", raising=False)  # the key file beside the store
    return url


def signed_in(email: str | None, *, logged_in: bool = True) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.secrets = AUTH
    at.user = {"is_logged_in": logged_in, **({"email": email} if email else {})}
    return at.run()


def data_elements(at: AppTest) -> int:
    return len(at.dataframe) + len(at.get("plotly_chart")) + len(at.metric)


# ------------------------------------------------------------------ who is viewing


def test_without_sign_in_configured_the_app_is_one_local_national_user_and_says_so(store_url):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    captions = [c.value for c in at.sidebar.caption]
    assert "Signed in as: local national user (no sign-in configured)" in captions
    assert [s for s in at.sidebar.selectbox if s.label == "Maths Hub"]  # every hub offered


def test_sign_in_configured_but_not_signed_in_shows_only_the_sign_in_page(store_url):
    at = signed_in(None, logged_in=False)
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    assert data_elements(at) == 0
    assert not at.sidebar.selectbox, "no filters, so no hub names"


@pytest.mark.parametrize("page", DATA_PAGES)
def test_a_signed_in_user_without_a_role_sees_no_data_on_any_page(store_url, page):
    at = signed_in("new.teacher@school.example")
    assert not at.exception
    assert "ask your maths hub" in " ".join(i.value for i in at.info).casefold()
    assert "new.teacher@school.example" in at.info[0].value
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(page)
    assert data_elements(at) == 0
    assert not at.sidebar.selectbox


def test_the_role_recorded_for_a_signed_in_email_decides_what_they_see(store_url):
    with Store.open(store_url) as store:
        store.set_role("board@solent.example", "hub", hub=SOLENT, by="test")
    at = signed_in("Board@Solent.Example")  # emails match whatever their case
    assert not at.exception
    captions = [c.value for c in at.sidebar.caption]
    assert "Signed in as: board@solent.example (hub: Solent Maths Hub)" in captions
    assert f"Maths Hub: **{SOLENT}**" in captions
    assert [b.label for b in at.sidebar.button] == ["Sign out"]
    at.switch_page("pages/datasets.py").run()
    listed = next(f.value for f in at.dataframe if "Hubs" in f.value.columns)
    assert set(listed["Hubs"]) == {SOLENT}


def test_requiring_sign_in_without_configuring_it_shows_no_data(store_url, monkeypatch):
    monkeypatch.setenv("IMPACT_REQUIRE_LOGIN", "1")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert "has not been set up" in at.error[0].value
    assert data_elements(at) == 0


# ------------------------------------------------------------------ the Roles page


def _roles_page(viewer: Viewer) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state[TEST_VIEWER_KEY] = viewer
    at.run()
    return at.switch_page("pages/roles.py").run()


def test_a_national_user_adds_a_lead_and_the_change_is_stored_and_audited(store_url):
    national = Viewer.national("team@ncetm.example")
    at = _roles_page(national)
    assert not at.exception
    at.text_input(key="roles_email").input("  Lena.Lead@School.example ")
    at.selectbox(key="roles_role").set_value("lead")
    at.selectbox(key="roles_hub").set_value(SOLENT)
    at.text_input(key="roles_work_groups").input("WG-1, WG-7")
    at.button[0].click().run()  # the form's submit button
    assert not at.exception, [e.message for e in at.exception]
    assert "Saved: lena.lead@school.example" in at.success[0].value
    with Store.open(store_url) as store:
        assert store.get_role("lena.lead@school.example") == Viewer(
            role="lead", hub=SOLENT, work_groups=("WG-1", "WG-7"), name="lena.lead@school.example"
        )
        audit = store.audit_log(national)
    entry = audit[audit["action"].eq("set_role")].iloc[-1]
    assert entry["who"] == "team@ncetm.example"
    assert entry["detail"]["work_groups"] == ["WG-1", "WG-7"]
    roles = next(f.value for f in at.dataframe if "Email" in f.value.columns)
    assert roles["Email"].tolist() == ["lena.lead@school.example"]


def test_a_lead_role_needs_a_hub_and_a_work_group(store_url):
    at = _roles_page(Viewer.national("team@ncetm.example"))
    at.text_input(key="roles_email").input("x@school.example")
    at.selectbox(key="roles_role").set_value("lead")
    at.button[0].click().run()
    assert at.error[0].value == "Choose the Maths Hub for a hub or lead role."
    with Store.open(store_url) as store:
        assert store.get_role("x@school.example") is None


def test_removing_access_is_stored_and_audited(store_url):
    with Store.open(store_url) as store:
        store.set_role("old@school.example", "hub", hub=SOLENT, by="test")
    national = Viewer.national("team@ncetm.example")
    at = _roles_page(national)
    at.selectbox(key="roles_remove_who").set_value("old@school.example")
    at.button(key="roles_remove").click().run()
    assert not at.exception
    with Store.open(store_url) as store:
        assert store.get_role("old@school.example") is None
        audit = store.audit_log(national)
    removal = audit[audit["action"].eq("remove_role")].iloc[-1]
    assert (removal["who"], removal["detail"]) == (
        "team@ncetm.example",
        {"who": "old@school.example"},
    )


def test_a_hub_user_cannot_open_the_roles_page(store_url):
    hub = Viewer(role="hub", hub=SOLENT, name="board@solent.example")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state[TEST_VIEWER_KEY] = hub
    at.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/roles.py")
    # Run on its own (as an old-style page URL would), the page refuses too.
    page = AppTest.from_file(str(ROOT / "pages" / "roles.py"), default_timeout=TIMEOUT)
    page.session_state[TEST_VIEWER_KEY] = hub
    page.run()
    assert "Only the national team" in page.warning[0].value
    assert not page.dataframe and not page.text_input


# ------------------------------------------------------------------ the first national user


def test_the_cli_adds_the_first_national_user_and_lists_roles(store_url, capsys):
    assert main(["store", "role", "set", "Nadia@NCETM.example", "--role", "national"]) == 0
    assert "nadia@ncetm.example is now a national user." in capsys.readouterr().out
    assert (
        main(
            [
                "store",
                "role",
                "set",
                "lee@school.example",
                "--role",
                "lead",
                "--hub",
                "solent",
                "--work-group",
                "WG-1",
                "--uploader",
                "nadia",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["store", "role", "list", "--json"]) == 0
    roles = json.loads(capsys.readouterr().out)["roles"]
    assert [(r["who"], r["role"], r["hub"], r["work_groups"]) for r in roles] == [
        ("lee@school.example", "lead", SOLENT, ["WG-1"]),
        ("nadia@ncetm.example", "national", None, []),
    ]
    assert main(["store", "role", "remove", "lee@school.example"]) == 0
    with Store.open(store_url) as store:
        assert store.get_role("lee@school.example") is None
        actions = store.audit_log(Viewer.national())["action"].tolist()
    assert actions[-3:] == ["set_role", "set_role", "remove_role"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["x@school.example", "--role", "hub"], "needs --hub"),
        (["x@school.example", "--role", "hub", "--hub", "Solant Maths Hub"], "Did you mean"),
        (["x@school.example", "--role", "lead", "--hub", SOLENT], "--work-group"),
        (["not an email", "--role", "national"], "email address"),
    ],
)
def test_the_cli_refuses_an_incomplete_role_with_a_plain_message(
    store_url, capsys, arguments, message
):
    assert main(["store", "role", "set", *arguments]) == 2
    assert message in capsys.readouterr().err
