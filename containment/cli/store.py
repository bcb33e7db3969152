"""Command-line access to a district's store: users, backup and restore (the administrator's,
who holds the database credentials), and import, export and the audit trail (a user's, through
the same service and role checks as the app).

The store is the configured one: ``CONTAINMENT_DATABASE_URL`` (or ``--database``), by default the
embedded SQLite file of the district.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from containment.auth import Permission, Role
from containment.cli.districts import DistrictOption
from containment.errors import ContainmentError, ExportError
from containment.i18n import _, date_text, india_today, n_
from containment.io.cases import read_cases
from containment.io.district import DEFAULT_DISTRICT, district_slug, load_district
from containment.io.export import csv_text, write_zones
from containment.render.labels import code_label
from containment.service import Service, Workspace
from containment.store import SCHEMA_PREFIX_VARIABLE, SQLStore, backup_sqlite, open_store
from containment.store.backends import SQLiteBackend
from containment.store.roles import (
    STATE_STORE,
    district_role_url,
    grant_district_role,
    grant_state_role,
)
from containment.store.schema import MIGRATIONS

__all__ = [
    "as_of_day",
    "audit",
    "backup",
    "db_app",
    "export",
    "import_cases",
    "restore",
    "users_app",
]

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
users_app = typer.Typer(help="Add users, reset passwords, disable and list them.")
db_app = typer.Typer(help="The shared PostGIS database: one role per district.")

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        envvar="CONTAINMENT_DATABASE_URL",
        help="postgresql://user:password@host/db for PostGIS; default: the embedded file.",
    ),
]
UserOption = Annotated[
    str,
    typer.Option(
        "--user", envvar="CONTAINMENT_USER", help="Your user name (password asked, or from "
        "CONTAINMENT_PASSWORD)."
    ),
]  # fmt: skip
PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")
]


def _fail(message: str) -> typer.Exit:
    err.print(_("[bold red]error:[/] {message}", message=message))
    return typer.Exit(code=2)


@contextmanager
def _reported() -> Iterator[None]:
    """The package's errors end the command with their message and exit status 2."""
    try:
        yield
    except ContainmentError as error:
        raise _fail(str(error)) from error


def _write_text(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        msg = _(
            "Cannot write {file}: {reason}. Choose another file or folder.",
            file=path,
            reason=error.strerror or error,
        )
        raise ExportError(msg) from error


def _slug(district: str) -> str:
    """The slug that names the district's store (an unknown district lists the known ones);
    ``state`` names the state control room's store (its users)."""
    if district.strip().lower() == STATE_STORE:
        return STATE_STORE
    with _reported():
        return district_slug(district)


def _admin_store(district: str, database: str | None) -> SQLStore:
    """The store, with changes recorded as the administrator's (the login on this machine)."""
    slug = _slug(district)
    with _reported():
        store = open_store(slug, database)
    return store.acting_as(f"admin:{getpass.getuser()}", "admin")


def as_of_day(ws: Workspace, as_of: dt.datetime | None) -> dt.date:
    """The day asked for, by default today in India (whatever the machine's time zone). A role
    that sees zones as of today only (one that may not read cases: the police) is refused
    another day, so that no paper or file is labelled with a day its zones are not of."""
    today = india_today()
    if as_of is None or as_of.date() == today:
        return today
    if not ws.may(Permission.READ_CASES):
        raise _fail(
            _(
                "{user} ({role}) sees the zones in force as of today ({today}) only, as in the "
                "app: leave out --as-of {day}.",
                user=ws.user.username,
                role=code_label(ws.user.role),
                today=date_text(today),
                day=as_of.date().isoformat(),
            )
        )
    return as_of.date()


def _new_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt(_("Password"), hide_input=True, confirmation_prompt=True))


def _workspace(district: str, database: str | None, user: str) -> Workspace:
    """Log in as ``user`` through the service, as the app does."""
    slug = _slug(district)  # an unknown district stops before the password is asked
    password = os.environ.get("CONTAINMENT_PASSWORD") or typer.prompt(
        _("Password for {user}", user=user), hide_input=True
    )
    with _reported():
        service = Service(open_store(slug, database))
        return service.workspace(service.login(user, password).token)


