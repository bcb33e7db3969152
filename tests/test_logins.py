"""Logins that cannot be rushed, held hostage or made to remember a password typed in the wrong
box — on SQLite and PostGIS alike."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from containment import auth
from containment.auth import AuthError, BusyError
from containment.i18n import time_text
from containment.service import Service
from tests.test_service import PASSWORD, Clock

WRONG = "not the password at all"


@pytest.fixture
def service(store) -> Service:
    store.clock = Clock()
    for name, role in (("meena", "collector"), ("ravi", "planner")):
        store.add_user(name, role, PASSWORD)
    return Service(store)


def _attempt(service: Service, name: str, password: str, client: str = "") -> str:
    try:
        service.login(name, password, client=client)
    except AuthError as error:
        return "locked" if "Too many failed logins" in str(error) else "wrong"
    return "in"


def test_thirty_wrong_passwords_at_once_check_only_five(service, store):
    with ThreadPoolExecutor(max_workers=30) as pool:
        outcomes = list(pool.map(lambda _: _attempt(service, "ravi", WRONG), range(30)))
    assert outcomes.count("wrong") == service.policy.max_failures
    assert outcomes.count("locked") == 30 - service.policy.max_failures
    assert _attempt(service, "ravi", PASSWORD) == "locked"  # even the right password
    refused = store.audit(action="login refused")
    assert (refused["detail"] == "wrong password").sum() == service.policy.max_failures


def test_one_computer_guessing_locks_the_name_for_itself_only(service, store):
    for _ in range(service.policy.max_failures):
        assert _attempt(service, "meena", WRONG, client="10.0.0.66") == "wrong"
    assert _attempt(service, "meena", PASSWORD, client="10.0.0.66") == "locked"
    # Every quarter of an hour, again: the collector still logs in from her own computer.
    assert _attempt(service, "meena", PASSWORD, client="10.0.0.5") == "in"


def test_a_computer_trying_many_names_is_stopped_before_it_fills_the_hashing(service, store):
    names = [f"guess{i}" for i in range(service.policy.max_client_failures)]
    outcomes = [_attempt(service, name, WRONG, client="10.0.0.66") for name in names]
    assert outcomes.count("wrong") == service.policy.max_client_failures
    assert _attempt(service, "ravi", PASSWORD, client="10.0.0.66") == "locked"
    assert _attempt(service, "ravi", PASSWORD, client="10.0.0.5") == "in"


def test_guessing_one_name_from_many_computers_locks_it(store):
    store.clock = Clock()
    store.add_user("ravi", "planner", PASSWORD)
    service = Service(store, auth.SessionPolicy(max_failures=2, max_name_failures=6))
    outcomes = [_attempt(service, "ravi", WRONG, client=f"10.0.1.{i}") for i in range(8)]
    assert outcomes == ["wrong"] * 6 + ["locked"] * 2
    with pytest.raises(AuthError, match="from several computers"):
        service.login("ravi", PASSWORD, client="10.0.0.5")


def test_attempts_while_locked_do_not_make_the_lock_last_longer(service, store):
    for _ in range(service.policy.max_failures):
        assert _attempt(service, "meena", WRONG) == "wrong"
    for _ in range(4):  # somebody keeps trying every few minutes, all through the lock
        store.clock.advance(minutes=3)
        assert _attempt(service, "meena", WRONG) == "locked"
    store.clock.advance(minutes=3, seconds=1)  # 15 minutes after the lock began
    assert _attempt(service, "meena", PASSWORD) == "in"


def test_the_collector_unlocks_a_locked_name(service, store):
    for _ in range(service.policy.max_failures):
        _attempt(service, "ravi", WRONG)
    collector = service.workspace(service.login("meena", PASSWORD).token)
    users = collector.users().set_index("username")
    assert users.loc["ravi", "locked_until"] is not None
    assert users.loc["meena", "locked_until"] is None
    assert collector.unlock("ravi") is True
    assert _attempt(service, "ravi", PASSWORD) == "in"
    assert store.audit(action="login unlocked")["subject"].tolist() == ["user ravi"]
    planner = service.workspace(service.login("ravi", PASSWORD).token)
    with pytest.raises(AuthError, match="may not manage users"):
        planner.unlock("meena")


def test_a_name_that_is_nobodys_is_not_kept_as_typed(service, store):
    typed = "My Secret Passw0rd!"  # a password typed into the user-name box
    assert _attempt(service, typed, PASSWORD) == "wrong"
    for _ in range(service.policy.max_failures):
        _attempt(service, typed, PASSWORD)
    with store.backend.read() as tx:
        kept = " ".join(
            str(value)
            for table in ("audit", "login_attempts", "sessions")
            for row in tx.all(f"SELECT * FROM {table}")
            for value in row.values()
        )
    assert typed.lower() not in kept.lower()
    assert "(unknown name)" in set(store.audit()["username"])


def test_passwords_are_hashed_at_most_two_at_a_time(monkeypatch):
    running, most = 0, 0
    lock = threading.Lock()
    real_scrypt = auth.hashlib.scrypt

    def counting_scrypt(*args: object, **kwargs: object) -> bytes:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        try:
            return real_scrypt(*args, **kwargs)
        finally:
            with lock:
                running -= 1

    monkeypatch.setattr(auth.hashlib, "scrypt", counting_scrypt)
    stored = auth.hash_password(PASSWORD)
    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(lambda _: auth.verify_password(WRONG, stored), range(12)))
    assert results == [False] * 12
    assert most <= auth.MAX_CONCURRENT_HASHES


def test_a_login_that_waits_too_long_for_its_turn_is_told_to_try_again(monkeypatch):
    monkeypatch.setattr(auth, "_HASHING_WAIT_S", 0.05)
    stored = auth.hash_password(PASSWORD)
    for _ in range(auth.MAX_CONCURRENT_HASHES):
        auth._hashing.acquire()
    try:
        with pytest.raises(BusyError, match="busy checking other logins; try again"):
            auth.verify_password(PASSWORD, stored)
    finally:
        for _ in range(auth.MAX_CONCURRENT_HASHES):
            auth._hashing.release()
    assert auth.verify_password(PASSWORD, stored)


def test_a_lock_is_reported_with_when_it_ends(service, store):
    for _ in range(service.policy.max_failures):
        _attempt(service, "ravi", WRONG)
    ends = store.clock() + service.policy.lockout
    with pytest.raises(AuthError, match=f"try again after {time_text(ends)}"):  # in IST
        service.login("ravi", PASSWORD)
    assert store.locked_until("ravi") == ends.replace(microsecond=0)
    assert store.clock() < ends <= store.clock() + dt.timedelta(minutes=15)


def test_the_administrator_unlocks_a_name_on_the_command_line(service, store, store_url):
    from tests.test_cli_store import containment

    store.clock = lambda: dt.datetime.now(dt.UTC)  # the command line runs on the real clock
    for _ in range(service.policy.max_failures):
        _attempt(service, "ravi", WRONG)
    listed = containment("users", "list", "--database", store_url)
    assert "ravi\tplanner\tactive, locked until" in listed.stdout
    unlocked = containment("users", "unlock", "ravi", "--database", store_url)
    assert unlocked.exit_code == 0, unlocked.output
    assert "ravi unlocked." in unlocked.stdout
    assert _attempt(service, "ravi", PASSWORD) == "in"
    assert store.audit(action="login unlocked")["username"].iloc[0].startswith("admin:")
