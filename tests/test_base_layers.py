"""The district's own base layers: added through the service by planners and the collector
(audited), kept in the store (roads, wards) or as an MBTiles of the app's making named by the
layer's id (tiles), and served by ``/tiles/<layer>/{z}/{x}/{y}`` to an open session only — on
SQLite and PostGIS alike."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import geopandas as gpd
import numpy as np
import pytest
import shapely
from starlette.applications import Starlette

import containment.io.tiles as tiles_module
from containment.auth import AuthError
from containment.errors import ContainmentError
from containment.io.district import load_district
from containment.io.tiles import TileFileError, copy_tiles, tile_file_kind
from containment.service import Service
from tests.tilefiles import (
    endless_mbtiles,
    looping_pmtiles,
    mbtiles,
    pmtiles,
    png,
    repeating_pmtiles,
)
from ui import tiles, web

PASSWORD = "a long test password"
DUNGARPUR = load_district("dungarpur")
RED, BLUE = png((200, 0, 0), 4), png((0, 0, 200), 4)
# Two tiles over Dungarpur (zoom 10) and one at zoom 0; XYZ rows.
TILES = {(10, 721, 442): RED, (10, 722, 442): BLUE, (0, 0, 0): png((0, 150, 0), 4)}


@pytest.fixture
def service(store, tmp_path, monkeypatch) -> Service:
    monkeypatch.setenv("CONTAINMENT_DATA", str(tmp_path / "data"))  # PostGIS's layer folder
    for name, role in (("meena", "collector"), ("ravi", "planner"), ("thana", "police")):
        store.add_user(name, role, PASSWORD)
    return Service(store)


def token(service: Service, user: str) -> str:
    return service.login(user, PASSWORD).token


def workspace(service: Service, user: str):
    return service.workspace(token(service, user))


def tile_app(service: Service) -> Starlette:
    """The tile route as ``serve.py`` mounts it: one per server process."""
    return Starlette(routes=tiles.routes(lambda slug: service if slug == "dungarpur" else None))


def get(
    service: Service,
    path: str,
    token: str | None,
    district: str = "dungarpur",
    *,
    app: Starlette | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """``GET path`` on the tile route (``app``'s, or one of its own), as a browser with (or
    without) the login cookie, which holds "<district>:<token>" as the app sets it."""
    app = app or tile_app(service)
    cookie = f"{district}:{token}"
    headers = [(b"cookie", f"{web.COOKIE}={cookie}".encode())] if token else []
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "headers": headers, "client": ("127.0.0.1", 1), "server": ("t", 80),
    }  # fmt: skip
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    # A loop of its own, on a thread of its own: the browser tests' Playwright keeps an event
    # loop running on the main thread for the whole session.
    with ThreadPoolExecutor(max_workers=1) as thread:
        thread.submit(asyncio.run, app(scope, receive, send)).result()
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    found = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    return start["status"], found, body


# --- tiles: added, served, refused --------------------------------------------------------------


@pytest.mark.parametrize("make", [mbtiles, pmtiles], ids=["mbtiles", "pmtiles"])
def test_a_tile_file_is_served_tile_by_tile_to_a_logged_in_user(service, tmp_path, make):
    data = make(tmp_path / "survey.tiles", TILES).read_bytes()
    layer = workspace(service, "ravi").add_base_layer(
        data, "survey.tiles", name="Survey 2019", district=DUNGARPUR
    )
    assert (layer.kind, layer.format, layer.min_zoom, layer.max_zoom) == ("tiles", "png", 0, 10)
    assert layer.features == 3
    assert layer.added_by == "ravi"
    police = token(service, "thana")  # everyone who may see the map sees its base layers
    for (z, x, y), expected in TILES.items():
        status, headers, body = get(service, f"/tiles/{layer.layer_id}/{z}/{x}/{y}", police)
        assert status == 200
        assert body == expected  # the right tile: XYZ rows, whatever the file counted in
        assert headers["content-type"] == "image/png"
        assert headers["x-content-type-options"] == "nosniff"


def test_a_missing_tile_or_layer_is_not_found(service, tmp_path):
    data = mbtiles(tmp_path / "a.mbtiles", TILES).read_bytes()
    layer = workspace(service, "ravi").add_base_layer(data, "a.mbtiles", district=DUNGARPUR)
    cookie = token(service, "ravi")
    for path in (
        f"/tiles/{layer.layer_id}/10/0/0",  # no such tile
        f"/tiles/{layer.layer_id}/23/0/0",  # no such zoom on any map
        f"/tiles/{layer.layer_id}/1/5/0",  # no such column at zoom 1
        "/tiles/L-000000000000/10/721/442",  # no such layer
    ):
        assert get(service, path, cookie)[0] == 404, path


def test_tiles_are_for_an_open_session_only(service, tmp_path):
    data = mbtiles(tmp_path / "a.mbtiles", TILES).read_bytes()
    layer = workspace(service, "ravi").add_base_layer(data, "a.mbtiles", district=DUNGARPUR)
    path = f"/tiles/{layer.layer_id}/10/721/442"
    assert get(service, path, None)[0] == 401
    assert get(service, path, "not-a-session")[0] == 401
    ended = token(service, "ravi")
    assert get(service, path, ended)[0] == 200
    assert get(service, path, ended, district="banswara")[0] == 401  # not this session's store
    assert get(service, path, ended, district="../../data")[0] == 401
    service.logout(ended)
    assert get(service, path, ended)[0] == 401


def test_a_logout_disable_or_reset_here_ends_the_tiles_at_once(service, tmp_path):
    """The server caches a session seen open (a view asks for many tiles), but an end made in
    this process takes effect for the very next tile."""
    data = mbtiles(tmp_path / "a.mbtiles", TILES).read_bytes()
    layer = workspace(service, "ravi").add_base_layer(data, "a.mbtiles", district=DUNGARPUR)
    path = f"/tiles/{layer.layer_id}/10/721/442"
    app = tile_app(service)
    meena = workspace(service, "meena")
    logged_out, disabled, reset = (
        token(service, "ravi"),
        token(service, "thana"),
        token(service, "meena"),
    )
    for cookie in (logged_out, disabled, reset):
        assert get(service, path, cookie, app=app)[0] == 200
    service.logout(logged_out)
    assert get(service, path, logged_out, app=app)[0] == 401
    meena.set_active("thana", False)
    assert get(service, path, disabled, app=app)[0] == 401
    meena.reset_password("meena", "another long password")
    assert get(service, path, reset, app=app)[0] == 401


def test_an_end_made_by_another_process_ends_the_tiles_within_the_check_period(
    service, store_url, tmp_path
):
    """The bound the README states: a user disabled from the command line (another process)
    is served tiles for at most _SESSION_CHECK_S more; the cache is kept meanwhile."""
    data = mbtiles(tmp_path / "a.mbtiles", TILES).read_bytes()
    layer = workspace(service, "ravi").add_base_layer(data, "a.mbtiles", district=DUNGARPUR)
    path = f"/tiles/{layer.layer_id}/10/721/442"
    app = tile_app(service)
    cookie = token(service, "ravi")
    assert get(service, path, cookie, app=app)[0] == 200
    seen = time.monotonic()
    disable = "from containment.cli import app; app()"
    subprocess.run(
        [sys.executable, "-c", disable, "users", "disable", "ravi", "--database", store_url],
        check=True,
        capture_output=True,
        timeout=120,
    )
    status = get(service, path, cookie, app=app)[0]
    if time.monotonic() - seen < tiles._SESSION_CHECK_S:
        assert status == 200  # still trusted: the check is cached
    time.sleep(tiles._SESSION_CHECK_S)
    assert get(service, path, cookie, app=app)[0] == 401


def test_no_request_reaches_a_file_by_its_path(service, tmp_path):
    secret = tmp_path / "data" / "secret.mbtiles"
    secret.parent.mkdir(parents=True, exist_ok=True)
    mbtiles(secret, TILES)
    data = mbtiles(tmp_path / "a.mbtiles", TILES).read_bytes()
    layer = workspace(service, "ravi").add_base_layer(
        data, "../../secret.mbtiles", district=DUNGARPUR
    )
    cookie = token(service, "ravi")
    for path in (
        "/tiles/secret/10/721/442",
        "/tiles/..%2Fsecret/10/721/442",
        "/tiles/../secret/10/721/442",
        "/tiles/%2E%2E/10/721/442",
        f"/tiles/{layer.layer_id}%2F..%2F..%2Fsecret/10/721/442",
        f"/tiles/{layer.layer_id}/10/721/442.png",
        f"/tiles/{layer.layer_id}/-1/0/0",
    ):
        assert get(service, path, cookie)[0] == 404, path
    folder = service.store.layer_folder
    assert sorted(p.name for p in folder.iterdir()) == [f"{layer.layer_id}.mbtiles"]
    assert layer.source == "secret.mbtiles"  # the client's name is text, never a path


def test_vector_tiles_are_served_unpacked(service, tmp_path):
    mvt = {(10, 721, 442): b"\x1a\x05roads"}  # a protobuf message's bytes, as far as we care
    data = pmtiles(tmp_path / "streets.pmtiles", mvt, vector=True).read_bytes()
    layer = workspace(service, "meena").add_base_layer(data, "streets.pmtiles", district=DUNGARPUR)
    assert (layer.format, layer.vector_layers, layer.attribution) == ("pbf", "roads", "test tiles")
    status, headers, body = get(
        service, f"/tiles/{layer.layer_id}/10/721/442", token(service, "meena")
    )
    assert (status, body) == (200, b"\x1a\x05roads")
    assert headers["content-type"] == "application/x-protobuf"


def test_an_mbtiles_whose_tiles_are_a_view_is_copied_into_a_plain_table(service, tmp_path):
    data = mbtiles(tmp_path / "v.mbtiles", TILES, views=True).read_bytes()
    layer = workspace(service, "ravi").add_base_layer(data, "v.mbtiles", district=DUNGARPUR)
    copy = sqlite3.connect(service.store.layer_folder / f"{layer.layer_id}.mbtiles")
    kinds = dict(copy.execute("SELECT name, type FROM sqlite_master WHERE name NOT LIKE 'sqlite%'"))
    copy.close()
    assert kinds == {"metadata": "table", "tiles": "table", "tile_index": "index"}


@pytest.mark.parametrize(
    ("tiles_in_file", "form", "message"),
    [
        ({(10, 721, 442): b"GIF89a"}, "png", r"tile 10/721/442 is not a PNG image"),
        ({(3, 9, 0): RED}, "png", r"zoom 3, column 9, row 0, which no map has"),
        ({(10, 721, 442): RED}, "tiff", r"tile format 'tiff'"),
    ],
)
def test_a_tile_file_that_is_not_what_it_says_is_refused(
    service, tmp_path, tiles_in_file, form, message
):
    data = mbtiles(tmp_path / "bad.mbtiles", tiles_in_file, form=form).read_bytes()
    with pytest.raises(TileFileError, match=message):
        workspace(service, "ravi").add_base_layer(data, "bad.mbtiles", district=DUNGARPUR)
    assert workspace(service, "ravi").base_layers().empty
    assert list(service.store.layer_folder.iterdir()) == []  # nothing half-copied left


def test_a_damaged_pmtiles_file_is_refused_not_followed(service, tmp_path):
    data = bytearray(pmtiles(tmp_path / "p.pmtiles", TILES).read_bytes())
    data[8:16] = (10**9).to_bytes(8, "little")  # the root directory lies far past the end
    with pytest.raises(TileFileError, match=r"p\.pmtiles: "):
        workspace(service, "ravi").add_base_layer(bytes(data), "p.pmtiles", district=DUNGARPUR)


@pytest.mark.parametrize("make", [mbtiles, pmtiles], ids=["mbtiles", "pmtiles"])
def test_tiles_of_another_place_are_refused_with_where_they_lie(service, tmp_path, make):
    """Tiles of Bhilwara (or counted in the wrong rows) draw nothing over Dungarpur: refused,
    whatever the file's metadata claims, saying where its tiles are and where the district
    is; nothing is kept. A world map with the district's tiles in it is near."""
    bhilwara = {(10, 725, 436): RED}
    data = make(tmp_path / "bhilwara.tiles", bhilwara).read_bytes()
    ws = workspace(service, "ravi")
    with pytest.raises(ContainmentError) as refused:
        ws.add_base_layer(data, "bhilwara.tiles", district=DUNGARPUR)
    message = str(refused.value)
    assert "bhilwara.tiles: no part of the layer lies within 10 km of Dungarpur district" in message
    assert "it spans longitude 74.883 to 75.234, latitude 25.483 to 25.8" in message
    assert ws.base_layers().empty
    assert not list((tmp_path / "data").rglob("*.mbtiles*"))
    world = make(tmp_path / "world.tiles", {**bhilwara, (0, 0, 0): BLUE}).read_bytes()
    assert ws.add_base_layer(world, "world.tiles", district=DUNGARPUR).kind == "tiles"


