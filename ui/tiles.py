"""The tile route: ``/tiles/<layer>/{z}/{x}/{y}`` serves the district's own tile layers (MBTiles or
PMTiles it added, copied into the app's MBTiles) to the map, with no internet.

Streamlit's static folder cannot serve a file added while the app runs, so ``serve.py`` mounts
this route beside the app, as it does the login cookie's (``ui/web.py``). A tile is served only
to a browser whose login cookie holds an open session (the service decides, as for every
click); the file is found by the layer's record in the store, never by a name from the request.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

import containment as cp
from containment.auth import AuthError
from containment.service import Service, Workspace
from containment.store import open_store
from ui import web

__all__ = ["TILE_PATH", "app_service", "routes", "tile_url"]

TILE_PATH = "/tiles/{layer_id}/{z:int}/{x:int}/{y:int}"
_LAYER_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")
_SESSION_CHECK_S = 30.0  # a session seen open is trusted this long (a view asks for many tiles)


def tile_url(base_path: str, layer_id: str) -> str:
    """The Leaflet URL template of a tile layer, under the app's base path.

    >>> tile_url("", "L-1a2b"), tile_url("/dungarpur/", "L-1a2b")
    ('/tiles/L-1a2b/{z}/{x}/{y}', '/dungarpur/tiles/L-1a2b/{z}/{x}/{y}')
    """
    prefix = "/" + base_path.strip("/") if base_path.strip("/") else ""
    return f"{prefix}/tiles/{layer_id}/{{z}}/{{x}}/{{y}}"


_services: dict[str, Service] = {}
_lock = threading.Lock()


def app_service() -> Service:
    """The district's service for the running app (``CONTAINMENT_DISTRICT``, the configured
    database), opened once per process."""
    name = os.environ.get("CONTAINMENT_DISTRICT", cp.DEFAULT_DISTRICT)
    with _lock:
        if name not in _services:
            folder = cp.load_district(name).folder.name
            _services[name] = Service(open_store(folder))
        return _services[name]


class _Sessions:
    """Sessions seen open lately, so a view's hundred tiles ask the store once."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[Workspace, float]] = {}
        self._lock = threading.Lock()

    def workspace(self, service: Service, token: str) -> Workspace:
        now = time.monotonic()
        with self._lock:
            seen = self._seen.get(token)
            if seen is not None and now - seen[1] < _SESSION_CHECK_S:
                return seen[0]
        ws = service.workspace(token)  # AuthError when ended, expired or disabled
        with self._lock:
            for old in [t for t, (_w, at) in self._seen.items() if now - at >= _SESSION_CHECK_S]:
                del self._seen[old]
            self._seen[token] = (ws, now)
        return ws


def routes(service: Callable[[], Service] = app_service) -> list[BaseRoute]:
    """The tile route, for ``serve.py`` (``service`` gives the district's service)."""
    sessions = _Sessions()

    def tile(request: Request) -> Response:
        layer_id = str(request.path_params["layer_id"])
        z, x, y = (int(request.path_params[k]) for k in ("z", "x", "y"))
        token = request.cookies.get(web.COOKIE, "")
        if not token:
            return Response(status_code=401)
        try:
            ws = sessions.workspace(service(), token)
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
