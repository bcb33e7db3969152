"""What every page shares: the district, the logged-in user's workspace, the working date, and
cached figures.

Every read and write goes through :class:`containment.service.Workspace`, which checks the
user's role; the caches here are keyed by the store's revision and the role, so a view cached
for a planner is never served to the police.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import geopandas as gpd
import pandas as pd
import streamlit as st

import containment as cp
from containment import i18n
from containment.auth import AuthError, Permission, SessionEnded, forwarded_client
from containment.i18n import _
from containment.io.districts import DistrictEntry, districts, find_district
from containment.render.labels import code_label
from containment.render.mapview import OwnLayer
from containment.render.mapview import zone_overview as overview_of
from containment.render.text import markdown_text as md
from containment.service import Service, Workspace
from containment.store import (
    SCHEMA_PREFIX_VARIABLE,
    database_url,
    default_store_path,
    open_store,
)
from containment.store.roles import STATE_STORE
from ui import tiles, web

# The district the app opens on (a name, slug or alias); ``streamlit run serve.py -- --district
# NAME`` sets it too. Set, it fixes the district: no picker (one app per district, as a PostGIS
# deployment with a database role per district needs). Unset, the app opens on Dungarpur and
# the login page offers every shipped district.
DISTRICT_VARIABLE = "CONTAINMENT_DISTRICT"


@st.cache_resource
def _shipped(start: str) -> tuple[str, tuple[DistrictEntry, ...]]:
    """The start district's slug and the shipped districts (read once per start setting)."""
    return find_district(start).slug, tuple(districts())


def _start() -> tuple[str, bool]:
    """The district named at start, and whether it was named (then it is fixed)."""
    named = os.environ.get(DISTRICT_VARIABLE, "").strip()
    return named or cp.DEFAULT_DISTRICT, bool(named)


def start_slug() -> str:
    """The slug of the district the app was started on (Dungarpur unless one was named)."""
    return _shipped(_start()[0])[0]


def state_room() -> bool:
    """Whether this app is the state control room (``--district state``, or ``serve.py --
    --state``): its store holds the state users, and it reads every district's state views."""
    return _start()[0].strip().lower() == STATE_STORE


def picker_districts() -> list[DistrictEntry]:
    """The districts the login page offers: every shipped one, unless the district was fixed at
    start or the database is one SQLite file (``sqlite:///…``) that cannot keep districts apart."""
    start, named = _start()
    if named or database_url().startswith("sqlite:"):
        return []
    return list(_shipped(start)[1])


def district_slug() -> str:
    """This session's district: the one picked on the login page, if it is still one the app
    offers, else the start district."""
    start, _ = _start()
    if state_room():
        return STATE_STORE
    picked = st.session_state.get("district")
    if picked and picked in {d.slug for d in picker_districts()}:
        return str(picked)
    return _shipped(start)[0]


def choose_district(slug: str) -> None:
    """The one way a session changes district: before login, to a district the app offers (a
    known slug, never a path). Anything else is ignored."""
    if st.session_state.get("session_token"):
        return
    if slug in {d.slug for d in picker_districts()}:
        st.session_state["district"] = slug


@st.cache_resource(max_entries=8)
def _district(slug: str) -> cp.District:
    return cp.load_district(find_district(slug).folder)


def district() -> cp.District:
    """This session's district (see :func:`district_slug`)."""
    return _district(district_slug())


@st.cache_resource
def _service(district_name: str, url: str, schema_prefix: str, default_path: str) -> Service:
    return Service(open_store(district_name, url))


def service() -> Service:
    """The district's service, on the configured database (``CONTAINMENT_DATABASE_URL``); each
    district has a store of its own (``data/<slug>.sqlite``, schema ``district_<slug>``)."""
    prefix = os.environ.get(SCHEMA_PREFIX_VARIABLE, "")
    try:  # an unknown start district, or the database server is down
        name = district_slug()
        return _service(name, database_url(), prefix, str(default_store_path(name).resolve()))
    except cp.ContainmentError as error:
        show_error(error)
        st.stop()
        raise AssertionError from error  # st.stop() does not return


T = TypeVar("T")
logger = logging.getLogger("containment.ui")


@dataclass(frozen=True)
class Done(Generic[T]):
    """An action that went through, and what it returned."""

    value: T


