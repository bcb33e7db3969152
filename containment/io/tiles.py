"""Tile files a district adds as its own offline base map: MBTiles or PMTiles, raster (PNG, JPEG,
WebP) or vector (Mapbox Vector Tiles), copied tile by tile into an MBTiles file of the app's own
making, from which the app serves ``/tiles/<layer>/{z}/{x}/{y}``.

A tile file is data from someone else's computer, so it is never served as it came:

* **MBTiles** is an SQLite database. It is opened read-only, with SQLite's trust in the file's
  schema switched off (a view or trigger in it cannot call anything with side effects), and
  only its ``metadata`` and ``tiles`` are read.
* **PMTiles** is read with the ``pmtiles`` package's header and directory parsers, walking the
  directories ourselves with a depth limit (a directory pointing at itself cannot loop).
* Every tile's place is checked (zoom 0–22, column and row inside the zoom) and its bytes must
  be the kind the file says (a PNG starts as a PNG); gzip-compressed vector tiles are unpacked,
  so the app serves every tile as plain bytes of one type.

The copy is an MBTiles file the app writes itself (``metadata``, ``tiles`` and an index, nothing
else); serving reads it read-only by the layer's id, never by a name a client sent.
"""

from __future__ import annotations

import contextlib
import json
import math
import sqlite3
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pmtiles.tile import (
    Compression,
    MagicNumberNotFound,
    SpecVersionUnsupported,
    TileType,
    deserialize_header,
    tileid_to_zxy,
)

from containment.errors import ContainmentError
from containment.i18n import _, number

__all__ = [
    "CONTENT_TYPES",
    "MAX_TILES",
    "TileFileError",
    "TileSet",
    "copy_tiles",
    "read_tile",
    "tile_file_kind",
]

#: What a served tile is, by the tile set's format.
CONTENT_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "webp": "image/webp",
    "pbf": "application/x-protobuf",
}
#: Tiles a file may hold (a district at zoom 16 in raster is about 100,000), and a tile's size.
MAX_TILES = 2_000_000
MAX_TILE_BYTES = 4_000_000
MAX_ZOOM = 22
_MAX_DIRECTORY_BYTES = 64_000_000
_PMTILES_DEPTH = 4  # root and at most three levels of leaves, as the PMTiles reader allows
# A small file must not make a long copy: a tile file copied into the app's own is at most this
# many bytes, and 40 times its own size (however its tiles repeat one another), read in at most
# this many seconds.
MAX_COPY_BYTES = 2_000_000_000
MAX_COPY_SECONDS = 180.0
_PMTILES_TYPES = {TileType.PNG: "png", TileType.JPEG: "jpg", TileType.WEBP: "webp"}
_PMTILES_TYPES[TileType.MVT] = "pbf"
_FORMAT_NAMES = {"jpeg": "jpg", "mvt": "pbf", "png": "png", "jpg": "jpg", "webp": "webp"}
_FORMAT_NAMES["pbf"] = "pbf"


_Tile = tuple[int, int, int, bytes]  # zoom, column, row (XYZ), bytes


class TileFileError(ContainmentError, ValueError):
    """A tile file that cannot be used; the message names the file and what to do."""


@dataclass(frozen=True)
class TileSet:
    """What a copied tile file holds: its tiles' format (``png``, ``jpg``, ``webp`` or ``pbf``),
    zooms, extent (west, south, east, north; None when the file does not say), how many tiles,
    the vector tiles' layer names and the file's attribution (its own words, shown as text)."""

    format: str
    min_zoom: int
    max_zoom: int
    bounds: tuple[float, float, float, float] | None
    tiles: int
    vector_layers: tuple[str, ...] = ()
    attribution: str = ""
    covered: tuple[float, float, float, float] = (-180.0, -85.0511, 180.0, 85.0511)
    """The land the tiles themselves cover (west, south, east, north), whatever the
    metadata says."""


def _tile_lonlat(z: int, x: float, y: float) -> tuple[float, float]:
    """Longitude and latitude of a tile corner (``x``, ``y`` in tiles from the north-west).

    >>> _tile_lonlat(1, 1, 1)
    (0.0, 0.0)
    """
    n = 2.0**z
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
    return x / n * 360.0 - 180.0, lat


def tile_file_kind(head: bytes) -> str | None:
    """``"mbtiles"``, ``"pmtiles"`` or None, from a file's first 100 bytes (a GeoPackage, also
    an SQLite file, is not MBTiles).

    >>> tile_file_kind(b"PMTiles\\x03"), tile_file_kind(b"{}")
    ('pmtiles', None)
    """
    if head.startswith(b"PMTiles"):
        return "pmtiles"
    if head.startswith(b"SQLite format 3\x00") and head[68:72] != b"GPKG":
        return "mbtiles"
    return None