def test_a_geopackage_is_not_taken_for_mbtiles(tmp_path):
    gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(73.7, 23.8)], crs=4326).to_file(
        tmp_path / "x.gpkg"
    )
    assert tile_file_kind((tmp_path / "x.gpkg").read_bytes()[:100]) is None
    assert tile_file_kind(mbtiles(tmp_path / "y.mbtiles", TILES).read_bytes()[:100]) == "mbtiles"


# --- road and ward layers -----------------------------------------------------------------------


def geojson(features: list[tuple[dict, dict]]) -> bytes:
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": p, "geometry": g} for p, g in features],
        }
    ).encode()


WARDS = geojson(
    [
        ({"ward_no": "W-7"}, shapely.geometry.mapping(shapely.box(73.70, 23.83, 73.72, 23.85))),
        ({"ward_no": None}, shapely.geometry.mapping(shapely.box(73.72, 23.83, 73.74, 23.85))),
    ]
)
ROADS = geojson(
    [({"name": "NH 48"}, {"type": "LineString", "coordinates": [[73.7, 23.8], [74, 23.9]]})]
)


def test_a_ward_map_is_kept_in_the_store_with_a_name_for_each_ward(service):
    layer = workspace(service, "ravi").add_base_layer(
        WARDS, "wards.geojson", name="Wards", district=DUNGARPUR
    )
    assert (layer.kind, layer.format, layer.features) == ("areas", "geojson", 2)
    features = workspace(service, "thana").base_layer_features(layer.layer_id)
    assert list(features["label"]) == ["W-7", "2"]  # a ward with no number gets its place
    assert features.geometry.iloc[0].equals(shapely.box(73.70, 23.83, 73.72, 23.85))