def act(
    change: Callable[[Workspace], T],
    *,
    done: str | Callable[[], str] = "",
    place: str = "",
) -> Done[T] | None:
    """Do one thing a user asked for: the one door every button and form goes through.

    The session is checked again in the service first (a button's callback runs before the
    page, with whatever the browser sent: the user may have been logged out, timed out or
    disabled since the page was drawn), then ``change`` gets that fresh workspace. The
    package's own errors become a message on the page; a session that has ended returns
    to the login page. Anything else is a bug and surfaces.

    ``done`` is the message shown when it went through; a button's callback gives it as a
    function, written once the reader's language is set (a callback runs before the page).

    ``place`` names where on the page a refusal is shown (``show_flash(place)`` next to the
    button that was clicked); without it, at the top of the page.

    Returns :class:`Done` with what ``change`` returned, or None when it was refused.
    """
    token = st.session_state.get("session_token")
    seen = st.session_state.get("workspace")  # the page as drawn: its reader's language
    i18n.set_language(seen.user.language if seen is not None else i18n.DEFAULT_LANGUAGE)
    try:
        if not token:
            raise SessionEnded(_("Your session has ended; log in again."))
        ws = service().workspace(token)
        i18n.set_language(ws.user.language)  # a callback runs before the page sets it
        result = change(ws)
    except SessionEnded as error:
        st.session_state.pop("session_token", None)
        st.session_state.pop("workspace", None)
        st.session_state["login_message"] = str(error)
        return None
    except cp.ContainmentError as error:
        logger.info("action refused: %s", type(error).__name__)
        flash("error", str(error), place=place)
        return None
    message = done() if callable(done) else done
    if message:
        flash("success", message)
    return Done(result)


def action_button(
    label: str,
    change: Callable[[Workspace], object],
    *,
    key: str,
    done: str | Callable[[], str] = "",
    where: Any = st,
    **options: Any,
) -> None:
    """A button whose click does ``change`` through :func:`act` (``where``: a column, say)."""
    where.button(label, key=key, on_click=act, args=(change,), kwargs={"done": done}, **options)


def page(draw: Callable[[], None]) -> Callable[[], None]:
    """Mark a page: what it reads goes through the same checks as :func:`act` — a refusal or
    another of the package's errors is a message on the page, an ended session the login page."""

    @functools.wraps(draw)
    def guarded() -> None:
        try:
            draw()
        except SessionEnded as error:
            st.session_state.pop("session_token", None)
            st.session_state["login_message"] = str(error)
            st.rerun()
        except cp.ContainmentError as error:
            show_error(error)

    return guarded


def flash(kind: str, message: str, *, place: str = "") -> None:
    """A message shown on this run (or the next, from a callback): at the top of the page, or
    where the page calls ``show_flash(place)``."""
    st.session_state.setdefault("flash", []).append((kind, message, place))


def show_flash(place: str = "", *, new_run: bool = False) -> None:
    """The messages waiting for the top of the page (``place`` empty), or for ``place``.

    The messages for a place are kept for the run that begins (``new_run``: the sidebar's
    call) only: a place the page no longer draws (the zone was changed meanwhile) does not
    get them on a later run."""
    waiting = st.session_state.pop("flash", [])
    if not place:
        kept = [] if new_run else st.session_state.get("flash_placed", [])
        st.session_state["flash_placed"] = kept + [m for m in waiting if m[2]]
        waiting = [m for m in waiting if not m[2]]
    else:
        placed = st.session_state.pop("flash_placed", []) + waiting
        waiting = [m for m in placed if m[2] == place]
        st.session_state["flash_placed"] = [m for m in placed if m[2] != place]
    for kind, message, _place in waiting:
        if kind == "error":
            st.error(md(message), icon="⚠️")
        else:
            st.success(md(message))


def _token() -> str | None:
    """This tab's session token; after a reload, the one the login cookie holds (once: a token
    the service refused is not tried again in this tab)."""
    token = st.session_state.get("session_token")
    if token:
        return str(token)
    kept = st.context.cookies.get(web.COOKIE)
    if not isinstance(kept, str) or not kept:
        return None
    slug, _sep, kept = kept.rpartition(":")  # "<district>:<token>" (see keep_login)
    if not kept or kept == st.session_state.get("cookie_refused"):
        return None
    if slug:
        choose_district(slug)  # through the one guarded path: a district the app offers
    if slug and slug != district_slug():
        st.session_state["cookie_refused"] = kept  # a district this app does not offer
        return None
    try:
        service().workspace(kept)
    except AuthError:
        st.session_state["cookie_refused"] = kept  # ended, expired or disabled: log in again
        return None
    st.session_state["session_token"] = kept
    return kept


