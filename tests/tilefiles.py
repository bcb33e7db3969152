"""Tile files made in code for the tests: MBTiles and PMTiles holding small PNG or vector tiles.

Tiles are given as ``{(z, x, y): bytes}`` with XYZ rows (as web maps count them); MBTiles keeps
TMS rows (counted from the south), so a test that reads a tile back checks the flip too.
"""

from __future__ import annotations

import gzip
import sqlite3
import struct
import zlib
from collections.abc import Mapping
from pathlib import Path

from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer

Tiles = Mapping[tuple[int, int, int], bytes]


def png(rgb: tuple[int, int, int], size: int = 256) -> bytes:
    """A real PNG image of one colour (browsers draw it)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * size
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * size))
        + chunk(b"IEND", b"")
    )


def mbtiles(path: Path, tiles: Tiles, *, form: str = "png", views: bool = False) -> Path:
    """An MBTiles file; with ``views``, ``tiles`` is a view over two tables (as many tools
    write them)."""
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    con.executemany(
        "INSERT INTO metadata VALUES (?, ?)",
        [("name", "test"), ("format", form), ("bounds", "73.3,23.3,74.4,24.0")],
    )
    rows = [(z, x, (2**z - 1) - y, data) for (z, x, y), data in tiles.items()]
    if views:
        con.execute("CREATE TABLE map (z INTEGER, x INTEGER, y INTEGER, id TEXT)")
        con.execute("CREATE TABLE images (id TEXT, data BLOB)")
        for n, (z, x, y, data) in enumerate(rows):
            con.execute("INSERT INTO map VALUES (?, ?, ?, ?)", (z, x, y, str(n)))
            con.execute("INSERT INTO images VALUES (?, ?)", (str(n), data))
        con.execute(
            "CREATE VIEW tiles AS SELECT z AS zoom_level, x AS tile_column, y AS tile_row, "
            "data AS tile_data FROM map JOIN images USING (id)"
        )
    else:
        con.execute(
            "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, "
            "tile_data BLOB)"
        )
        con.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)", rows)
    con.commit()
    con.close()
    return path


def pmtiles(path: Path, tiles: Tiles, *, vector: bool = False) -> Path:
    """A PMTiles v3 file of PNG tiles, or of gzip-compressed vector tiles (``vector``)."""
    with path.open("wb") as out:
        writer = Writer(out)
        for (z, x, y), data in sorted(tiles.items(), key=lambda t: zxy_to_tileid(*t[0])):
            writer.write_tile(zxy_to_tileid(z, x, y), gzip.compress(data) if vector else data)
        zooms = [z for z, _x, _y in tiles]
        writer.finalize(
            {
                "tile_type": TileType.MVT if vector else TileType.PNG,
                "tile_compression": Compression.GZIP if vector else Compression.NONE,
                "min_zoom": min(zooms),
                "max_zoom": max(zooms),
                "min_lon_e7": int(73.3e7),
                "min_lat_e7": int(23.3e7),
                "max_lon_e7": int(74.4e7),
                "max_lat_e7": int(24.0e7),
                "center_zoom": min(zooms),
                "center_lon_e7": int(73.8e7),
                "center_lat_e7": int(23.7e7),
            },
            {"attribution": "test tiles", "vector_layers": [{"id": "roads"}]},
        )
    return path
