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
from dataclasses import dataclass
from enum import StrEnum

from containment.errors import ContainmentError

__all__ = [
    "AuthError",
    "Permission",
    "Role",
    "SessionPolicy",
    "User",
    "hash_password",
    "new_session_token",
    "token_digest",
    "verify_password",
]


class AuthError(ContainmentError):
    """A login refused, a session ended, or an action the user's role does not allow."""


class Role(StrEnum):
    PLANNER = "planner"
    COLLECTOR = "collector"
    POLICE = "police"


class Permission(StrEnum):
    READ_CASES = "read cases"
    IMPORT_CASES = "import cases"
    READ_DRAFT_ZONES = "see zones before they are notified"
    EDIT_ZONES = "draw and edit zones"
    PROPOSE_ZONES = "propose zones"
    NOTIFY_ZONES = "notify and release zones"
    EDIT_CENTRES = "manage centres"
    FIELD_WORK = "plan field work and home quarantine"
    EDIT_CHECKPOINTS = "place checkpoints"
    READ_AUDIT = "read the audit trail"
    EXPORT = "export zones"


_PLANNER = frozenset(Permission) - {Permission.NOTIFY_ZONES, Permission.READ_AUDIT}
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.PLANNER: _PLANNER,
    Role.COLLECTOR: frozenset(Permission),
    Role.POLICE: frozenset({Permission.EXPORT}),
}


@dataclass(frozen=True)
class User:
    username: str
    role: Role
    active: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "role", Role(self.role))

    def may(self, permission: Permission) -> bool:
        return self.active and permission in ROLE_PERMISSIONS[self.role]


@dataclass(frozen=True)
class SessionPolicy:
    """A session ends after ``idle`` without use or ``lifetime`` after login, whichever first;
    ``max_failures`` wrong passwords within ``lockout`` block that username for the rest of
    the window."""

    idle: dt.timedelta = dt.timedelta(minutes=30)
    lifetime: dt.timedelta = dt.timedelta(hours=12)
    max_failures: int = 5
    lockout: dt.timedelta = dt.timedelta(minutes=15)

    def expired(self, started: dt.datetime, last_seen: dt.datetime, now: dt.datetime) -> bool:
        return now - last_seen > self.idle or now - started > self.lifetime


MIN_PASSWORD_LENGTH = 10
# scrypt (RFC 7914), memory-hard: 2**15 × 8 × 128 bytes = 32 MiB per hash.
_SCRYPT = {"n": 2**15, "r": 8, "p": 1}
_SCRYPT_MAXMEM = 64 * 1024 * 1024


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str) -> str:
    """A salted scrypt hash, ``scrypt$n$r$p$salt$key``; the password itself is not kept.

    >>> hash_password("correct horse battery").startswith("scrypt$32768$8$1$")
    True
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        msg = f"A password needs at least {MIN_PASSWORD_LENGTH} characters."
        raise AuthError(msg)
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode(), salt=salt, maxmem=_SCRYPT_MAXMEM, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a hash from :func:`hash_password` (constant time)."""
    scheme, n, r, p, salt, key = stored.split("$")
    if scheme != "scrypt":
        return False
    expected = base64.b64decode(key)
    actual = hashlib.scrypt(
        password.encode(),
        salt=base64.b64decode(salt),
        n=int(n),
        r=int(r),
        p=int(p),
        maxmem=_SCRYPT_MAXMEM,
        dklen=len(expected),
    )
    return hmac.compare_digest(actual, expected)


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What the store keeps of a session token: a stolen copy of the table opens no session."""
    return hashlib.sha256(token.encode()).hexdigest()