def client_address() -> str:
    """Where this browser connects from, for counting failed logins per client. Behind a reverse
    proxy every browser seems to be the proxy: set ``CONTAINMENT_TRUST_PROXY=1`` to take the
    address the proxy added to ``X-Forwarded-For`` instead (see :func:`forwarded_client`)."""
    address = st.context.ip_address
    direct = address if isinstance(address, str) else ""
    hops = os.environ.get("CONTAINMENT_TRUST_PROXY", "")
    if hops.isdigit() and int(hops) > 0:
        return forwarded_client(st.context.headers.get_all("X-Forwarded-For"), int(hops), direct)
    return direct


def keep_login(token: str) -> None:
    """After a login: have the browser keep the session in its HttpOnly cookie (see ui/web.py),
    with the district it belongs to, so a reload opens that district's store again."""
    st.session_state["cookie_code"] = web.hand_off(f"{district_slug()}:{token}")


def _sync_cookie() -> None:
    """Run the page's part of the cookie hand-off, or its deletion after a logout.

    Exactly one element every run, in the same place, whether it has work or not: elements
    after it keep their places, so the map is not drawn afresh (losing a drawing) when the
    hand-off ends."""
    base = str(st.get_option("server.baseUrlPath") or "")
    code = st.session_state.get("cookie_code")
    if code and not web.pending(code):
        del st.session_state["cookie_code"]
        code = None
    if code:
        script = web.script(base, code=code)
    elif st.session_state.pop("forget_cookie", False):
        script = web.script(base, code=None)
    else:
        script = "<script></script>"
    st.html(script, unsafe_allow_javascript=True)


def signed_in() -> Workspace | None:
    """The logged-in user's workspace for this run, or None (the session ended or never was)."""
    _sync_cookie()
    token = _token()
    if token:
        try:
            ws = service().workspace(token)
        except AuthError as error:
            del st.session_state["session_token"]
            st.session_state["login_message"] = str(error)
        else:
            st.session_state["workspace"] = ws
            i18n.set_language(ws.user.language)
            return ws
    st.session_state.pop("workspace", None)
    i18n.set_language(st.session_state.get("login_language") or i18n.DEFAULT_LANGUAGE)
    return None


def gate() -> Workspace:
    """The logged-in user's workspace; otherwise the login page, and stop."""
    ws = signed_in()
    if ws is not None:
        return ws
    from ui import login  # the login page needs the service; imported here to avoid a cycle

    login.page()
    st.stop()
    raise AssertionError  # st.stop() does not return


def workspace() -> Workspace:
    """The workspace :func:`gate` opened for this run."""
    return st.session_state["workspace"]


def data_version() -> int:
    """The store's revision: it grows with every save by anyone, so cached views refresh."""
    return workspace().revision()


# The store's frames are read once per revision and role and shared, not copied, between the
# runs and sessions that read them (a city's 11,000 zones and their cases took a fifth of a
# second to copy on every run): pages and the package only ever make new frames from them.
@st.cache_resource(show_spinner=False, max_entries=8)
def _read(_ws: Workspace, key: str, version: int, what: str) -> gpd.GeoDataFrame:
    """``_ws.<what>()`` once per store revision and role (``key``)."""
    return getattr(_ws, what)()


def cases() -> gpd.GeoDataFrame:
    ws = workspace()
    return _read(ws, ws.key, data_version(), "cases")


@st.cache_resource(show_spinner=False, max_entries=16)
def _described(
    _ws: Workspace, key: str, version: int, as_of: dt.date, language: str
) -> gpd.GeoDataFrame:
    with i18n.language(language):  # the places of each zone are written in words
        return _ws.described_zones(district(), as_of=as_of)


def zones(as_of: dt.date | None = None) -> gpd.GeoDataFrame:
    """The zones this user may see, with their figures as of the working date (or ``as_of``)."""
    ws = workspace()
    language = i18n.current_language()
    return _described(ws, ws.key, data_version(), as_of or working_date(), language)


