"""One database role per district: on a shared PostGIS database, each district's app logs in
as a role that owns its own schema and nothing else, so a district can never read another's
users, cases or zones — whatever a query asks, the database refuses.

:func:`grant_district_role` is the administrator's (``containment db district-role``): run
with an account that may create roles (``CREATEROLE``) and owns the district schemas.
"""

from __future__ import annotations

from typing import Any

from containment.errors import ContainmentError
from containment.i18n import _
from containment.store.backends import _SCHEMA_NAME
from containment.store.schema import STATE_VIEWS

__all__ = ["STATE_STORE", "district_role_url", "grant_district_role", "grant_state_role"]


def _check(name: str, what: str) -> None:
    if not _SCHEMA_NAME.match(name):
        msg = (
            _(
                "{name} cannot name a database schema: use lower-case letters, digits and "
                "underscores, starting with a letter.",
                name=repr(name),
            )
            if what == "schema"
            else _(
                "{name} cannot name a database role: use lower-case letters, digits and "
                "underscores, starting with a letter.",
                name=repr(name),
            )
        )
        raise ContainmentError(msg)


def grant_district_role(admin_url: str, schema: str, role: str, password: str) -> None:
    """Make ``role`` (a login with ``password``) the owner of ``schema`` and its tables, and
    close the schema to every other role (except the database's superusers).

    The schema is created if the district has none yet. Run it again to change the password.
    """
    import psycopg
    from psycopg import sql

    _check(schema, "schema")
    _check(role, "role")
    if len(password) < 12:
        msg = _("A database role's password needs at least 12 characters.")
        raise ContainmentError(msg)
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as con:
            _grant(con, sql, schema, role, password)
    except psycopg.errors.InsufficientPrivilege as error:
        msg = _(
            "This database account may not create or hand over role {role} ({reason}). Run the "
            "command with an account that has CREATEROLE and owns the district schemas.",
            role=repr(role),
            reason=error,
        )
        raise ContainmentError(msg) from error
    except psycopg.OperationalError as error:
        msg = _("Cannot reach the database: {reason}.", reason=str(error).strip().splitlines()[0])
        raise ContainmentError(msg) from error


def _grant(con: Any, sql: Any, schema: str, role: str, password: str) -> None:
    ident_role, ident_schema = sql.Identifier(role), sql.Identifier(schema)
    with con.transaction():
        if con.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
            con.execute(
                sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(ident_role, sql.Literal(password))
            )
        else:
            con.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                    ident_role, sql.Literal(password)
                )
            )
        # Handing a schema to a role needs membership in it (PostgreSQL 15 and later).
        con.execute(sql.SQL("GRANT {} TO CURRENT_USER").format(ident_role))
        con.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(ident_schema))
        con.execute(sql.SQL("ALTER SCHEMA {} OWNER TO {}").format(ident_schema, ident_role))
        for (table,) in con.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,)
        ).fetchall():
            con.execute(
                sql.SQL("ALTER TABLE {}.{} OWNER TO {}").format(
                    ident_schema, sql.Identifier(table), ident_role
                )
            )
        con.execute(sql.SQL("REVOKE ALL ON SCHEMA {} FROM PUBLIC").format(ident_schema))
        database = con.execute("SELECT current_database()").fetchone()[0]
        con.execute(
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                sql.Identifier(database), ident_role
            )
        )


def district_role_url(admin_url: str, role: str, password: str) -> str:
    """The database URL for a district's app: the admin URL's host and database, the role's
    login."""
    from urllib.parse import quote

    import psycopg

    info = psycopg.conninfo.conninfo_to_dict(admin_url)
    login = f"{quote(role, safe='')}:{quote(password, safe='')}"
    where = f"{info.get('host', 'localhost')}:{info.get('port', '5432')}/{info['dbname']}"
    return f"postgresql://{login}@{where}"


STATE_STORE = "state"  # the state control room's own store: its users, sessions and audit


def grant_state_role(admin_url: str, prefix: str, role: str, password: str) -> list[str]:
    """Make ``role`` the state control room's login: it owns the schema ``<prefix>state`` (the
    state users' store) and may read the four state views of every district schema — never a
    district's tables (cases, zones, notes, users, sessions, audit). Each district's own role
    is granted its neighbours' ``state_zones`` too, for the border alerts.

    Returns the district schemas granted. Run it again after a district's store is created.
    """
    import psycopg
    from psycopg import sql

    grant_district_role(admin_url, f"{prefix}{STATE_STORE}", role, password)
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as con:
            return _grant_views(con, sql, prefix, role)
    except psycopg.errors.InsufficientPrivilege as error:
        msg = _(
            "This database account may not grant the state views to {role} ({reason}). Run "
            "the command with an account that has CREATEROLE and owns the district schemas.",
            role=repr(role),
            reason=error,
        )
        raise ContainmentError(msg) from error


def _grant_views(con: Any, sql: Any, prefix: str, role: str) -> list[str]:
    found = con.execute(
        "SELECT n.nspname, pg_get_userbyid(n.nspowner) FROM pg_namespace n "
        "JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = 'state_zones' "
        "WHERE starts_with(n.nspname, %s) AND n.nspname <> %s ORDER BY n.nspname",
        (prefix, f"{prefix}{STATE_STORE}"),
    ).fetchall()
    me = con.execute("SELECT current_user").fetchone()[0]
    owners = {owner for _schema, owner in found} - {me, role}
    with con.transaction():
        for schema, _owner in found:
            ident = sql.Identifier(schema)
            readers = [role, *sorted(owners)]
            for reader in readers:
                con.execute(
                    sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(ident, sql.Identifier(reader))
                )
            for view in STATE_VIEWS:
                con.execute(
                    sql.SQL("GRANT SELECT ON {}.{} TO {}").format(
                        ident, sql.Identifier(view), sql.Identifier(role)
                    )
                )
            for owner in sorted(owners):  # the neighbours' border alerts
                con.execute(
                    sql.SQL("GRANT SELECT ON {}.state_zones TO {}").format(
                        ident, sql.Identifier(owner)
                    )
                )
    return [schema for schema, _owner in found]
