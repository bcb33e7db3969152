"""Every id the planner mints, in one place: ``PREFIX-<hex>``.

:func:`random_id` for things a person makes (a drawn zone, a centre, a checkpoint placed by
hand); :func:`stable_id` for things the engine proposes again and again (a checkpoint at the
same crossing of the same zone gets the same id, so proposing twice adds nothing);
:func:`keyed_id` for ids derived from something secret, such as the cases behind a rule zone:
keyed with a secret kept in the store, they cannot be traced back to what they were made from.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

__all__ = ["keyed_id", "random_id", "stable_id"]

_HEX = 10  # 40 bits: ids stay short enough to read out on the phone


def random_id(prefix: str) -> str:
    """A fresh, random id.

    >>> random_id("DZ").startswith("DZ-"), len(random_id("DZ"))
    (True, 13)
    """
    return f"{prefix}-{secrets.token_hex(_HEX // 2)}"


def stable_id(prefix: str, *parts: str) -> str:
    """The same id for the same parts (none of them secret).

    >>> stable_id("CP", "DZ-1", "7400", "23840") == stable_id("CP", "DZ-1", "7400", "23840")
    True
    """
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=_HEX // 2)
    return f"{prefix}-{digest.hexdigest()}"


def keyed_id(prefix: str, key: bytes, *parts: str) -> str:
    """The same id for the same parts and key; without the key, nothing about the parts can
    be learned or checked from it (HMAC-SHA-256).

    >>> keyed_id("CZ", b"k" * 32, "rule", "A1") == keyed_id("CZ", b"k" * 32, "rule", "A1")
    True
    >>> keyed_id("CZ", b"k" * 32, "rule", "A1") == keyed_id("CZ", b"j" * 32, "rule", "A1")
    False
    """
    if len(key) < 16:
        msg = "keyed_id needs a key of at least 16 bytes"
        raise ValueError(msg)
    mac = hmac.new(key, "\x1f".join(parts).encode(), hashlib.sha256)
    return f"{prefix}-{mac.hexdigest()[:_HEX]}"
