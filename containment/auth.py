"""Who may do what: roles, password hashing, and the rules for sessions and failed logins.

Pure functions and small records; the store keeps users and sessions, and
:mod:`containment.service` applies the rules on every call.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum

from containment.errors import ContainmentError
from containment.i18n import N_, _

__all__ = [
    "AuthError",
    "BusyError",
    "Permission",
    "Role",
    "SessionEnded",
    "SessionPolicy",
    "User",
    "forwarded_client",
    "hash_password",
    "new_session_token",
    "token_digest",
    "verify_password",
]


class AuthError(ContainmentError):
    """A login refused, a session ended, or an action the user's role does not allow."""


class SessionEnded(AuthError):
    """The session is over (logged out, expired, account disabled): log in again."""


class BusyError(AuthError):
    """Too many passwords are being checked at once; try again in a moment."""


class Role(StrEnum):
    PLANNER = "planner"
    COLLECTOR = "collector"
    POLICE = "police"
    STATE = "state"  # the state control room: every district's public figures, read only


class Permission(StrEnum):
    """What a role may do; the value says it in words (translated where it is shown)."""

    READ_CASES = N_("read cases")
    IMPORT_CASES = N_("import cases")
    READ_DRAFT_ZONES = N_("see zones before they are notified")
    EDIT_ZONES = N_("draw and edit zones")
    PROPOSE_ZONES = N_("propose zones")
    NOTIFY_ZONES = N_("notify and release zones")
    EDIT_CENTRES = N_("manage centres")
    FIELD_WORK = N_("plan field work and home quarantine")
    EDIT_CHECKPOINTS = N_("place checkpoints")
    READ_AUDIT = N_("read the audit trail")
    EXPORT = N_("export zones")
    MANAGE_USERS = N_("manage users")
    UNDO_IMPORTS = N_("undo an import")
    ADD_MAP_LAYERS = N_("add and remove the district's own map layers")
    READ_STATE = N_("watch every district in the state control room")


_COLLECTOR_ONLY = {
    Permission.NOTIFY_ZONES,
    Permission.READ_AUDIT,
    Permission.MANAGE_USERS,
    Permission.UNDO_IMPORTS,
}
_DISTRICT = frozenset(Permission) - {Permission.READ_STATE}
_PLANNER = _DISTRICT - _COLLECTOR_ONLY
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.PLANNER: _PLANNER,
    Role.COLLECTOR: _DISTRICT,
    Role.POLICE: frozenset({Permission.EXPORT}),
    Role.STATE: frozenset({Permission.READ_STATE}),
}


@dataclass(frozen=True)
class User:
    username: str
    role: Role
    active: bool = True
    language: str = "en"  # the code of the language they read the app in

    def __post_init__(self) -> None:
        object.__setattr__(self, "role", Role(self.role))

    def may(self, permission: Permission) -> bool:
        return self.active and permission in ROLE_PERMISSIONS[self.role]


@dataclass(frozen=True)
class LoginLimits:
    """Failed logins allowed within the lockout window before a counter locks: a name from one
    client (a person mistyping, or someone guessing), one client with any names (someone
    trying many names, or filling the password hashing), and a name from all clients together
    (guessing from many machines). One client alone can therefore lock a name only for itself."""

    per_name_and_client: int = 5
    per_client: int = 20
    per_name: int = 50


@dataclass(frozen=True)
class SessionPolicy:
    """A session ends after ``idle`` without use or ``lifetime`` after login, whichever first;
    ``max_failures`` wrong passwords within ``lockout`` block that name from that client for the
    rest of the window (and see :class:`LoginLimits`)."""

    idle: dt.timedelta = dt.timedelta(minutes=30)
    lifetime: dt.timedelta = dt.timedelta(hours=12)
    max_failures: int = 5  # a name from one client
    lockout: dt.timedelta = dt.timedelta(minutes=15)
    max_client_failures: int = 20  # one client, any names
    max_name_failures: int = 50  # a name, all clients together

    @property
    def limits(self) -> LoginLimits:
        return LoginLimits(self.max_failures, self.max_client_failures, self.max_name_failures)

    def expired(self, started: dt.datetime, last_seen: dt.datetime, now: dt.datetime) -> bool:
        return now - last_seen > self.idle or now - started > self.lifetime


MIN_PASSWORD_LENGTH = 10
# scrypt (RFC 7914), memory-hard: 2**15 × 8 × 128 bytes = 32 MiB per hash.
_SCRYPT = {"n": 2**15, "r": 8, "p": 1}
_SCRYPT_MAXMEM = 64 * 1024 * 1024
# At most this many hashes at once per process (32 MiB each): more logins at the same moment
# wait their turn for up to _HASHING_WAIT_S, then are told to try again.
MAX_CONCURRENT_HASHES = 2
_HASHING_WAIT_S = 20.0
_hashing = threading.BoundedSemaphore(MAX_CONCURRENT_HASHES)


@contextmanager
def _hashing_slot() -> Iterator[None]:
    if not _hashing.acquire(timeout=_HASHING_WAIT_S):
        msg = _("The server is busy checking other logins; try again in a minute.")
        raise BusyError(msg)
    try:
        yield
    finally:
        _hashing.release()


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    with _hashing_slot():
        return hashlib.scrypt(
            password.encode(), salt=salt, n=n, r=r, p=p, maxmem=_SCRYPT_MAXMEM, dklen=dklen
        )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str) -> str:
    """A salted scrypt hash, ``scrypt$n$r$p$salt$key``; the password itself is not kept.

    >>> hash_password("correct horse battery").startswith("scrypt$32768$8$1$")
    True
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        msg = _("A password needs at least {n} characters.", n=MIN_PASSWORD_LENGTH)
        raise AuthError(msg)
    salt = secrets.token_bytes(16)
    key = _scrypt(password, salt, _SCRYPT["n"], _SCRYPT["r"], _SCRYPT["p"], 64)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a hash from :func:`hash_password` (constant time)."""
    scheme, n, r, p, salt, key = stored.split("$")
    if scheme != "scrypt":
        return False
    expected = base64.b64decode(key)
    actual = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p), len(expected))
    return hmac.compare_digest(actual, expected)


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What the store keeps of a session token: a stolen copy of the table opens no session."""
    return hashlib.sha256(token.encode()).hexdigest()


def forwarded_client(headers: list[str], hops: int, direct: str) -> str:
    """The client's address from ``X-Forwarded-For`` behind ``hops`` proxies of one's own: the
    ``hops``-th address from the right. A proxy appends the address it was reached from, so the
    ones on the left are whatever the client wrote; only the right-most ones are the proxies'.

    >>> forwarded_client(["127.0.0.1, 198.51.100.7"], 1, "10.0.0.2")
    '198.51.100.7'
    >>> forwarded_client(["203.0.113.9", "198.51.100.7, 10.0.0.5"], 2, "10.0.0.2")
    '198.51.100.7'
    >>> forwarded_client([], 1, "10.0.0.2")  # no header: the proxy is the client
    '10.0.0.2'
    """
    addresses = [a.strip() for header in headers for a in header.split(",") if a.strip()]
    return addresses[-hops] if len(addresses) >= hops else direct
