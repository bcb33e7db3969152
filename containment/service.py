"""The one door to a district's store: logins, sessions, and a role check on every call.

The app and the command line both go through here. :meth:`Service.login` turns a user name and
password into a :class:`Session`; :meth:`Service.workspace` turns a session (if it has not
expired) into a :class:`Workspace`, whose every method first checks that the user's role allows
it and then records the change in the audit trail under their name. Hiding a button is only
courtesy: a police user's workspace refuses to read case points or change a zone whatever the
page shows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hmac
import logging
import os
import secrets
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath

import geopandas as gpd
import pandas as pd

from containment.auth import (
    AuthError,
    Permission,
    Role,
    SessionEnded,
    SessionPolicy,
    User,
    hash_password,
    new_session_token,
    token_digest,
    verify_password,
)
from containment.engine.district import District
from containment.engine.figures import place_names
from containment.engine.history import in_force_periods
from containment.engine.ids import random_id
from containment.engine.lifecycle import (
    SavedZone,
    ZoneOrigin,
    ZoneStatus,
    advance,
    check_decision,
    decision,
    describe_zones,
    new_zone_id,
    public_release_dates,
)
from containment.engine.rules import Rule
from containment.engine.update import Change, ZoneChange, compare_with_saved
from containment.engine.zones import ZoneKind, ZonePlan, ZoneShape, plan_zones
from containment.errors import ContainmentError
from containment.field.centres import Centre, CentreError, same_centre
from containment.field.crossings import border_alerts, no_alerts
from containment.field.trends import Trends, trends
from containment.i18n import IST, LANGUAGES, N_, _, n_, time_text
from containment.io.baselayers import base_layer_features, require_tiles_near
from containment.io.export import banded_count
from containment.io.neighbours import neighbours
from containment.io.tiles import CONTENT_TYPES, copy_tiles, read_tile, tile_file_kind
from containment.render.labels import code_label
from containment.store import ImportSummary, SQLStore
from containment.store.baselayers import BaseLayer
from containment.store.stateroom import StateOverview, state_overview
from containment.store.stateviews import StateAccessRefused, read_zones, state_reader

logger = logging.getLogger(__name__)

__all__ = ["BorderAlerts", "Service", "Session", "Workspace", "first_collector", "setup_code"]

_DECIDED = frozenset({ZoneStatus.NOTIFIED, ZoneStatus.RELEASED})
# A zone the daily update adds is named after its places, in the planner's language.
_NEW_ZONE_NAME = {"containment": N_("{places} containment"), "buffer": N_("{places} buffer")}


@functools.cache
def _dummy_hash() -> str:
    """Checked against for unknown names, so they take as long as known ones."""
    return hash_password("not a real password, only for timing")


@dataclass(frozen=True)
class UpdateOutcome:
    """What accepting a daily update did."""

    added: int
    grown: int
    merged: int
    ended: int
    saved: tuple[SavedZone, ...]
    lapsed: int = 0  # proposals with no case any more, ended

    def summary(self) -> str:
        return _(
            "{added} saved as proposals, {grown}, {merged} ({ended}), {lapsed}; every change "
            "is a new version, its history kept.",
            added=n_("{n} new zone", "{n} new zones", self.added),
            grown=n_("{n} zone grown", "{n} zones grown", self.grown),
            merged=n_("{n} merge", "{n} merges", self.merged),
            ended=n_("{n} zone merged into others", "{n} zones merged into others", self.ended),
            lapsed=n_(
                "{n} proposal with no case now ended",
                "{n} proposals with no case now ended",
                self.lapsed,
            ),
        )


@dataclass(frozen=True)
class BorderAlerts:
    """Zones of neighbouring districts reaching over the line (see
    :func:`containment.field.crossings.border_alerts`), and why a neighbour could not be read."""

    alerts: gpd.GeoDataFrame
    unread: tuple[str, ...] = ()


@dataclass(frozen=True)
class Session:
    """A logged-in user. ``token`` is the secret the browser or shell holds."""

    token: str
    user: User


class Service:
    """Logins and sessions for one district's store."""

    def __init__(self, store: SQLStore, policy: SessionPolicy | None = None) -> None:
        self.store = store
        self.policy = policy or SessionPolicy()

    def _now(self) -> dt.datetime:
        return self.store.clock().astimezone(dt.UTC)

    def has_users(self) -> bool:
        return not self.store.users().empty

    def login(self, username: str, password: str, *, client: str = "") -> Session:
        """A new session for a right password; refused, and counted, otherwise.

        ``client`` says where the attempt comes from (the browser's address; "" for the command
        line). The attempt is counted before the password is checked, per name and client, per
        client and per name (see
        :meth:`~containment.store.accounts.AccountRecords.begin_login_attempt`), so a burst of
        attempts at once cannot check more than ``policy.max_failures`` passwords for a name,
        and one client cannot lock a name for others. A name that is nobody's is treated alike
        (same message, same time) and not kept as typed.
        """
        name = username.strip().lower()
        record = self.store.user_record(name)
        user, digest = record if record else (None, _dummy_hash())
        known, role = (user.username, user.role.value) if user else ("", "")
        lock = self.store.begin_login_attempt(
            name, client, limits=self.policy.limits, lockout=self.policy.lockout
        )
        if lock is not None:
            until, scope = lock
            logger.warning("login refused: %s locked until %s", scope, f"{until:%H:%M} UTC")
            self.store.record_login(known, role, ok=False, detail=f"locked out ({scope})")
            ends = time_text(until)
            if scope == "client":
                msg = _(
                    "Too many failed logins from this computer: try again after {time}.",
                    time=ends,
                )
            elif scope == "name":
                msg = _(
                    "Too many failed logins for {name} from several computers: try again after "
                    "{time}, or ask the collector to unlock the name.",
                    name=repr(name),
                    time=ends,
                )
            else:
                msg = _(
                    "Too many failed logins for {name} from this computer: try again after "
                    "{time}, or ask the collector to unlock the name.",
                    name=repr(name),
                    time=ends,
                )
            raise AuthError(msg)
        right = verify_password(password, digest)  # hashed even for unknown names: same time
        if user is None or not right or not user.active:
            reason = "unknown user" if user is None else ("disabled" if right else "wrong password")
            self.store.record_login(known, role, ok=False, detail=reason)
            logger.warning("login refused: %s", reason)
            msg = _("Wrong user name or password.")
            if user is not None and right and not user.active:
                msg = _("The account {name} is disabled; ask an administrator.", name=repr(name))
            raise AuthError(msg)
        self.store.end_login_attempt(name, client)
        token = new_session_token()
        self.store.open_session(token_digest(token), user.username)
        self.store.record_login(user.username, role, ok=True)
        logger.info("login: %s (%s)", user.username, role)
        return Session(token, user)

    def workspace(self, token: str) -> Workspace:
        """The workspace of an open session; an expired or closed one must log in again.

        Raises
        ------
        SessionEnded
            The session was closed, expired, or its user disabled.
        """
        digest = token_digest(token)
        record = self.store.session_record(digest)
        if record is None:
            msg = _("Your session has ended; log in again.")
            raise SessionEnded(msg)
        username, started, last_seen = record
        if self.policy.expired(started, last_seen, self._now()):
            self.store.close_session(digest)
            msg = _("Your session expired; log in again.")
            raise SessionEnded(msg)
        found = self.store.user_record(username)
        if found is None or not found[0].active:
            self.store.close_session(digest)
            msg = _("Your account was disabled; ask an administrator.")
            raise SessionEnded(msg)
        self.store.touch_session(digest)
        return Workspace(self.store, found[0])

    def logout(self, token: str) -> None:
        digest = token_digest(token)
        record = self.store.session_record(digest)
        self.store.close_session(digest)
        if record is not None:
            found = self.store.user_record(record[0])
            role = found[0].role if found else ""
            self.store.acting_as(record[0], role).record("logout", "")