@st.cache_resource(show_spinner=False, max_entries=4)
def _overview(_ws: Workspace, key: str, version: int) -> gpd.GeoDataFrame:
    saved = _ws.zones()
    return overview_of(saved[saved["status"] != "released"], district())


def zone_overview() -> gpd.GeoDataFrame:
    """The zones not released as the map draws many of them (one outline per kind and status,
    :func:`containment.render.mapview.zone_overview`), made once per store revision."""
    ws = workspace()
    return _overview(ws, ws.key, data_version())


def centres() -> gpd.GeoDataFrame:
    ws = workspace()
    return _read(ws, ws.key, data_version(), "centres")


@st.cache_data(show_spinner=False, max_entries=8)
def _own_layers(_ws: Workspace, key: str, version: int, base: str) -> tuple[OwnLayer, ...]:
    layers = []
    for layer in _ws.base_layers().itertuples():
        if layer.kind == "tiles":
            try:
                bounds = tuple(float(v) for v in str(layer.bounds).split(","))
            except ValueError:
                bounds = ()
            layers.append(
                OwnLayer(
                    str(layer.name),
                    "tiles",
                    url=tiles.tile_url(base, str(layer.layer_id)),
                    format=str(layer.format),
                    min_zoom=int(layer.min_zoom),
                    max_zoom=int(layer.max_zoom),
                    bounds=bounds if len(bounds) == 4 else None,  # type: ignore[arg-type]
                    vector_layers=tuple(n for n in str(layer.vector_layers).split(",") if n),
                    attribution=str(layer.attribution),
                )
            )
        else:
            features = _ws.base_layer_features(str(layer.layer_id))
            layers.append(OwnLayer(str(layer.name), str(layer.kind), features=features))
    return tuple(layers)


def own_layers() -> tuple[OwnLayer, ...]:
    """The district's own base layers (roads, wards, tiles) as every map draws them."""
    ws = workspace()
    base = str(st.get_option("server.baseUrlPath") or "")
    return _own_layers(ws, ws.key, data_version(), base)


def today() -> dt.date:
    """Today in India (the server may keep another time zone)."""
    return i18n.india_today()


def _default_working_date() -> dt.date:
    now = today()
    known = cases()
    if known.empty:
        return now
    last = pd.Timestamp(known["reported_on"].max()).date()
    return now if (now - last).days <= 60 else last


def working_date() -> dt.date:
    """The day the pages compute as of: the user's choice; for the police, always today (the
    service answers them only as of today)."""
    if not workspace().may(Permission.READ_CASES):
        return today()
    if "working_date" not in st.session_state:
        st.session_state["working_date"] = _default_working_date()
        st.session_state["working_date_chosen"] = False
    return st.session_state["working_date"]


def follow_new_cases() -> None:
    """After an import: a working date nobody chose follows the cases again (their last day)."""
    if not st.session_state.get("working_date_chosen", True):
        st.session_state.pop("working_date", None)


def _working_date_chosen() -> None:
    st.session_state["working_date_chosen"] = True


def _log_out() -> None:
    token = st.session_state.pop("session_token", None)
    if token:
        service().logout(token)
    language = st.session_state.get("language")
    for key in list(st.session_state):
        if key != "district":  # the login page opens on the same district again
            del st.session_state[key]
    if language in i18n.LANGUAGES:  # ... and in the language the user worked in
        st.session_state["login_language"] = language
    st.session_state["forget_cookie"] = True
    st.session_state["cookie_refused"] = token  # closed in the store: never tried again