def _kind_of(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def _checked(z: int, x: int, y: int, data: bytes, form: str, name: str) -> bytes:
    """The tile as served (vector tiles unpacked), after checking its place and its bytes."""
    if not (0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z):
        msg = _(
            "{name}: a tile is at zoom {z}, column {x}, row {y}, which no map has.",
            name=name, z=z, x=x, y=y,
        )  # fmt: skip
        raise TileFileError(msg)
    if len(data) > MAX_TILE_BYTES:
        msg = _(
            "{name}: tile {tile} is {mb} MB; a tile is at most {most} MB.",
            name=name, tile="/".join(map(str, (z, x, y))), mb=number(len(data) / 1e6, 1),
            most=number(MAX_TILE_BYTES / 1e6),
        )  # fmt: skip
        raise TileFileError(msg)
    if form == "pbf":
        if data[:2] == b"\x1f\x8b":
            try:
                data = _gunzip_at_most(data)
            except (OSError, EOFError, zlib.error) as exc:
                msg = _(
                    "{name}: vector tile {tile} is damaged ({reason}).",
                    name=name, tile="/".join(map(str, (z, x, y))), reason=exc,
                )  # fmt: skip
                raise TileFileError(msg) from exc
        return data
    found = _kind_of(data)
    if found != form:
        msg = _(
            "{name}: tile {tile} is not a {form} image as the file says ({found}). Export the "
            "tiles again.",
            name=name, tile="/".join(map(str, (z, x, y))), form=form.upper(),
            found=found.upper() if found else _("unknown bytes"),
        )  # fmt: skip
        raise TileFileError(msg)
    return data


def _gunzip_at_most(data: bytes, limit: int = MAX_TILE_BYTES) -> bytes:
    """Unpack a gzip member, refusing one that unpacks to more than ``limit`` bytes."""
    unpack = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = unpack.decompress(data, limit + 1)
    if len(out) > limit or unpack.unconsumed_tail:
        msg = _("it unpacks to more than {mb} MB", mb=number(limit / 1e6))
        raise OSError(msg)
    return out


@dataclass
class _Entry:
    tile_id: int
    offset: int
    length: int
    run_length: int


def _directory(data: bytes) -> list[_Entry]:
    """A PMTiles directory's entries, from its unpacked bytes (the spec's varint columns: tile
    id deltas, run lengths, lengths, offsets with 0 meaning "right after the previous")."""
    pos = 0

    def varint() -> int:
        nonlocal pos
        value, shift = 0, 0
        while True:
            if pos >= len(data) or shift > 63:
                msg = _("a directory ends in the middle of a number")
                raise ValueError(msg)
            byte = data[pos]
            pos += 1
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value
            shift += 7

    count = varint()
    if count > MAX_TILES:
        msg = _("a directory lists {n} entries", n=number(count))
        raise ValueError(msg)
    entries, last = [], 0
    for _entry in range(count):
        last += varint()
        entries.append(_Entry(last, 0, 0, 0))
    for entry in entries:
        entry.run_length = varint()
    for entry in entries:
        entry.length = varint()
    for i, entry in enumerate(entries):
        raw = varint()
        entry.offset = entries[i - 1].offset + entries[i - 1].length if i and raw == 0 else raw - 1
    return entries


def _open_read_only(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    con.execute("PRAGMA trusted_schema = OFF")
    con.execute("PRAGMA query_only = ON")
    return con


def _mbtiles_tiles(
    path: Path, name: str, deadline: float
) -> tuple[dict[str, str], Iterator[_Tile]]:
    try:
        con = _open_read_only(path)
        # A view in the file (as some MBTiles are made) may compute without end: stop it.
        con.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
        tables = {
            row[0]
            for row in con.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")
        }
    except sqlite3.DatabaseError as exc:
        msg = _("{name}: cannot be read as MBTiles ({reason}).", name=name, reason=exc)
        raise TileFileError(msg) from exc
    if not {"metadata", "tiles"} <= tables:
        msg = _(
            "{name}: is an SQLite database without MBTiles' metadata and tiles tables.", name=name
        )
        raise TileFileError(msg)
    try:
        metadata = {
            str(k): str(v)
            for k, v in con.execute("SELECT name, value FROM metadata")
            if k is not None
        }
    except sqlite3.DatabaseError as exc:
        con.close()
        if "interrupt" in str(exc):
            raise _too_much(name) from exc
        msg = _("{name}: cannot be read as MBTiles ({reason}).", name=name, reason=exc)
        raise TileFileError(msg) from exc

    def rows() -> Iterator[_Tile]:
        try:
            cursor = con.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles")
            for z, x, tms_y, data in cursor:
                z, x = int(z), int(x)
                yield z, x, (2**z - 1) - int(tms_y), bytes(data)
        except (sqlite3.DatabaseError, TypeError, ValueError, OverflowError) as exc:
            if "interrupt" in str(exc):  # the progress handler: out of time
                raise _too_much(name) from exc
            msg = _("{name}: its tiles cannot be read ({reason}).", name=name, reason=exc)
            raise TileFileError(msg) from exc
        finally:
            con.close()

    return metadata, rows()


def _pmtiles_tiles(
    path: Path, name: str, deadline: float
) -> tuple[dict[str, object], Iterator[_Tile]]:
    handle = path.open("rb")
    size = path.stat().st_size

    def get(offset: int, length: int) -> bytes:
        if offset < 0 or length < 0 or offset + length > size:
            msg = _("{name}: points outside the file (damaged or cut short).", name=name)
            raise TileFileError(msg)
        handle.seek(offset)
        return handle.read(length)

    try:
        header = deserialize_header(get(0, 127))
    except (MagicNumberNotFound, SpecVersionUnsupported, UnicodeDecodeError, ValueError) as exc:
        handle.close()
        msg = _(
            "{name}: is not a PMTiles version 3 file ({reason}).",
            name=name,
            reason=type(exc).__name__,
        )
        raise TileFileError(msg) from exc
    except TileFileError:
        handle.close()
        raise
    compressed = header["internal_compression"] == Compression.GZIP
    tiles_gzipped = header["tile_compression"] == Compression.GZIP

    def directory(offset: int, length: int) -> list[_Entry]:
        raw = get(offset, length)
        return _directory(_gunzip_at_most(raw, _MAX_DIRECTORY_BYTES) if compressed else raw)

    leaves_seen: set[tuple[int, int]] = set()
    entries_read = [0]

    def walk(offset: int, length: int, depth: int) -> Iterator[_Tile]:
        if depth >= _PMTILES_DEPTH:
            msg = _("{name}: its directories go deeper than PMTiles allows (damaged).", name=name)
            raise TileFileError(msg)
        if (offset, length) in leaves_seen:  # a directory reached twice: a loop, not tiles
            msg = _("{name}: its directories point back at one another (damaged).", name=name)
            raise TileFileError(msg)
        leaves_seen.add((offset, length))
        for entry in directory(offset, length):
            entries_read[0] += 1
            if entries_read[0] > MAX_TILES or time.monotonic() > deadline:
                raise _TooMuch
            if entry.run_length == 0:
                yield from walk(
                    header["leaf_directory_offset"] + entry.offset, entry.length, depth + 1
                )
                continue
            data = get(header["tile_data_offset"] + entry.offset, entry.length)
            if tiles_gzipped and header["tile_type"] != TileType.MVT:
                data = _gunzip_at_most(data)
            for i in range(entry.run_length):
                z, x, y = tileid_to_zxy(entry.tile_id + i)
                yield z, x, y, data

    def rows() -> Iterator[_Tile]:
        try:
            yield from walk(header["root_offset"], header["root_length"], 0)
        except (OSError, EOFError, zlib.error, IndexError, ValueError) as exc:
            if isinstance(exc, TileFileError):
                raise
            msg = _(
                "{name}: its directories cannot be read ({reason}).",
                name=name,
                reason=": ".join((type(exc).__name__, str(exc))),
            )
            raise TileFileError(msg) from exc
        finally:
            handle.close()

    form = _PMTILES_TYPES.get(header["tile_type"])
    if form is None:
        handle.close()
        msg = _(
            "{name}: holds tiles of an unknown type; PNG, JPEG, WebP or vector tiles only.",
            name=name,
        )
        raise TileFileError(msg)
    info: dict[str, object] = {"format": form}
    info["bounds"] = ",".join(
        str(header[k] / 1e7) for k in ("min_lon_e7", "min_lat_e7", "max_lon_e7", "max_lat_e7")
    )
    # The metadata is optional and only informs (attribution, layer names).
    with contextlib.suppress(TileFileError, OSError, EOFError, zlib.error, ValueError):
        raw = get(header["metadata_offset"], header["metadata_length"])
        meta = json.loads(_gunzip_at_most(raw) if compressed else raw)
        if isinstance(meta, dict):
            info.update({k: v for k, v in meta.items() if k in ("attribution", "vector_layers")})
    return info, rows()


def _bounds(text: object) -> tuple[float, float, float, float] | None:
    try:
        west, south, east, north = (float(v) for v in str(text).split(","))
    except ValueError:
        return None
    if -180 <= west < east <= 180 and -90 <= south < north <= 90:
        return west, south, east, north
    return None


def _layer_names(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        try:
            value = json.loads(value).get("vector_layers", [])
        except (ValueError, AttributeError):
            return ()
    if not isinstance(value, list):
        return ()
    return tuple(str(v["id"]) for v in value if isinstance(v, dict) and "id" in v)[:100]


class _TooMuch(Exception):
    """Reading a tile file went over its budget of entries or time."""


def _too_much(name: str) -> TileFileError:
    return TileFileError(
        _(
            "{name}: copying its tiles would take more than 40 times its size (at most {gb} "
            "GB) or {seconds} seconds: its tiles repeat, or it is damaged. Cut it to the "
            "district, or export it again.",
            name=name,
            gb=number(MAX_COPY_BYTES / 1e9),
            seconds=number(MAX_COPY_SECONDS),
        )
    )


def _within_budget(rows: Iterator[_Tile], name: str) -> Iterator[_Tile]:
    """``rows``, told as a file over its budget when reading them ran out of it."""
    try:
        yield from rows
    except _TooMuch as exc:
        raise _too_much(name) from exc


def copy_tiles(source: Path, target: Path, name: str) -> TileSet:
    """Copy the tiles of an MBTiles or PMTiles file at ``source`` into a new MBTiles file at
    ``target`` (which must not exist), checking each one; what it holds.

    ``name`` (the file's name as the user knows it) is used in messages only.

    Raises
    ------
    TileFileError
        The file is neither format, is damaged, or holds tiles that are not what it says.
    """
    with source.open("rb") as head:
        kind = tile_file_kind(head.read(100))
    if kind is None:
        msg = _(
            "{name}: is neither MBTiles nor PMTiles. Export the tiles as one of them.", name=name
        )
        raise TileFileError(msg)
    deadline = time.monotonic() + MAX_COPY_SECONDS
    read = _mbtiles_tiles if kind == "mbtiles" else _pmtiles_tiles
    info, rows = read(source, name, deadline)
    form = _FORMAT_NAMES.get(str(info.get("format", "")).lower())
    if form is None:
        msg = _(
            "{name}: its metadata names the tile format {form}; the app serves png, jpg, webp "
            "and pbf (vector) tiles.",
            name=name,
            form=repr(info.get("format")),
        )
        raise TileFileError(msg)
    zooms: set[int] = set()
    count = 0
    west, south, east, north = 1.0, 0.0, 0.0, 1.0  # as fractions of the world, from the NW
    out = sqlite3.connect(target)
    try:
        out.executescript(
            "CREATE TABLE metadata (name TEXT PRIMARY KEY, value TEXT);"
            "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER,"
            " tile_data BLOB);"
            "CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);"
        )
        batch = []
        written, budget = 0, min(MAX_COPY_BYTES, max(256_000_000, 40 * source.stat().st_size))
        for z, x, y, data in _within_budget(rows, name):
            data = _checked(z, x, y, data, form, name)
            count += 1
            written += len(data)
            if written > budget or time.monotonic() > deadline:
                raise _too_much(name)
            if count > MAX_TILES:
                msg = _(
                    "{name}: holds more than {n} tiles. Cut it to the district.",
                    name=name,
                    n=number(MAX_TILES),
                )
                raise TileFileError(msg)
            zooms.add(z)
            n = 2**z
            west, east = min(west, x / n), max(east, (x + 1) / n)
            north, south = min(north, y / n), max(south, (y + 1) / n)
            batch.append((z, x, (2**z - 1) - y, data))
            if len(batch) >= 1000:
                out.executemany("INSERT OR REPLACE INTO tiles VALUES (?, ?, ?, ?)", batch)
                batch = []
        out.executemany("INSERT OR REPLACE INTO tiles VALUES (?, ?, ?, ?)", batch)
        if not count:
            msg = _("{name}: holds no tiles.", name=name)
            raise TileFileError(msg)
        tiles = TileSet(
            format=form,
            min_zoom=min(zooms),
            max_zoom=max(zooms),
            bounds=_bounds(info.get("bounds")),
            tiles=count,
            vector_layers=_layer_names(info.get("vector_layers", info.get("json", ""))),
            attribution=str(info.get("attribution", ""))[:300],
            covered=(*_tile_lonlat(0, west, south), *_tile_lonlat(0, east, north)),
        )
        out.executemany(
            "INSERT INTO metadata VALUES (?, ?)",
            [
                ("format", form),
                ("minzoom", str(tiles.min_zoom)),
                ("maxzoom", str(tiles.max_zoom)),
                ("bounds", ",".join(map(str, tiles.bounds)) if tiles.bounds else ""),
            ],
        )
        out.commit()
    except BaseException:
        out.close()
        target.unlink(missing_ok=True)
        raise
    out.close()
    return tiles


def read_tile(path: Path, z: int, x: int, y: int) -> bytes | None:
    """Tile ``z/x/y`` (XYZ, as web maps count rows) of an MBTiles file the app made, or None."""
    if not (0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z):
        return None
    con = _open_read_only(path)
    try:
        row = con.execute(
            "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
            (z, x, (2**z - 1) - y),
        ).fetchone()
    finally:
        con.close()
    return bytes(row[0]) if row else None