def test_a_road_layer_is_kept_as_roads(service):
    layer = workspace(service, "meena").add_base_layer(ROADS, "roads.geojson", district=DUNGARPUR)
    assert (layer.kind, layer.name) == ("roads", "roads")
    assert list(workspace(service, "ravi").base_layer_features(layer.layer_id)["label"]) == [
        "NH 48"
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            geojson(
                [
                    ({}, {"type": "LineString", "coordinates": [[73.7, 23.8], [74, 23.9]]}),
                    ({}, shapely.geometry.mapping(shapely.box(73.7, 23.8, 73.8, 23.9))),
                ]
            ),
            "holds both lines",
        ),
        (geojson([({}, {"type": "Point", "coordinates": [73.7, 23.8]})]), "no lines or polygons"),
        (b"<html>", "is not a GeoJSON"),
    ],
)
def test_a_layer_that_is_neither_roads_nor_areas_is_refused(service, data, message):
    with pytest.raises(ContainmentError, match=message):
        workspace(service, "ravi").add_base_layer(data, "layer.geojson", district=DUNGARPUR)


def test_a_layer_with_more_corners_than_a_map_can_draw_is_refused(service):
    n = 400_001
    zigzag = np.column_stack([np.linspace(73.70, 73.80, n), 23.8 + 0.0001 * (np.arange(n) % 2)])
    with pytest.raises(ContainmentError, match=r"layer\.geojson: has 4,00,001 corners, more than"):
        workspace(service, "ravi").add_base_layer(
            geojson([({}, {"type": "LineString", "coordinates": zigzag.tolist()})]),
            "layer.geojson",
            district=DUNGARPUR,
        )