@users_app.command("add")
def add_user(
    username: str,
    role: Annotated[
        Role, typer.Option(help="planner, collector or police; state with --district state.")
    ],
    district: DistrictOption = DEFAULT_DISTRICT,
    database: DatabaseOption = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Add a user with a role; there is no default password: you set it here."""
    store = _admin_store(district, database)
    with _reported():
        user = store.add_user(username, role, _new_password(password_stdin))
    out.print(
        _(
            "Added {user} ({role}) to {district}.",
            user=user.username,
            role=_(user.role.value),
            district=_slug(district),
        )
    )


@users_app.command("reset-password")
def reset_password(
    username: str,
    district: DistrictOption = DEFAULT_DISTRICT,
    database: DatabaseOption = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Set a new password; the user's open sessions end."""
    store = _admin_store(district, database)
    with _reported():
        store.set_password(username.strip().lower(), _new_password(password_stdin))
    out.print(_("Password of {user} reset: their sessions have ended.", user=username))


def _set_active(username: str, district: str, database: str | None, *, active: bool) -> None:
    with _reported():
        _admin_store(district, database).set_active(username.strip().lower(), active)
    out.print(
        _("{user} enabled.", user=username) if active else _("{user} disabled.", user=username)
    )


@users_app.command("disable")
def disable_user(
    username: str, district: DistrictOption = DEFAULT_DISTRICT, database: DatabaseOption = None
) -> None:
    """Stop a user logging in (their sessions end at once); their history stays."""
    _set_active(username, district, database, active=False)


@users_app.command("enable")
def enable_user(
    username: str, district: DistrictOption = DEFAULT_DISTRICT, database: DatabaseOption = None
) -> None:
    """Let a disabled user log in again."""
    _set_active(username, district, database, active=True)


@users_app.command("unlock")
def unlock_user(
    username: str, district: DistrictOption = DEFAULT_DISTRICT, database: DatabaseOption = None
) -> None:
    """Lift the lock on a name after too many failed logins (it also ends by itself)."""
    with _reported():
        was_locked = _admin_store(district, database).unlock(username.strip().lower())
    out.print(
        _("{user} unlocked.", user=username)
        if was_locked
        else _("{user} was not locked.", user=username)
    )


@users_app.command("list")
def list_users(
    district: DistrictOption = DEFAULT_DISTRICT, database: DatabaseOption = None
) -> None:
    """The district's users, their roles and whether they may log in."""
    store = _admin_store(district, database)
    for row in store.users().itertuples():
        state = "active" if row.active else "disabled"
        locked = store.locked_until(str(row.username))
        if locked is not None:
            state += f", locked until {locked:%H:%M} UTC"
        typer.echo(f"{row.username}\t{row.role}\t{state}\tpassword set {row.password_set_at}")


@db_app.command("district-role")
def district_role(
    district: Annotated[
        str, typer.Argument(help="The district whose schema the role gets (name or slug).")
    ],
    role: Annotated[
        str | None, typer.Option(help="The role's name (default: <district>_app).")
    ] = None,
    database: DatabaseOption = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Make a database role that owns one district's schema and can read no other's.

    Run it with an administrator's URL (an account with CREATEROLE that owns the schemas);
    it prints the URL the district's app should use.
    """
    if not database or not database.startswith(("postgresql://", "postgres://")):
        raise _fail(_("Give the PostGIS database with --database (or CONTAINMENT_DATABASE_URL)."))
    slug = _slug(district)
    name = role or f"{slug}_app"
    prefix = os.environ.get(SCHEMA_PREFIX_VARIABLE, "district_")
    password = _new_password(password_stdin)
    with _reported():
        grant_district_role(database, f"{prefix}{slug}", name, password)
        url = district_role_url(database, name, password)
    out.print(
        _(
            "Role {role} owns {schema} and may use no other district.",
            role=name,
            schema=prefix + slug,
        )
    )
    out.print(_("The district's app: CONTAINMENT_DATABASE_URL={url}", url=url))


@db_app.command("state-role")
def state_role(
    role: Annotated[str, typer.Option(help="The role's name.")] = "state_room",
    database: DatabaseOption = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Make the state control room's database role: it owns the state's own schema (its
    users) and may read every district's state views — zones in force, checkpoints, centres
    and counts — and none of a district's tables.

    Run it with an administrator's URL, and again when a district's store is new; it prints
    the URL the state control room's app uses.
    """
    if not database or not database.startswith(("postgresql://", "postgres://")):
        raise _fail(_("Give the PostGIS database with --database (or CONTAINMENT_DATABASE_URL)."))
    prefix = os.environ.get(SCHEMA_PREFIX_VARIABLE, "district_")
    password = _new_password(password_stdin)
    with _reported():
        granted = grant_state_role(database, prefix, role, password)
        url = district_role_url(database, role, password)
    out.print(
        n_(
            "Role {role} may read the state views of {n} district: {schemas}.",
            "Role {role} may read the state views of {n} districts: {schemas}.",
            len(granted),
            role=role,
            schemas=", ".join(granted) or "-",
        )
    )
    out.print(
        _(
            "The state control room: CONTAINMENT_DISTRICT=state CONTAINMENT_DATABASE_URL={url}",
            url=url,
        )
    )


def backup(
    to: Annotated[Path, typer.Argument(help="The backup file to write (must not exist).")],
    district: DistrictOption = DEFAULT_DISTRICT,
    database: DatabaseOption = None,
) -> None:
    """Copy the embedded store while it may be in use (for PostGIS use pg_dump: README)."""
    store = _admin_store(district, database)
    with _reported():
        written = backup_sqlite(store, to)
    store.record("backup", str(written.name))
    out.print(_("Backed up {store} to {file}.", store=store.label, file=written))


def _check_backup(source: Path) -> str | None:
    """Refuse a file that is not one of our stores, or is from a newer version; read only.
    Returns the district the backup records (None for a backup made before stores did)."""
    try:
        with sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True) as con:
            version = con.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
            recorded = None
            if "store_meta" in tables:
                row = con.execute("SELECT value FROM store_meta WHERE name = 'district'").fetchone()
                recorded = str(row[0]) if row is not None else None
    except sqlite3.DatabaseError as error:
        raise _fail(
            _("{file} is not a Containment Planner store: {reason}.", file=source, reason=error)
        ) from error
    if not {"zones", "cases", "revision"} <= tables:
        raise _fail(
            _("{file} is not a Containment Planner store (it has no zones table).", file=source)
        )
    if version > len(MIGRATIONS):
        raise _fail(_("{file} was written by a newer version of Containment Planner.", file=source))
    return recorded


def _check_backup_district(
    source: Path, recorded: str | None, district: str, *, unrecorded_ok: bool
) -> None:
    """Refuse another district's backup; one that records no district only when asked."""
    if recorded is not None and recorded != district:
        raise _fail(
            _(
                "{file} is a backup of {recorded}'s store, not of {district}'s: nothing was "
                "restored. Restore it with --district {recorded}, or choose a backup of "
                "{district}'s store.",
                file=source,
                recorded=recorded,
                district=district,
            )
        )
    if recorded is None and not unrecorded_ok:
        raise _fail(
            _(
                "{file} was made before backups recorded their district, so it cannot be "
                "checked to be {district}'s: nothing was restored. If you are sure it is a "
                "backup of {district}'s store, run the command again with "
                "--accept-unrecorded-district.",
                file=source,
                district=district,
            )
        )


def restore(
    source: Annotated[Path, typer.Argument(help="A backup written by 'containment backup'.")],
    district: DistrictOption = DEFAULT_DISTRICT,
    database: DatabaseOption = None,
    accept_unrecorded_district: Annotated[
        bool,
        typer.Option(
            "--accept-unrecorded-district",
            help="Restore a backup made before backups recorded their district (it cannot be "
            "checked to be this district's: be sure it is).",
        ),
    ] = False,
) -> None:
    """Put a backup back as the embedded store; the store as it was is kept beside it first.
    A backup of another district's store is refused."""
    store = _admin_store(district, database)
    if not isinstance(store.backend, SQLiteBackend):
        raise _fail(_("This is a PostGIS store: restore it with pg_restore (see the README)."))
    if not source.is_file():
        raise _fail(_("{file} is not a file.", file=source))
    recorded = _check_backup(source)
    _check_backup_district(
        source, recorded, _slug(district), unrecorded_ok=accept_unrecorded_district
    )
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = store.backend.path
    kept = backup_sqlite(store, path.with_name(f"{path.stem}.before-restore-{stamp}.sqlite"))
    with sqlite3.connect(source) as backup_con, sqlite3.connect(path, timeout=30) as live:
        backup_con.backup(live)  # page by page, under the store's lock
    restored = _admin_store(district, database)
    detail = f"previous store kept as {kept.name}"
    if recorded is None:
        detail += "; the backup recorded no district (restored with --accept-unrecorded-district)"
    restored.record("restore", source.name, detail)
    out.print(
        _(
            "Restored {store} from {file}; the previous store is kept as {kept}.",
            store=path,
            file=source,
            kept=kept,
        )
    )


def import_cases(
    cases: Annotated[Path, typer.Argument(help="The line list (CSV, XLSX, GeoJSON, GPKG).")],
    user: UserOption,
    district: DistrictOption = DEFAULT_DISTRICT,
    database: DatabaseOption = None,
) -> None:
    """Import a line list into the store as you (planner or collector)."""
    ws = _workspace(district, database, user)
    with _reported():
        found = read_cases(cases, load_district(district), max_bytes=None)
        summary = ws.import_cases(
            found.cases,
            source=cases.name,
            rejected=len(found.rejected),
            synthetic=found.synthetic,
        )
    if found.synthetic:
        out.print(
            _(
                "{file} says it is SYNTHETIC (its Data column): saved as the sample.",
                file=cases.name,
            )
        )
    if found.rejected:  # plain text: a quoted cell is never read as console markup
        out.out("\n".join(str(problem) for problem in found.rejected), highlight=False)
    out.print(_("Saved: {saved}.", saved="; ".join(line.strip() for line in summary.lines())))


def export(
    to: Annotated[Path, typer.Argument(help="zones.geojson, .gpkg, .kml, .shp.zip or .csv")],
    user: UserOption,
    district: DistrictOption = DEFAULT_DISTRICT,
    database: DatabaseOption = None,
    as_of: Annotated[
        dt.datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="Default: today (in India). Police see today only, as in the app.",
        ),
    ] = None,
) -> None:
    """Write the zones in force (notified, not released) as you; the export is audited."""
    ws = _workspace(district, database, user)
    day = as_of_day(ws, as_of)
    with _reported():
        loaded = load_district(district)
        zones = ws.described_zones(loaded, as_of=day)
        in_force = zones[zones["in_force"]] if len(zones) else zones
        synthetic = ws.synthetic_cases() > 0
        written = write_zones(in_force, to, loaded, synthetic=synthetic)
        ws.record_export("zones in force (command line)", written.name, len(in_force))
    out.print(
        n_(
            "Wrote {n} zone in force on {day} to {file}.",
            "Wrote {n} zones in force on {day} to {file}.",
            len(in_force),
            day=date_text(day),
            file=written,
        )
    )
    if synthetic:
        err.print(_("warning: the store holds the SYNTHETIC sample; every zone is marked so."))


def audit(
    user: UserOption,
    to: Annotated[Path | None, typer.Option("-o", "--output", help="Write CSV here.")] = None,
    since: Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"])] = None,
    who: Annotated[str | None, typer.Option("--who", help="Only this user's entries.")] = None,
    action: Annotated[str | None, typer.Option(help="Only this action.")] = None,
    district: DistrictOption = DEFAULT_DISTRICT,
    database: DatabaseOption = None,
) -> None:
    """The audit trail, newest first (collector only)."""
    ws = _workspace(district, database, user)
    with _reported():
        entries = ws.audit(
            since=since.replace(tzinfo=dt.UTC) if since else None, username=who, action=action
        )
    if to is not None:
        with _reported():
            _write_text(to, csv_text(entries))
        ws.record_export("audit trail", to.name, len(entries))
        out.print(
            n_(
                "Wrote {n} audit entry to {file}.",
                "Wrote {n} audit entries to {file}.",
                len(entries),
                file=to,
            )
        )
        return
    for row in entries.itertuples():
        typer.echo(f"{row.at}\t{row.username}\t{row.action}\t{row.subject}\t{row.detail}")
