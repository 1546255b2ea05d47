"""Sign-in and roles for the dashboard: who is viewing, decided in one place.

Locally (no ``[auth]`` in .streamlit/secrets.toml) everyone is one national user; deployed,
Streamlit's OIDC login names the person and the store's role table says what they may see.
:func:`current_viewer` is the one place every page and loader asks.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any, Literal

import streamlit as st

from app_support.store_access import data_version, get_store, store_location
from evaluation.access import LOCAL_USER, Viewer, normalise_identity, with_open_text_rule

__all__ = [
    "REQUIRE_LOGIN_ENV",
    "TEST_VIEWER_KEY",
    "Access",
    "auth_configured",
    "current_access",
    "current_viewer",
    "decide",
    "draw_gate",
    "login_required",
    "sign_in_button",
    "sign_out_button",
    "viewer_key",
]

log = logging.getLogger("maths_hubs_impact.app")

# Tests (and only server-side code) may put a Viewer object here to view the app as someone.
# A browser cannot: widget values are strings and numbers, never a Viewer.
TEST_VIEWER_KEY = "impact_test_viewer"
REQUIRE_LOGIN_ENV = "IMPACT_REQUIRE_LOGIN"

Status = Literal["local", "injected", "signed_in", "sign_in", "no_role", "misconfigured", "error"]


@dataclass(frozen=True)
class Access:
    """The outcome of deciding who is viewing: a viewer, or why there is none.

    ``status``: ``local`` (no sign-in configured: the local national user), ``injected``
    (a test's viewer), ``signed_in`` (a person with a role), ``sign_in`` (must sign in),
    ``no_role`` (signed in, no role yet), ``misconfigured`` (sign-in required but not set up),
    ``error`` (the role table could not be read).
    """

    status: Status
    viewer: Viewer | None = None
    email: str | None = None
    detail: str | None = None

    @property
    def signed_in(self) -> bool:
        """True when a person signed in through the identity provider."""
        return self.status in ("signed_in", "no_role")

    def caption(self) -> str:
        """The sidebar's "Signed in as" line."""
        if self.status == "local":
            return f"Signed in as: {LOCAL_USER} (no sign-in configured)"
        if self.viewer is None:
            return f"Signed in as: {self.email}" if self.email else "Not signed in"
        return f"Signed in as: {self.viewer.name} ({self.viewer.describe()})"


def _truthy(value: str | None) -> bool:
    return (value or "").strip().casefold() in ("1", "true", "yes", "on")


def auth_configured() -> bool:
    """True when .streamlit/secrets.toml has an ``[auth]`` section (sign-in is set up)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: a local run
        return False


def login_required() -> bool:
    """True when ``$IMPACT_REQUIRE_LOGIN`` says a missing ``[auth]`` is an error, not local use."""
    return _truthy(os.environ.get(REQUIRE_LOGIN_ENV))


def _user_attr(name: str) -> Any:
    try:
        return st.user.get(name)
    except Exception:  # st.user is unavailable outside a script run
        return None


@st.cache_data(show_spinner=False, ttl=60, max_entries=256)
def _role_for(location: str, version: str, email: str) -> Viewer | None:
    return get_store().get_role(email)


def decide(
    *,
    configured: bool,
    logged_in: bool,
    email: str | None,
    role: Viewer | None,
    require_login: bool = False,
) -> Access:
    """Who is viewing, from the sign-in state and the role recorded for the email (pure logic).

    Examples
    --------
    >>> decide(configured=False, logged_in=False, email=None, role=None).viewer.role
    'national'
    >>> decide(configured=True, logged_in=False, email=None, role=None).status
    'sign_in'
    >>> decide(configured=True, logged_in=True, email="a@b.org", role=None).status
    'no_role'
    """
    if not configured:
        if require_login:
            return Access("misconfigured")
        return Access("local", with_open_text_rule(Viewer.national(LOCAL_USER)))
    if not logged_in:
        return Access("sign_in")
    if not email:
        return Access("no_role", detail="Your sign-in did not share an email address.")
    if role is None:
        return Access("no_role", email=email)
    return Access("signed_in", with_open_text_rule(role), email=email)


def current_access() -> Access:
    """Decide who is viewing this run: the test hook, local use, or sign-in plus role table."""
    injected = st.session_state.get(TEST_VIEWER_KEY)
    if isinstance(injected, Viewer):
        return Access("injected", injected, email=injected.name)
    configured = auth_configured()
    logged_in = bool(_user_attr("is_logged_in")) if configured else False
    email = _user_attr("email") if logged_in else None
    email = normalise_identity(email) if email else None
    role = None
    if configured and logged_in and email:
        try:
            role = _role_for(store_location(), data_version(), email)
        except Exception as exc:  # the store is down: nobody sees data, and we say why
            log.exception("Could not read the role table")
            return Access("error", email=email, detail=type(exc).__name__)
    return decide(
        configured=configured,
        logged_in=logged_in,
        email=email,
        role=role,
        require_login=login_required(),
    )


def current_viewer() -> Viewer:
    """The person viewing the dashboard: the one place every page and loader asks.

    Locally (no sign-in configured) a single national user; deployed, the signed-in person's
    role from the store. With no viewer (not signed in, or no role) this draws the sign-in or
    "ask your hub" page instead and stops the run, so no data is ever read without a viewer.
    """
    access = current_access()
    if access.viewer is None:
        draw_gate(access)
        st.stop()
    return access.viewer


def viewer_key(viewer: Viewer) -> str:
    """What the cached loaders key a viewer on: role, hub, Work Groups, open-text rule.

    Examples
    --------
    >>> viewer_key(Viewer.national())
    'national|None||1'
    """
    groups = ",".join(viewer.work_groups)
    return f"{viewer.role}|{viewer.hub}|{groups}|{int(viewer.sees_open_text)}"


def sign_in_button(key: str) -> None:
    """The "Sign in" button (starts Streamlit's OIDC login)."""
    if st.button("Sign in", key=key, type="primary", icon=":material/login:"):
        try:
            st.login()
        except Exception as exc:  # e.g. Authlib missing or a broken [auth] section
            log.exception("Sign-in could not start")
            st.error(
                "Sign-in could not start. The person who runs this dashboard needs to check "
                f"its sign-in settings ({type(exc).__name__})."
            )


def sign_out_button(key: str) -> None:
    """The "Sign out" button."""
    if st.button("Sign out", key=key, icon=":material/logout:"):
        st.logout()


def draw_gate(access: Access) -> None:
    """The page shown instead of the dashboard when there is no viewer: no data, what to do."""
    st.title("Maths Hubs Impact")
    if access.status == "sign_in":
        st.write(
            "This dashboard shows the impact of Maths Hubs professional development. Sign in "
            "with your work account to see your hub's or Work Group's results."
        )
        sign_in_button("gate_sign_in")
    elif access.status == "no_role":
        who = f"You are signed in as **{access.email}**" if access.email else "You are signed in"
        st.info(
            f"{who}, but you have not been given access yet. Ask your Maths Hub (or the NCETM "
            "team) to add you: they need the email address shown here, and whether you lead "
            "Work Groups or sit on the hub's board.",
            icon=":material/lock_person:",
        )
        if access.detail:
            st.caption(access.detail)
        sign_out_button("gate_sign_out")
    elif access.status == "misconfigured":
        st.error(
            "Sign-in is required here but has not been set up, so no data is shown. The person "
            "who runs this dashboard needs to add the [auth] section to "
            ".streamlit/secrets.toml (see the README's Deployment section).",
            icon=":material/lock:",
        )
    else:
        st.error(
            "Sorry, we could not check who may see what just now, so no data is shown. Try "
            "reloading the page in a minute; if it keeps happening, tell the support team"
            + (f" ({access.detail})." if access.detail else "."),
            icon=":material/error:",
        )