# --- who may, and the audit ---------------------------------------------------------------------


def test_the_police_see_base_layers_but_may_not_add_or_remove_them(service, tmp_path):
    layer = workspace(service, "ravi").add_base_layer(WARDS, "wards.geojson", district=DUNGARPUR)
    police = workspace(service, "thana")
    assert list(police.base_layers()["layer_id"]) == [layer.layer_id]
    with pytest.raises(AuthError, match="may not add and remove"):
        police.add_base_layer(ROADS, "roads.geojson", district=DUNGARPUR)
    with pytest.raises(AuthError):
        police.remove_base_layer(layer.layer_id)


def test_adding_and_removing_a_layer_is_audited_and_removes_its_file(service, tmp_path):
    data = mbtiles(tmp_path / "a.mbtiles", TILES).read_bytes()
    layer = workspace(service, "ravi").add_base_layer(
        data, "a.mbtiles", name="Survey", district=DUNGARPUR
    )
    file = service.store.layer_folder / f"{layer.layer_id}.mbtiles"
    assert file.is_file()
    workspace(service, "meena").remove_base_layer(layer.layer_id)
    assert not file.exists()
    assert workspace(service, "meena").base_layers().empty
    trail = workspace(service, "meena").audit()
    added = trail[trail["action"] == "base layer added"].iloc[0]
    removed = trail[trail["action"] == "base layer removed"].iloc[0]
    assert (added["username"], removed["username"]) == ("ravi", "meena")
    assert layer.layer_id in added["subject"]
    assert "from a.mbtiles" in added["detail"]