def sidebar(ws: Workspace | None = None) -> Workspace:
    """The sidebar every page shares (after the login page, if ``ws`` is not given)."""
    ws = ws or gate()
    if state_room():
        with st.sidebar:
            st.markdown(_("**Rajasthan state control room**"))
            st.caption(
                _(
                    "Signed in as **{user}** ({role})",
                    user=md(ws.user.username),
                    role=code_label(ws.user.role),
                )
            )
            st.button(_("Log out"), on_click=_log_out, key="log_out")
            language_picker(ws)
        show_flash()
        return ws
    d = district()
    with st.sidebar:
        st.markdown(_("**{district} district**, {state}", district=md(d.name), state=md(d.state)))
        st.caption(
            _(
                "Signed in as **{user}** ({role})",
                user=md(ws.user.username),
                role=code_label(ws.user.role),
            )
        )
        st.button(_("Log out"), on_click=_log_out, key="log_out")
        language_picker(ws)
        if ws.may(Permission.READ_CASES):
            working_date()
            st.date_input(
                _("Working date"),
                key="working_date",
                on_change=_working_date_chosen,
                max_value=today(),  # in India, as the working date is
                format="DD-MM-YYYY",
                help=_("Zones, release dates and figures are computed as of this day."),
            )
        late = ws.may(Permission.READ_CASES) and not cases().empty
        if late and (today() - working_date()).days > 60:
            st.caption(_("The working date follows the last case in the store."))
        if holds_synthetic_cases():
            st.warning(_("The store holds the SYNTHETIC sample line list: not real cases."))
        with st.expander(_("About the reference data")):
            for caveat in d.caveats:
                st.caption(f"• {md(caveat)}")
            st.caption(_("Households: {source}.", source=md(d.household_size_source)))
    if holds_synthetic_cases():
        st.error(
            _(
                "**SYNTHETIC** — this store holds the synthetic sample line list (training "
                "data, not real cases). Every page, pack and export made now says so."
            ),
            icon=":material/science:",
        )
    show_flash(new_run=True)
    return ws


def _choose_language() -> None:
    code = st.session_state["language"]
    if code is None:  # the chosen language clicked again: it stays
        return
    act(lambda ws: ws.set_language(code))


def _chose_before_login() -> None:
    """The language picked on the login page is the user's choice: kept at login (otherwise
    the language kept with the account stays)."""
    st.session_state["login_language_chosen"] = True


def language_picker(ws: Workspace | None) -> None:
    """Hindi or English: a logged-in user's choice is kept with their account; before login,
    for this browser session."""
    codes = list(i18n.LANGUAGES)
    if ws is None:
        st.segmented_control(
            "भाषा / Language",
            codes,
            format_func=i18n.LANGUAGES.__getitem__,
            key="login_language",
            default=i18n.current_language(),
            on_change=_chose_before_login,
            selection_mode="single",
        )
        return
    st.session_state["language"] = ws.user.language
    st.segmented_control(
        "भाषा / Language",
        codes,
        format_func=i18n.LANGUAGES.__getitem__,
        key="language",
        on_change=_choose_language,
        selection_mode="single",
    )


def holds_synthetic_cases() -> bool:
    """Whether the store holds the synthetic sample (any role may know: it names no case)."""
    ws = workspace()
    return bool(_read(ws, ws.key, data_version(), "synthetic_cases"))


def show_error(error: cp.ContainmentError) -> None:
    logger.info("shown to the user: %s", type(error).__name__)
    st.error(md(error), icon="⚠️")


def download(
    label: str,
    make: Callable[[bool], bytes | str],
    *,
    file_name: str,
    mime: str,
    rows: int,
    key: str | None = None,
) -> None:
    """A download button: the file is made on the click (``make(synthetic)``), after the
    session is checked again, and recorded in the audit trail (file name, row count).

    ``label`` is written in English and marked with ``N_()``: the button shows it in the
    reader's language, the audit trail keeps it as written.

    While the store holds the synthetic sample, the file name starts with ``SYNTHETIC-`` and
    ``make`` is told to say so inside the file too.
    """
    token = st.session_state.get("session_token", "")
    synthetic = holds_synthetic_cases()
    name = f"SYNTHETIC-{file_name}" if synthetic else file_name
    svc = service()

    def build() -> bytes | str:  # runs on the click, on a thread of its own (no st.* here)
        ws = svc.workspace(token)
        with i18n.language(ws.user.language):
            try:
                data = make(synthetic)
            except Exception:  # the browser only sees the download never come: say why here
                logger.exception("making the download %r failed", label)
                raise
        ws.record_export(label, name, rows)
        return data

    # No rerun on the click: a rerun gives every download button of the page a new file id and
    # drops the old ones, so a second button clicked before the page came back asked for a file
    # that was gone and spun for ever. The audit is written by ``build`` itself.
    st.download_button(
        _(label),
        build,
        file_name=name,
        mime=mime,
        key=key or f"download_{file_name}",
        on_click="ignore",
    )