class Workspace:
    """What one logged-in user may see and do in their district."""

    def __init__(self, store: SQLStore, user: User) -> None:
        self.user = user
        self._store = store.acting_as(user.username, user.role)

    def __repr__(self) -> str:
        return f"Workspace({self.user.username}, {self.user.role}, {self._store.label})"

    @property
    def key(self) -> str:
        """Names the store and the role, for caches: two roles never share a cached view."""
        return f"{self._store.label}|{self.user.role}"

    def may(self, permission: Permission) -> bool:
        return self.user.may(permission)

    def require(self, permission: Permission) -> None:
        if not self.may(permission):
            msg = _(
                "{user} ({role}) may not {action}; ask the district's collector if you need to.",
                user=self.user.username,
                role=code_label(self.user.role),
                action=_(permission.value),
            )
            raise AuthError(msg)

    def revision(self) -> int:
        return self._store.revision()

    def set_language(self, code: str) -> None:
        """Read the app, packs and lists in ``code`` from now on (any user, for themselves)."""
        if code not in LANGUAGES:
            known = ", ".join(LANGUAGES)
            msg = _("There is no language {code}: choose one of {known}.", code=code, known=known)
            raise ContainmentError(msg)
        self._store.set_language(self.user.username, code)
        self.user = dataclasses.replace(self.user, language=code)

    # --- cases -------------------------------------------------------------------------------

    def cases(self) -> gpd.GeoDataFrame:
        self.require(Permission.READ_CASES)
        return self._store.cases()

    def imports(self) -> pd.DataFrame:
        self.require(Permission.READ_CASES)
        return self._store.imports()

    def import_cases(
        self,
        cases: gpd.GeoDataFrame,
        *,
        source: str,
        rejected: int = 0,
        synthetic: bool = False,
        replace_synthetic: bool = False,
    ) -> ImportSummary:
        """Save a line list's accepted cases as one import (see :meth:`SQLStore.import_cases`)."""
        self.require(Permission.IMPORT_CASES)
        return self._store.import_cases(
            cases,
            source=source,
            rejected=rejected,
            synthetic=synthetic,
            replace_synthetic=replace_synthetic,
        )

    def preview_import(self, cases: gpd.GeoDataFrame, *, rejected: int = 0) -> ImportSummary:
        """What importing these cases would change, before anything is saved."""
        self.require(Permission.IMPORT_CASES)
        return self._store.preview_import(cases, rejected=rejected)

    def undo_import(self, import_id: int) -> int:
        """Take an import back (the collector's); see :meth:`SQLStore.undo_import`."""
        self.require(Permission.UNDO_IMPORTS)
        return self._store.undo_import(import_id)

    def synthetic_cases(self) -> int:
        """How many of the store's cases are the synthetic sample: every page, pack and export
        made while there are any says SYNTHETIC. Anyone may ask (it reveals no case)."""
        return self._store.synthetic_cases()

    # --- zones -------------------------------------------------------------------------------

    def zones(self) -> gpd.GeoDataFrame:
        """Every saved zone; for a role that sees only orders, the notified and released ones
        (orders made public), without the planners' notes."""
        zones = self._store.zones()
        if self.may(Permission.READ_DRAFT_ZONES):
            return zones
        ordered = zones["status"].isin([ZoneStatus.NOTIFIED, ZoneStatus.RELEASED])
        notified = zones[ordered].reset_index(drop=True)
        notified["note"] = ""
        return notified

    def described_zones(self, district: District, *, as_of: dt.date) -> gpd.GeoDataFrame:
        """The zones this user may see, with their figures as of a day.

        The figures count the cases inside each zone; the cases themselves stay here, so a
        role that may not read case points still gets each zone's release date and its count
        banded (fewer than 5), as of today only, with no case dates (the release date the
        end of its week: :func:`~containment.engine.lifecycle.public_release_due`).
        """
        if self.may(Permission.READ_CASES):
            return describe_zones(self.zones(), self._store.cases(), district, as_of=as_of)
        # Without case access, only today and only what may leave the system: stepping the
        # date back would show the day each case was reported, an exact count a single case.
        today = self._store.clock().astimezone(IST).date()
        described = describe_zones(self.zones(), self._store.cases(), district, as_of=today)
        described["case_count"] = described["case_count"].map(banded_count).astype(object)
        return public_release_dates(described, today).drop(
            columns=["first_case_on", "last_case_on"]
        )

    def border_alerts(self, district: District, *, as_of: dt.date) -> BorderAlerts:
        """The zones in force on ``as_of`` of the neighbouring districts whose reach lies over
        this one (any role that reads zones). Each neighbour's zones are read through its
        ``state_zones`` view, from a store of the same kind beside this one; a neighbour with
        no store gives no alert, one whose store refuses is named in ``unread``. No case data
        crosses: the view holds none."""
        reader = state_reader(self._store.backend)
        found, unread = [], []
        try:
            near = neighbours(district.folder.name)
        except ContainmentError:  # a district folder of one's own, not a shipped district
            near = []
        for entry in near:
            if not reader.has_store(entry.slug):
                continue
            try:
                zones = read_zones(reader, entry.slug)
            except StateAccessRefused as error:
                unread.append(str(error))
                continue
            found.append(border_alerts(district, zones, neighbour=entry.name, as_of=as_of))
        if not found:
            return BorderAlerts(no_alerts(), tuple(unread))
        alerts = pd.concat(found, ignore_index=True)
        alerts = alerts.sort_values("depth_km", ascending=False, kind="stable")
        return BorderAlerts(alerts.reset_index(drop=True), tuple(unread))

    def state_overview(self) -> StateOverview:
        """Every district's zones in force, checkpoints, centres and figures, today (the state
        control room's): read through each district's state views, which hold no case, case
        date, draft or note (see :mod:`containment.store.stateroom`)."""
        self.require(Permission.READ_STATE)
        today = self._store.clock().astimezone(IST).date()
        return state_overview(state_reader(self._store.backend), as_of=today)

    def trends(self, district: District, *, as_of: dt.date, first: dt.date | None = None) -> Trends:
        """The meeting's trends as of a day (:func:`containment.field.trends.trends`): the
        epidemic curve, growth, zones in force and people sealed, beds, and the
        community-spread signal. They count cases by day, place and block, so they are for
        the roles that read cases (planner, collector), never the police."""
        self.require(Permission.READ_CASES)
        return trends(
            self._store.cases(),
            in_force_periods(self._store.zone_versions()),
            self._store.centre_occupancy(),
            district,
            as_of=as_of,
            first=first,
        )

    def zone(self, zone_id: str) -> SavedZone:
        zone = self._store.zone(zone_id)
        if self.may(Permission.READ_DRAFT_ZONES):
            return zone
        if zone.status not in (ZoneStatus.NOTIFIED, ZoneStatus.RELEASED):
            self.require(Permission.READ_DRAFT_ZONES)
        return dataclasses.replace(zone, note="")

    def _require_change(self, before: ZoneStatus | None, after: ZoneStatus) -> None:
        self.require(Permission.EDIT_ZONES)
        if before in _DECIDED or (before != after and after in _DECIDED):
            self.require(Permission.NOTIFY_ZONES)
        elif before != after and ZoneStatus.PROPOSED in (before, after):
            self.require(Permission.PROPOSE_ZONES)

    def _opened_status(self, zone_id: str, version: int) -> ZoneStatus:
        """The status of the version the user opened: the one their save changes. (A newer
        version saved meanwhile makes the save a conflict in the store.)"""
        return self._store.zone_version(zone_id, version).status if version else ZoneStatus.DRAFT

    def save_zone(self, zone: SavedZone) -> SavedZone:
        """Save a zone; notifying, releasing or changing a notified zone is the collector's, and
        so is any change to a zone's order number or its notified and released dates."""
        opened = self._store.zone_version(zone.zone_id, zone.version) if zone.version else None
        self._require_change(opened.status if opened else ZoneStatus.DRAFT, zone.status)
        if decision(zone) != (decision(opened) if opened else ("", None, None)):
            self.require(Permission.NOTIFY_ZONES)
        check_decision(zone)
        return self._store.save_zone(zone)

    def propose_zones(
        self, rule: Rule, *, as_of: dt.date, district: District, shape: ZoneShape = "units"
    ) -> ZonePlan:
        """The rule's zones as of a day from the store's cases, their ids keyed with the
        store's secret (the same cases give the same id in this district, and only here)."""
        self.require(Permission.PROPOSE_ZONES)
        return plan_zones(
            self._store.cases(),
            rule,
            as_of=as_of,
            district=district,
            shape=shape,
            id_key=self._store.secret("zone_ids"),
        )

    def daily_update(self, plan: ZonePlan, district: District) -> list[ZoneChange]:
        """Today's proposals against the saved zones, zone by zone (see
        :mod:`containment.engine.update`)."""
        self.require(Permission.PROPOSE_ZONES)
        saved = self.described_zones(district, as_of=plan.as_of)
        return compare_with_saved(plan.zones, saved, district)

    def apply_update(
        self, changes: Sequence[ZoneChange], plan: ZonePlan, district: District
    ) -> UpdateOutcome:
        """Accept the daily update's changes in one transaction: new zones are saved as
        proposals; a grown zone gets a new version with its new units; merged zones become the
        oldest one, the others ending with "merged into ...". Changes to notified zones are the
        collector's."""
        self.require(Permission.PROPOSE_ZONES)
        names = dict(
            zip(
                plan.zones["zone_id"],
                place_names(plan.zones.to_crs(district.metric_crs), district),
                strict=True,
            )
        )
        saves: list[tuple[SavedZone, str]] = []
        deletions: list[tuple[str, int, str]] = []
        stored = self._store.zones()
        released = set(stored.loc[stored["status"] == ZoneStatus.RELEASED, "zone_id"])
        for change in changes:
            if change.change is Change.NEW:
                assert change.proposal is not None
                # The same cases as a zone released early (their window not over): a new zone,
                # the released one and its order left as they were.
                again = change.proposal in released
                zone = SavedZone(
                    zone_id=new_zone_id(change.proposal[:2]) if again else change.proposal,
                    name=_(_NEW_ZONE_NAME[change.kind], places=names[change.proposal]),
                    kind=ZoneKind(change.kind),
                    origin=ZoneOrigin.RULE,
                    rule=plan.rule.name,
                    geometry=change.geometry,
                    status=ZoneStatus.PROPOSED,
                    release_after_days=plan.rule.release_after_days,
                    created_on=plan.as_of,
                )
                self._require_change(None, zone.status)
                why = f"proposed by {plan.rule.name} as of {plan.as_of:%d-%m-%Y}"
                if again:
                    why += f", again after zone {change.proposal} was released"
                saves.append((zone, why))
            elif change.change in (Change.GROWN, Change.MERGED):
                first = self._store.zone_version(change.saved[0], change.versions[0])
                self._require_change(first.status, first.status)
                why = (
                    f"grew by {plan.rule.name} as of {plan.as_of:%d-%m-%Y}: {change.detail}"
                    if change.change is Change.GROWN
                    else f"merged by {plan.rule.name} as of {plan.as_of:%d-%m-%Y}: {change.detail}"
                )
                saves.append((dataclasses.replace(first, geometry=change.geometry), why))
                for zone_id, version in zip(change.saved[1:], change.versions[1:], strict=True):
                    other = self._store.zone_version(zone_id, version)
                    self._require_change(other.status, other.status)
                    deletions.append((zone_id, version, f"merged into {first.name}"))
            elif change.change is Change.LAPSED and change.to_apply:
                lapsed = self._store.zone_version(change.saved[0], change.versions[0])
                self._require_change(lapsed.status, lapsed.status)
                why = f"no case by {plan.rule.name} as of {plan.as_of:%d-%m-%Y}"
                deletions.append((lapsed.zone_id, lapsed.version, why))
        saved = self._store.save_zones(saves, deletions=deletions)
        no_case = sum(1 for c in changes if c.change is Change.LAPSED and c.to_apply)
        return UpdateOutcome(
            added=sum(1 for c in changes if c.change is Change.NEW),
            grown=sum(1 for c in changes if c.change is Change.GROWN),
            merged=sum(1 for c in changes if c.change is Change.MERGED),
            ended=len(deletions) - no_case,
            saved=tuple(saved),
            lapsed=no_case,
        )

    def notify_zones(
        self, zones: Sequence[SavedZone], *, order_number: str, on: dt.date
    ) -> list[SavedZone]:
        """Notify several proposed zones under one order, in one transaction (the
        collector's): all of them, or none if any was changed meanwhile."""
        self.require(Permission.NOTIFY_ZONES)
        notified = [
            advance(zone, ZoneStatus.NOTIFIED, on=on, order_number=order_number) for zone in zones
        ]
        for before, after in zip(zones, notified, strict=True):
            self._require_change(self._opened_status(before.zone_id, before.version), after.status)
        return self._store.save_zones([(zone, "") for zone in notified])

    def delete_zone(self, zone_id: str, *, version: int | None = None) -> None:
        status = self._store.zone(zone_id).status
        self._require_change(status, status)
        self._store.delete_zone(zone_id, version=version)

    def zone_history(self, zone_id: str) -> list[tuple[SavedZone, str, str, str]]:
        self.require(Permission.READ_DRAFT_ZONES)
        return self._store.zone_history(zone_id)

    def restore_zone(self, zone_id: str, version: int, *, current_version: int) -> SavedZone:
        self.require(Permission.EDIT_ZONES)
        restored = self._store.zone_version(zone_id, version).status
        self._require_change(self._opened_status(zone_id, current_version), restored)
        return self._store.restore_zone(zone_id, version, current_version=current_version)

    # --- centres and checkpoints: everyone sees them ----------------------------------------

    def centres(self) -> gpd.GeoDataFrame:
        """The centres; planners' notes only for those who plan (the police get them blank)."""
        centres = self._store.centres()
        if not self.may(Permission.EDIT_ZONES) and "note" in centres:
            centres["note"] = ""
        return centres

    def centre(self, centre_id: str) -> Centre:
        centre = self._store.centre(centre_id)
        return centre if self.may(Permission.EDIT_ZONES) else dataclasses.replace(centre, note="")

    def save_centre(self, centre: Centre, *, on: dt.date | None = None) -> Centre:
        """Save a centre; a change of its beds counts from day ``on`` (the working date;
        today in the district if not given) in the occupancy history. A new centre repeating a
        saved one (same name, same place: :func:`~containment.field.centres.same_centre`) is
        refused."""
        self.require(Permission.EDIT_CENTRES)
        saved = self._store.centres()
        new = centre.centre_id not in set(saved["centre_id"])
        repeated = same_centre(centre, saved) if new else None
        if repeated is not None:
            msg = _(
                "A centre named {name} is already there ({centre}): update its beds under "
                "*Update or remove a centre* rather than adding it again.",
                name=repr(centre.name),
                centre=repeated,
            )
            raise CentreError(msg)
        return self._store.save_centre(centre, on=on)

    def occupy_beds(self, counts: Mapping[str, int], *, on: dt.date | None = None) -> None:
        """Record people placed in centres (by centre id), all in one transaction, from day
        ``on`` (today if not given)."""
        self.require(Permission.EDIT_CENTRES)
        self._store.occupy_beds(counts, on=on)

    def delete_centre(self, centre_id: str, *, on: dt.date | None = None) -> None:
        self.require(Permission.EDIT_CENTRES)
        self._store.delete_centre(centre_id, on=on)

    def checkpoints(self) -> gpd.GeoDataFrame:
        """The checkpoints; for a role that sees only orders, those of notified zones."""
        checkpoints = self._store.checkpoints()
        if self.may(Permission.READ_DRAFT_ZONES):
            return checkpoints
        notified = self.zones()["zone_id"]
        return checkpoints[checkpoints["zone_id"].isin(notified)].reset_index(drop=True)

    def _require_checkpoint_change(self, zone_ids: Sequence[str]) -> None:
        """Checkpoints of a notified (or released) zone are part of the collector's order."""
        self.require(Permission.EDIT_CHECKPOINTS)
        zones = self._store.zones()
        decided = zones.loc[zones["status"].isin(list(_DECIDED)), "zone_id"]
        if set(zone_ids) & set(decided):
            self.require(Permission.NOTIFY_ZONES)

    def save_checkpoints(self, checkpoints: gpd.GeoDataFrame) -> None:
        self._require_checkpoint_change(list(checkpoints["zone_id"]))
        self._store.save_checkpoints(checkpoints)

    def delete_checkpoint(self, checkpoint_id: str) -> None:
        known = self._store.checkpoints()
        self._require_checkpoint_change(
            list(known.loc[known["checkpoint_id"] == checkpoint_id, "zone_id"])
        )
        self._store.delete_checkpoint(checkpoint_id)

    # --- the district's own base layers: anyone sees them, planners add them -----------------

    def base_layers(self) -> pd.DataFrame:
        """The district's own map layers (roads, wards, tiles), oldest first."""
        return self._store.base_layers()

    def base_layer_features(self, layer_id: str) -> gpd.GeoDataFrame:
        """A road or ward layer's features (``label``, geometry)."""
        return self._store.base_layer_features(layer_id)

    def add_base_layer(
        self,
        source: bytes | os.PathLike[str],
        file_name: str,
        *,
        district: District,
        name: str = "",
    ) -> BaseLayer:
        """Add a map layer of the district's own from an upload's bytes (or, from the command
        line, a file): a road or ward layer (GeoJSON, GeoPackage, zipped shapefile), which must
        lie at ``district``, or tiles (MBTiles, PMTiles). ``file_name`` is what the user called
        the file: shown, never used as a path. Tiles are copied, checked, into the district's
        layer folder under the layer's new id; the record and its audit entry are saved in one
        transaction."""
        self.require(Permission.ADD_MAP_LAYERS)
        shown = PurePath(file_name).name or "the layer"
        title = (name or PurePath(shown).stem).strip()[:80] or shown
        layer_id = random_id("L")
        if isinstance(source, bytes):
            head = source[:100]
        else:
            with Path(source).open("rb") as handle:
                head = handle.read(100)
        if tile_file_kind(head) is None:
            data = source if isinstance(source, bytes) else Path(source).read_bytes()
            kind, features = base_layer_features(data, shown, district)
            form = (
                "gpkg" if data.startswith(b"SQLite") else "zip" if data[:2] == b"PK" else "geojson"
            )
            record = BaseLayer(
                layer_id,
                title,
                kind.value,
                form,
                shown,
                features=len(features),
                size_bytes=len(data),
            )
            return self._store.add_base_layer(record, features)
        folder = self._store.layer_folder
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        target = folder / f"{layer_id}.mbtiles"
        partial = folder / f"{layer_id}.mbtiles.partial"
        upload: Path | None = None
        try:
            if isinstance(source, bytes):  # a temporary file of ours, in the layer folder
                with tempfile.NamedTemporaryFile(dir=folder, suffix=".upload", delete=False) as f:
                    f.write(source)
                    upload = Path(f.name)
            path = upload if upload is not None else Path(os.fspath(source))  # type: ignore[arg-type]
            tiles = copy_tiles(path, partial, shown)
            require_tiles_near(tiles.covered, shown, district)
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
            if upload is not None:
                upload.unlink(missing_ok=True)
        record = BaseLayer(
            layer_id, title, "tiles", tiles.format, shown, tiles.min_zoom, tiles.max_zoom,
            ",".join(map(str, tiles.bounds)) if tiles.bounds else "", tiles.tiles,
            target.stat().st_size, ",".join(tiles.vector_layers), tiles.attribution,
        )  # fmt: skip
        try:
            return self._store.add_base_layer(record)
        except BaseException:
            target.unlink(missing_ok=True)
            raise

    def remove_base_layer(self, layer_id: str) -> None:
        """Remove one of the district's own layers (audited); a tile layer's file goes too."""
        self.require(Permission.ADD_MAP_LAYERS)
        layer = self._store.remove_base_layer(layer_id)
        if layer.kind == "tiles":
            (self._store.layer_folder / f"{layer.layer_id}.mbtiles").unlink(missing_ok=True)

    def base_tile(self, layer_id: str, z: int, x: int, y: int) -> tuple[bytes, str] | None:
        """Tile ``z/x/y`` of a tile layer and its content type, or None (no such layer or
        tile). The file is found by the layer's record, never by a name from the request."""
        found = self._store.base_layers()
        found = found[(found["layer_id"] == layer_id) & (found["kind"] == "tiles")]
        if found.empty:
            return None
        layer = BaseLayer(**{str(k): v for k, v in found.iloc[0].to_dict().items()})
        path = self._store.layer_folder / f"{layer.layer_id}.mbtiles"
        if not path.is_file():
            return None
        data = read_tile(path, z, x, y)
        return (data, CONTENT_TYPES[layer.format]) if data is not None else None

    # --- home quarantine ---------------------------------------------------------------------

    def homes(self) -> gpd.GeoDataFrame:
        self.require(Permission.FIELD_WORK)
        return self._store.homes()

    def register_homes(self, homes: gpd.GeoDataFrame) -> None:
        self.require(Permission.FIELD_WORK)
        self._store.register_homes(homes)

    def violations(self) -> pd.DataFrame:
        self.require(Permission.FIELD_WORK)
        return self._store.violations()

    def record_violations(self, violations: pd.DataFrame) -> int:
        self.require(Permission.FIELD_WORK)
        return self._store.record_violations(violations)

    def record_action(
        self, hq_id: str, checked_at: dt.datetime | str, action: str, *, on: dt.date
    ) -> None:
        self.require(Permission.FIELD_WORK)
        self._store.record_action(hq_id, checked_at, action, on=on)

    # --- exports and the audit trail ---------------------------------------------------------

    def record_export(self, what: str, file_name: str, rows: int) -> None:
        """Note an export in the audit trail (what, the file, how many rows — no contents)."""
        self.require(Permission.EXPORT)
        self._store.record("export", what, f"{file_name}: {rows} rows")

    def audit(self, **filters: object) -> pd.DataFrame:
        self.require(Permission.READ_AUDIT)
        return self._store.audit(**filters)  # type: ignore[arg-type]

    def audit_actions(self) -> list[str]:
        self.require(Permission.READ_AUDIT)
        return self._store.audit_actions()

    # --- users (the collector's) -------------------------------------------------------------

    def users(self) -> pd.DataFrame:
        """The district's users, their roles, whether active, and until when a name is locked."""
        self.require(Permission.MANAGE_USERS)
        users = self._store.users()
        users["locked_until"] = pd.Series(
            [self._store.locked_until(n) for n in users["username"]],
            index=users.index,
            dtype=object,
        )
        return users

    def add_user(self, username: str, role: Role | str, password: str) -> User:
        self.require(Permission.MANAGE_USERS)
        if str(role) == Role.STATE.value:  # a district's collector makes no state users
            msg = _(
                "State users are added to the state control room's own store, on the command "
                "line: containment users add NAME --role state --district state."
            )
            raise AuthError(msg)
        return self._store.add_user(username, role, password)

    def reset_password(self, username: str, password: str) -> None:
        self.require(Permission.MANAGE_USERS)
        self._store.set_password(username, password)

    def set_active(self, username: str, active: bool) -> None:
        self.require(Permission.MANAGE_USERS)
        if username == self.user.username and not active:
            msg = _(
                "You cannot disable your own account; another collector or the administrator can."
            )
            raise AuthError(msg)
        self._store.set_active(username, active)

    def unlock(self, username: str) -> bool:
        """Lift the lock on a name after too many failed logins; returns whether it was locked."""
        self.require(Permission.MANAGE_USERS)
        return self._store.unlock(username.strip().lower())