def test_a_layer_added_from_the_command_line_reads_a_file_of_any_size(service, tmp_path):
    path = pmtiles(tmp_path / "big.pmtiles", TILES)
    layer = workspace(service, "ravi").add_base_layer(path, path.name, district=DUNGARPUR)
    assert layer.features == 3
    assert layer.size_bytes > 0
    assert get(service, f"/tiles/{layer.layer_id}/0/0/0", token(service, "ravi"))[0] == 200


def test_the_copy_refuses_a_tile_that_unpacks_to_too_much(service, tmp_path):
    bomb = {(10, 721, 442): b"\x00" * 5_000_000}
    data = pmtiles(tmp_path / "b.pmtiles", bomb, vector=True).read_bytes()
    assert len(data) < 100_000
    with pytest.raises(TileFileError, match=r"damaged|more than 4 MB"):
        workspace(service, "ravi").add_base_layer(data, "b.pmtiles", district=DUNGARPUR)


def test_tile_urls_follow_the_app_base_path():
    assert tiles.tile_url("", "L-1") == "/tiles/L-1/{z}/{x}/{y}"
    assert tiles.tile_url("/district/", "L-1") == "/district/tiles/L-1/{z}/{x}/{y}"


def test_a_refused_layer_or_tile_file_is_explained_in_the_readers_language(service, tmp_path):
    from containment import i18n
    from containment.io.tiles import TileFileError, copy_tiles

    both = geojson(
        [
            ({}, {"type": "LineString", "coordinates": [[73.7, 23.8], [74, 23.9]]}),
            ({}, shapely.geometry.mapping(shapely.box(73.7, 23.8, 73.8, 23.9))),
        ]
    )
    not_tiles = tmp_path / "wards.mbtiles"
    not_tiles.write_bytes(b"these are not tiles")
    with i18n.language("hi"):
        with pytest.raises(ContainmentError, match=r"रेखाएँ \(1\) और बहुभुज \(1\) दोनों"):
            workspace(service, "ravi").add_base_layer(both, "layer.geojson", district=DUNGARPUR)
        with pytest.raises(TileFileError, match="न MBTiles है न PMTiles"):
            copy_tiles(not_tiles, tmp_path / "out.mbtiles", "wards.mbtiles")


