"""The tile route: ``/tiles/<layer>/{z}/{x}/{y}`` serves the district's own tile layers (MBTiles or
PMTiles it added, copied into the app's MBTiles) to the map, with no internet.

Streamlit's static folder cannot serve a file added while the app runs, so ``serve.py`` mounts
this route beside the app, as it does the login cookie's (``ui/web.py``). A tile is served only
to a browser whose login cookie holds an open session (the service decides, as for every
click); the file is found by the layer's record in the store, never by a name from the request.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from containment.auth import AuthError
from containment.service import Service, Workspace
from containment.store import open_store
from ui import web

__all__ = ["TILE_PATH", "app_service", "routes", "tile_url"]

TILE_PATH = "/tiles/{layer_id}/{z:int}/{x:int}/{y:int}"
_LAYER_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")
_SESSION_CHECK_S = 5.0  # a session seen open is trusted this long (a view asks for many tiles)


def tile_url(base_path: str, layer_id: str) -> str:
    """The Leaflet URL template of a tile layer, under the app's base path.

    >>> tile_url("", "L-1a2b"), tile_url("/dungarpur/", "L-1a2b")
    ('/tiles/L-1a2b/{z}/{x}/{y}', '/dungarpur/tiles/L-1a2b/{z}/{x}/{y}')
    """
    prefix = "/" + base_path.strip("/") if base_path.strip("/") else ""
    return f"{prefix}/tiles/{layer_id}/{{z}}/{{x}}/{{y}}"


_services: dict[str, Service] = {}
_lock = threading.Lock()


def app_service(slug: str) -> Service | None:
    """The service of the district a login cookie names (``slug``; "" for the start district),
    opened once per process — only the start district or one the login page offers, never a
    path; None for any other, and in the state control room (it has no tile layers)."""
    from ui import state  # imported here: ui.state imports this module for tile_url

    if state.state_room():
        return None
    start = state.start_slug()
    chosen = slug or start
    if chosen != start and chosen not in {d.slug for d in state.picker_districts()}:
        return None
    with _lock:
        if chosen not in _services:
            _services[chosen] = Service(open_store(chosen))
        return _services[chosen]


class _Sessions:
    """Sessions seen open lately, so a view's hundred tiles ask the store once.

    A session seen open is trusted for :data:`_SESSION_CHECK_S`, unless sessions of the store
    were ended in this process since (a logout, a user disabled, a password reset: see
    ``sessions_ended``) — then every session is checked again at once. An end made by another
    process (the command line) is seen within :data:`_SESSION_CHECK_S`.
    """

    def __init__(self) -> None:
        self._seen: dict[str, tuple[Workspace, float, int]] = {}
        self._lock = threading.Lock()

    def workspace(self, service: Service, key: str, token: str) -> Workspace:
        """``service``'s workspace of ``token`` (``key``: the district and the token)."""
        now = time.monotonic()
        ended = service.store.sessions_ended()  # read before the check: an end after it shows
        with self._lock:
            seen = self._seen.get(key)
            if seen is not None and now - seen[1] < _SESSION_CHECK_S and seen[2] == ended:
                return seen[0]
        try:
            ws = service.workspace(token)  # AuthError when ended, expired or disabled
        except AuthError:
            with self._lock:
                self._seen.pop(key, None)
            raise
        with self._lock:
            stale = [k for k, (_w, at, _e) in self._seen.items() if now - at >= _SESSION_CHECK_S]
            for old in stale:
                del self._seen[old]
            self._seen[key] = (ws, now, ended)
        return ws


def routes(service: Callable[[str], Service | None] = app_service) -> list[BaseRoute]:
    """The tile route, for ``serve.py`` (``service`` gives the service of the district the login
    cookie names, or None for a district this app does not offer)."""
    sessions = _Sessions()

    def tile(request: Request) -> Response:
        layer_id = str(request.path_params["layer_id"])
        z, x, y = (int(request.path_params[k]) for k in ("z", "x", "y"))
        slug, _sep, token = request.cookies.get(web.COOKIE, "").rpartition(":")
        district = service(slug) if token else None  # "<district>:<token>" (ui/state.py)
        if district is None:
            return Response(status_code=401)
        try:
            ws = sessions.workspace(district, f"{slug}:{token}", token)
        except AuthError:
            return Response(status_code=401)
        if not _LAYER_ID.match(layer_id):
            return Response(status_code=404)
        found = ws.base_tile(layer_id, z, x, y)
        if found is None:
            return Response(status_code=404)
        data, content_type = found
        return Response(
            data,
            media_type=content_type,
            headers={
                "Cache-Control": "private, max-age=3600",
                "X-Content-Type-Options": "nosniff",
            },
        )

    return [Route(TILE_PATH, tile, methods=["GET"])]