# The set-up code of each store without users, made once per server process (see setup_code).
_SETUP_CODES: dict[str, str] = {}
_SETUP_LOCK = threading.Lock()
_SETUP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def setup_code(store: SQLStore) -> str:
    """The code that lets the app create the first account of ``store``: 12 random letters and
    digits (about 59 bits), made on first use in this process and written only to the server's
    log, so that only whoever runs the server can create the collector's account in the app —
    wherever the browser connects from, and whatever a proxy or a client says its address is.
    """
    with _SETUP_LOCK:
        code = _SETUP_CODES.get(store.backend.label)
        if code is None:
            letters = "".join(secrets.choice(_SETUP_ALPHABET) for _ in range(12))
            code = "-".join(letters[i : i + 4] for i in range(0, 12, 4))
            _SETUP_CODES[store.backend.label] = code
            logger.warning(
                "%s has no users yet. To create the collector's account in the app, enter "
                "this set-up code: %s (or run: containment users add NAME --role collector)",
                store.backend.label,
                code,
            )
        return code


def first_collector(store: SQLStore, username: str, password: str, code: str) -> User:
    """The first account of a store that has none: the collector, who adds the others. ``code``
    must be the store's :func:`setup_code` (from the server's log)."""
    if not hmac.compare_digest(code.strip().lower().encode(), setup_code(store).encode()):
        msg = _(
            "The set-up code is not right. It is in the log of the server running the app (the "
            "window where it was started): the line with 'set-up code'."
        )
        raise AuthError(msg)
    return store.acting_as(username.strip().lower(), "setup").add_user(
        username, Role.COLLECTOR, password, first=True
    )