def test_tile_files_that_would_take_long_or_fill_the_disk_are_refused(tmp_path, monkeypatch):
    started = time.monotonic()
    with pytest.raises(TileFileError, match=r"loop\.pmtiles: its directories point back"):
        copy_tiles(
            looping_pmtiles(tmp_path / "loop.pmtiles"), tmp_path / "a.mbtiles", "loop.pmtiles"
        )
    with pytest.raises(TileFileError, match=r"rep\.pmtiles: copying its tiles would take more"):
        copy_tiles(
            repeating_pmtiles(tmp_path / "rep.pmtiles"), tmp_path / "b.mbtiles", "rep.pmtiles"
        )
    assert not (tmp_path / "b.mbtiles").exists()  # what was copied is gone with it
    monkeypatch.setattr(tiles_module, "MAX_COPY_SECONDS", 2.0)
    with pytest.raises(TileFileError, match=r"view\.mbtiles: copying its tiles would take more"):
        copy_tiles(
            endless_mbtiles(tmp_path / "view.mbtiles"), tmp_path / "c.mbtiles", "view.mbtiles"
        )
    assert time.monotonic() - started < 120  # each stopped on its budget, not run to its end


# --- a layer elsewhere, or with coordinates no map can draw -------------------------------------


def in_crs(epsg: int, geometry: dict) -> bytes:
    return json.dumps(
        {
            "type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": f"EPSG:{epsg}"}},
            "features": [{"type": "Feature", "properties": {"name": "a"}, "geometry": geometry}],
        }
    ).encode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            in_crs(
                32643,
                {
                    "type": "Polygon",
                    "coordinates": [[[1e300, 0], [1e300, 1e6], [2e300, 1e6], [1e300, 0]]],
                },
            ),
            r"feature 1: its coordinates lie outside where EPSG:32643 is defined",
        ),
        (
            b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
            b'"geometry":{"type":"LineString","coordinates":[[1e400,23.8],[73.8,23.9]]}}]}',
            r"feature 1: a coordinate is not a finite number",
        ),
        (
            geojson([({}, {"type": "LineString", "coordinates": [[23.8, 73.7], [23.9, 73.8]]})]),
            r"no part of the layer lies within 10 km of Dungarpur district: it spans longitude "
            r"23\.800 to 23\.900, latitude 73\.700 to 73\.800 \(the district: longitude 73\.",
        ),
        (  # Jaipur's wards: a real layer, of another district
            geojson([({}, shapely.geometry.mapping(shapely.box(75.78, 26.90, 75.82, 26.94)))]),
            r"no part of the layer lies within 10 km .* longitude and latitude are swapped",
        ),
    ],
    ids=["projected 1e300", "1e400 longitude", "swapped", "another district"],
)
def test_a_layer_no_map_can_draw_here_is_refused_with_where_it_lies(service, data, message):
    with pytest.raises(ContainmentError, match=message):
        workspace(service, "ravi").add_base_layer(data, "layer.geojson", district=DUNGARPUR)
    assert workspace(service, "ravi").base_layers().empty


def test_a_ward_map_in_utm_at_the_district_is_added(service):
    ward = shapely.box(73.70, 23.83, 73.72, 23.85)
    utm = gpd.GeoSeries([ward], crs=4326).to_crs(32643).iloc[0]
    data = in_crs(32643, shapely.geometry.mapping(utm))
    layer = workspace(service, "ravi").add_base_layer(data, "wards.geojson", district=DUNGARPUR)
    stored = workspace(service, "ravi").base_layer_features(layer.layer_id).geometry.iloc[0]
    assert stored.equals_exact(ward, tolerance=1e-6)
