"""The login cookie: reloading the page keeps a user logged in, for as long as their session lives.

Streamlit talks to the browser over a WebSocket, which cannot set a cookie; so after a login the
page hands the browser a one-time code (random, good for one use within a minute), and a script
on the page posts it to ``/session/begin``. That route, served by the same process
(``serve.py`` mounts it beside the app), sets the cookie with the session token:

* ``HttpOnly`` — no script on the page can read the token;
* ``SameSite=Strict`` — no other site's page sends it;
* ``Secure`` when the app is served over HTTPS; ``Path=/``; it lasts no longer than a session may.

On a reload, the page reads the cookie (Streamlit passes the WebSocket request's cookies in
``st.context.cookies``) and asks the service whether that session is still open; the service
decides, as for every click. Logging out closes the session in the store (the token is dead
from then on, whatever the browser keeps) and posts to ``/session/end``, which deletes the cookie.
An idle timeout or the 12-hour limit ends the session the same way. Both routes accept only
requests from the app's own pages (the browser's ``Sec-Fetch-Site``/``Origin`` headers).
"""

from __future__ import annotations

import json
import secrets
import threading
import time

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from containment.auth import SessionPolicy

__all__ = ["COOKIE", "hand_off", "pending", "routes", "script"]

COOKIE = "containment_session"
CODE_LIFETIME_S = 60.0
_codes: dict[str, tuple[str, float]] = {}  # one-time code -> (session token, expiry)
_lock = threading.Lock()


def hand_off(token: str) -> str:
    """A one-time code the page's script exchanges for the cookie holding ``token``."""
    code = secrets.token_urlsafe(32)
    now = time.monotonic()
    with _lock:
        for old in [c for c, (_t, expiry) in _codes.items() if expiry < now]:
            del _codes[old]
        _codes[code] = (token, now + CODE_LIFETIME_S)
    return code


def pending(code: str) -> bool:
    """Whether ``code`` has not been exchanged yet (and has not expired)."""
    with _lock:
        found = _codes.get(code)
    return found is not None and found[1] >= time.monotonic()


def _take(code: str) -> str | None:
    with _lock:
        found = _codes.pop(code, None)
    if found is None or found[1] < time.monotonic():
        return None
    return found[0]


def _from_the_app(request: Request) -> bool:
    """The request comes from the app's own page: same origin, as the browser vouches."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("origin")
    return origin is not None and origin == f"{request.url.scheme}://{request.url.netloc}"


async def _begin(request: Request) -> Response:
    if not _from_the_app(request):
        return Response(status_code=403)
    form = await request.form()
    code = form.get("code")
    token = _take(code) if isinstance(code, str) else None
    if token is None:
        return Response(status_code=400)
    response = Response(status_code=204)
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(SessionPolicy().lifetime.total_seconds()),
        path="/",
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="strict",
    )
    return response


async def _end(request: Request) -> Response:
    if not _from_the_app(request):
        return Response(status_code=403)
    response = Response(status_code=204)
    response.delete_cookie(
        COOKIE, path="/", secure=request.url.scheme == "https", httponly=True, samesite="strict"
    )
    return response


def routes() -> list[BaseRoute]:
    """The two routes ``serve.py`` mounts beside the app."""
    return [
        Route("/session/begin", _begin, methods=["POST"]),
        Route("/session/end", _end, methods=["POST"]),
    ]


def script(base_path: str, *, code: str | None) -> str:
    """The page's script: trade ``code`` for the cookie, or (no code) delete the cookie."""
    prefix = "/" + base_path.strip("/") if base_path.strip("/") else ""
    if code is None:
        url, body = f"{prefix}/session/end", ""
    else:
        url, body = f"{prefix}/session/begin", f"code={code}"
    return (
        "<script>fetch(window.parent.location.origin + "
        f"{json.dumps(url)}, {{method: 'POST', credentials: 'same-origin', "
        "headers: {'Content-Type': 'application/x-www-form-urlencoded'}, "
        f"body: {json.dumps(body)}}});</script>"
    )
