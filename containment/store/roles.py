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

__all__ = ["district_role_url", "grant_district_role"]


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
