"""Users, sessions, failed logins and the audit trail, as the store keeps them.

The rules (who may do what, when a session ends, how many failures lock a name) live in
:mod:`containment.auth` and :mod:`containment.service`; this is only their records.
Passwords are kept as scrypt hashes and session tokens as SHA-256 digests, never as given.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import threading
from typing import TYPE_CHECKING, Any

import pandas as pd

from containment.auth import AuthError, LoginLimits, Role, User, hash_password
from containment.i18n import _

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractContextManager

    from containment.store.backends import Backend, Tx

__all__ = ["AUDIT_COLUMNS", "UNKNOWN_NAME", "AccountRecords"]

AUDIT_COLUMNS = ["at", "username", "role", "action", "subject", "detail"]
UNKNOWN_NAME = "(unknown name)"


# How many times sessions were ended in this process, by store (its backend's label): a cache of
# session checks (the tile route's) asks again once this moves. Raised after the change commits.
_SESSIONS_ENDED: dict[str, int] = {}
_SESSIONS_ENDED_LOCK = threading.Lock()


def _iso_seconds(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


class AccountRecords:
    """The users, sessions and audit half of :class:`~containment.store.sql.SQLStore`."""

    if TYPE_CHECKING:
        clock: Callable[[], dt.datetime]
        backend: Backend

        def secret(self, name: str) -> bytes: ...

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
        plain = name.replace(".", "").replace("_", "").replace("-", "")
        if not name or not name.isascii() or not plain.isalnum():  # no look-alike letters
            msg = _(
                "User name {name}: use letters a-z, digits, dots, dashes or underscores.",
                name=repr(username),
            )
            raise AuthError(msg)
        user = User(name, Role(role))
        digest = hash_password(password)
        with self._transaction(bump=False) as tx:
            if first and tx.row("SELECT COUNT(*) AS n FROM users")["n"]:
                msg = _("This store already has users; log in, or ask an administrator to add you.")
                raise AuthError(msg)
            cursor = tx.execute(
                "INSERT INTO users (username, role, password_hash, active, created_at, "
                "password_set_at) VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT (username) DO NOTHING",
                (name, user.role.value, digest, self._now(), self._now()),
            )
            if cursor.rowcount == 0:
                msg = _(
                    "There is already a user {name}; reset their password instead.",
                    name=repr(name),
                )
                raise AuthError(msg)
            self._audit(tx, "user added", f"user {name}", f"role {user.role}")
        return user

    def set_password(self, username: str, password: str) -> None:
        """Reset a password; the user's open sessions end and failed logins are forgotten."""
        digest = hash_password(password)
        key = self._login_key(username)
        with self._transaction(bump=False) as tx:
            cursor = tx.execute(
                "UPDATE users SET password_hash = ?, password_set_at = ? WHERE username = ?",
                (digest, self._now(), username),
            )
            if cursor.rowcount == 0:
                msg = _("No user {name}; add them first.", name=repr(username))
                raise AuthError(msg)
            tx.execute("DELETE FROM sessions WHERE username = ?", (username,))
            tx.execute("DELETE FROM login_attempts WHERE name_key = ?", (key,))
            self._audit(tx, "password reset", f"user {username}")
        self._sessions_ended()

    def set_active(self, username: str, active: bool) -> None:
        """Disable a user (their sessions end at once) or enable them again."""
        with self._transaction(bump=False) as tx:
            cursor = tx.execute(
                "UPDATE users SET active = ? WHERE username = ?", (int(active), username)
            )
            if cursor.rowcount == 0:
                msg = _("No user {name}.", name=repr(username))
                raise AuthError(msg)
            if not active:
                tx.execute("DELETE FROM sessions WHERE username = ?", (username,))
            self._audit(tx, "user enabled" if active else "user disabled", f"user {username}")
        if not active:
            self._sessions_ended()

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
            "SELECT username, role, active, password_hash, language FROM users WHERE username = ?",
            username,
        )
        if not rows:
            return None
        row = rows[0]
        user = User(row["username"], row["role"], bool(row["active"]), row["language"])
        return user, row["password_hash"]

    def set_language(self, username: str, language: str) -> None:
        """The language ``username`` reads the app in (a code of ``i18n.LANGUAGES``)."""
        with self._transaction(bump=False) as tx:
            tx.execute("UPDATE users SET language = ? WHERE username = ?", (language, username))

    # --- logins and sessions -----------------------------------------------------------------

    def _login_key(self, *parts: str) -> str:
        """What the rate limit keeps of a name or a client: a keyed digest, so that a password
        typed into the user-name box is not stored as typed."""
        text = "\x00".join(parts)
        return hmac.new(self.secret("login"), text.encode(), hashlib.sha256).hexdigest()

    def begin_login_attempt(
        self, username: str, client: str, *, limits: LoginLimits, lockout: dt.timedelta
    ) -> tuple[dt.datetime, str] | None:
        """Count one login attempt before its password is checked, in three counters: the name
        from this client, this client with any name, and the name from any client.

        Returns None when the attempt may go on, or when a lock ends and which counter holds
        it (``"name and client"``, ``"client"`` or ``"name"``). Each attempt is counted as a
        failure at once, in one transaction with the rows locked, so attempts at the same moment
        are all counted. The attempt that reaches a counter's limit locks that counter for
        ``lockout`` (a right password from an unlocked counter lifts the name's); attempts made
        while locked are refused and neither counted nor lengthen the lock.
        """
        name_key = self._login_key("name", username)
        counters = sorted(  # always the same order: two transactions never wait on each other
            [
                (
                    self._login_key("name+client", username, client),
                    name_key,
                    limits.per_name_and_client,
                    "name and client",
                ),
                (self._login_key("client", client), "", limits.per_client, "client"),
                (name_key, name_key, limits.per_name, "name"),
            ]
        )
        now = self.clock().astimezone(dt.UTC)
        with self._transaction(bump=False) as tx:
            rows = {}
            for key, owner, _limit, _scope in counters:
                tx.execute(  # a row to lock, so that attempts at the same moment queue on it
                    "INSERT INTO login_attempts (attempt_key, name_key, failures, "
                    "window_started_at) VALUES (?, ?, 0, ?) ON CONFLICT (attempt_key) DO NOTHING",
                    (key, owner, _iso_seconds(now)),
                )
                row = tx.one(
                    "SELECT failures, window_started_at, locked_until FROM login_attempts "
                    f"WHERE attempt_key = ?{self.backend.for_update}",
                    (key,),
                )
                assert row is not None
                rows[key] = row
            for key, _owner, _limit, scope in counters:
                locked = rows[key]["locked_until"]
                if locked and now < dt.datetime.fromisoformat(locked):
                    return dt.datetime.fromisoformat(locked), scope
            for key, _owner, limit, _scope in counters:
                row = rows[key]
                fresh = (
                    row["locked_until"] is not None  # a lock that has ended starts a new window
                    or now - dt.datetime.fromisoformat(row["window_started_at"]) >= lockout
                )
                failures = 1 if fresh else int(row["failures"]) + 1
                started = now if fresh else dt.datetime.fromisoformat(row["window_started_at"])
                locks = now + lockout if failures >= limit else None
                tx.execute(
                    "UPDATE login_attempts SET failures = ?, window_started_at = ?, "
                    "locked_until = ? WHERE attempt_key = ?",
                    (failures, _iso_seconds(started), locks and _iso_seconds(locks), key),
                )
            # Forget counters whose window ended long ago (unknown names would pile up).
            tx.execute(
                "DELETE FROM login_attempts WHERE window_started_at < ? "
                "AND (locked_until IS NULL OR locked_until < ?)",
                (_iso_seconds(now - dt.timedelta(days=1)), _iso_seconds(now)),
            )
        return None

    def end_login_attempt(self, username: str, client: str) -> None:
        """A right password: the name's failures are forgotten, and this client's."""
        with self._transaction(bump=False) as tx:
            tx.execute(
                "DELETE FROM login_attempts WHERE name_key = ? OR attempt_key = ?",
                (self._login_key("name", username), self._login_key("client", client)),
            )

    def unlock(self, username: str) -> bool:
        """Lift every lock on a name (the collector's or the administrator's act); audited.

        Returns whether the name was locked.
        """
        now = _iso_seconds(self.clock().astimezone(dt.UTC))
        key = self._login_key("name", username)  # before the transaction: it may make the secret
        with self._transaction(bump=False) as tx:
            cursor = tx.execute(
                "DELETE FROM login_attempts WHERE name_key = ? AND locked_until > ?", (key, now)
            )
            if cursor.rowcount:
                self._audit(tx, "login unlocked", f"user {username}")
        return bool(cursor.rowcount)

    def locked_until(self, username: str) -> dt.datetime | None:
        """When the last lock on a name ends (from any client), or None if none is locked."""
        rows = self._query(
            "SELECT MAX(locked_until) AS until FROM login_attempts "
            "WHERE name_key = ? AND locked_until > ?",
            self._login_key("name", username),
            _iso_seconds(self.clock().astimezone(dt.UTC)),
        )
        return dt.datetime.fromisoformat(rows[0]["until"]) if rows and rows[0]["until"] else None

    def record_login(self, username: str, role: str, *, ok: bool, detail: str = "") -> None:
        """A login attempt, for the audit trail. ``username`` is "" for a name that is not a
        user's: what was typed is not kept (it may be a password typed in the wrong box)."""
        with self._transaction(bump=False) as tx:
            tx.execute(
                "INSERT INTO audit (at, username, role, action, subject, detail) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    self._now(),
                    username or UNKNOWN_NAME,
                    role,
                    "login" if ok else "login refused",
                    "",
                    detail,
                ),
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
        self._sessions_ended()

    def _sessions_ended(self) -> None:
        with _SESSIONS_ENDED_LOCK:
            label = self.backend.label
            _SESSIONS_ENDED[label] = _SESSIONS_ENDED.get(label, 0) + 1

    def sessions_ended(self) -> int:
        """How many times sessions of this store were ended (a logout, a user disabled, a
        password reset) in this process: a cache of session checks is stale once it moves.
        A change made by another process (the command line) does not move it."""
        with _SESSIONS_ENDED_LOCK:
            return _SESSIONS_ENDED.get(self.backend.label, 0)

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
