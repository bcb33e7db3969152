"""Users, sessions, failed logins and the audit trail, as the store keeps them.

The rules (who may do what, when a session ends, how many failures lock a name) live in
:mod:`containment.auth` and :mod:`containment.service`; this is only their records. Passwords
are kept as scrypt hashes and session tokens as SHA-256 digests, never as given.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pandas as pd

from containment.auth import AuthError, Role, User, hash_password

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractContextManager

    from containment.store.backends import Tx

__all__ = ["AUDIT_COLUMNS", "AccountRecords"]

AUDIT_COLUMNS = ["at", "username", "role", "action", "subject", "detail"]


class AccountRecords:
    """The users, sessions and audit half of :class:`~containment.store.sql.SQLStore`."""

    if TYPE_CHECKING:
        clock: Callable[[], dt.datetime]

        def _transaction(self, *, bump: bool = True) -> AbstractContextManager[Tx]: ...
        def _query(self, sql: str, *params: object) -> list[dict[str, Any]]: ...
        def _audit(self, tx: Tx, action: str, subject: str, detail: str = "") -> None: ...
        def _now(self) -> str: ...

    # --- users -------------------------------------------------------------------------------

    def add_user(
        self, username: str, role: Role | str, password: str, *, first: bool = False
    ) -> User:
        """A new user; the name is kept lower-cased and must be new. With ``first``, only if
        there is no user yet (checked in the same transaction, so two first users cannot race).
        """
        name = username.strip().lower()
        if not name or not name.replace(".", "").replace("_", "").replace("-", "").isalnum():
            msg = f"User name {username!r}: use letters, digits, dots, dashes or underscores."
            raise AuthError(msg)
        user = User(name, Role(role))
        digest = hash_password(password)
        with self._transaction(bump=False) as tx:
            if first and tx.one("SELECT COUNT(*) AS n FROM users")["n"]:
                msg = "This store already has users; log in, or ask an administrator to add you."
                raise AuthError(msg)
            cursor = tx.execute(
                "INSERT INTO users (username, role, password_hash, active, created_at, "
                "password_set_at) VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT (username) DO NOTHING",
                (name, user.role.value, digest, self._now(), self._now()),
            )
            if cursor.rowcount == 0:
                msg = f"There is already a user {name!r}; reset their password instead."
                raise AuthError(msg)
            self._audit(tx, "user added", f"user {name}", f"role {user.role}")
        return user

    def set_password(self, username: str, password: str) -> None:
        """Reset a password; the user's open sessions end and failed logins are forgotten."""
        digest = hash_password(password)
        with self._transaction(bump=False) as tx:
            cursor = tx.execute(
                "UPDATE users SET password_hash = ?, password_set_at = ? WHERE username = ?",
                (digest, self._now(), username),
            )
            if cursor.rowcount == 0:
                msg = f"No user {username!r}; add them first."
                raise AuthError(msg)
            tx.execute("DELETE FROM sessions WHERE username = ?", (username,))
            tx.execute("DELETE FROM login_failures WHERE username = ?", (username,))
            self._audit(tx, "password reset", f"user {username}")

    def set_active(self, username: str, active: bool) -> None:
        """Disable a user (their sessions end at once) or enable them again."""
        with self._transaction(bump=False) as tx:
            cursor = tx.execute(
                "UPDATE users SET active = ? WHERE username = ?", (int(active), username)
            )
            if cursor.rowcount == 0:
                msg = f"No user {username!r}."
                raise AuthError(msg)
            if not active:
                tx.execute("DELETE FROM sessions WHERE username = ?", (username,))
            self._audit(tx, "user enabled" if active else "user disabled", f"user {username}")

    def users(self) -> pd.DataFrame:
        rows = self._query(
            "SELECT username, role, active, created_at, password_set_at FROM users "
            "ORDER BY username"
        )
        frame = pd.DataFrame(
            rows, columns=["username", "role", "active", "created_at", "password_set_at"]
        )
        frame["active"] = frame["active"].astype(bool)
        return frame

    def user_record(self, username: str) -> tuple[User, str] | None:
        """The user and their password hash, or None."""
        rows = self._query(
            "SELECT username, role, active, password_hash FROM users WHERE username = ?",
            username,
        )
        if not rows:
            return None
        row = rows[0]
        return User(row["username"], row["role"], bool(row["active"])), row["password_hash"]

    # --- logins and sessions -----------------------------------------------------------------

    def failures_since(self, username: str, since: dt.datetime) -> list[dt.datetime]:
        rows = self._query(
            "SELECT failed_at FROM login_failures WHERE username = ? AND failed_at > ? "
            "ORDER BY failed_at",
            username,
            since.astimezone(dt.UTC).isoformat(timespec="seconds"),
        )
        return [dt.datetime.fromisoformat(r["failed_at"]) for r in rows]

    def record_login(self, username: str, role: str, *, ok: bool, detail: str = "") -> None:
        """A login attempt, for the audit trail (and, when it failed, the rate limit)."""
        with self._transaction(bump=False) as tx:
            if ok:
                tx.execute("DELETE FROM login_failures WHERE username = ?", (username,))
            else:
                tx.execute(
                    "INSERT INTO login_failures (username, failed_at) VALUES (?, ?)",
                    (username, self._now()),
                )
            tx.execute(
                "INSERT INTO audit (at, username, role, action, subject, detail) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (self._now(), username, role, "login" if ok else "login refused", "", detail),
            )

    def open_session(self, token_hash: str, username: str) -> None:
        with self._transaction(bump=False) as tx:
            tx.execute(
                "INSERT INTO sessions (token_hash, username, started_at, last_seen_at) "
                "VALUES (?, ?, ?, ?)",
                (token_hash, username, self._now(), self._now()),
            )

    def session_record(self, token_hash: str) -> tuple[str, dt.datetime, dt.datetime] | None:
        """``(username, started_at, last_seen_at)`` of an open session, or None."""
        rows = self._query(
            "SELECT username, started_at, last_seen_at FROM sessions WHERE token_hash = ?",
            token_hash,
        )
        if not rows:
            return None
        row = rows[0]
        return (
            row["username"],
            dt.datetime.fromisoformat(row["started_at"]),
            dt.datetime.fromisoformat(row["last_seen_at"]),
        )

    def touch_session(self, token_hash: str) -> None:
        with self._transaction(bump=False) as tx:
            tx.execute(
                "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?",
                (self._now(), token_hash),
            )

    def close_session(self, token_hash: str) -> None:
        with self._transaction(bump=False) as tx:
            tx.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))

    # --- audit -------------------------------------------------------------------------------

    def record(self, action: str, subject: str, detail: str = "") -> None:
        """An audit entry for something that changes nothing stored (an export, a logout)."""
        with self._transaction(bump=False) as tx:
            self._audit(tx, action, subject, detail)

    def audit(
        self,
        *,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        username: str | None = None,
        action: str | None = None,
    ) -> pd.DataFrame:
        """The audit trail, newest first, filtered by time (UTC), user and action."""
        where, params = [], []
        for clause, value in (
            ("at >= ?", since and since.astimezone(dt.UTC).isoformat(timespec="seconds")),
            ("at < ?", until and until.astimezone(dt.UTC).isoformat(timespec="seconds")),
            ("username = ?", username),
            ("action = ?", action),
        ):
            if value:
                where.append(clause)
                params.append(value)
        sql = f"SELECT {', '.join(AUDIT_COLUMNS)} FROM audit"
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self._query(sql + " ORDER BY audit_id DESC", *params)
        return pd.DataFrame(rows, columns=AUDIT_COLUMNS)

    def audit_actions(self) -> list[str]:
        return [r["action"] for r in self._query("SELECT DISTINCT action FROM audit ORDER BY 1")]
