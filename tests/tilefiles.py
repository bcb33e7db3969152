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


# --- hostile files: small, and costly to copy -----------------------------------------------------


def _varint(n: int) -> bytes:
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _directory(entries: list[tuple[int, int, int, int]]) -> bytes:
    """A gzipped PMTiles directory of (tile_id, offset, length, run_length) entries."""
    out, last = _varint(len(entries)), 0
    for tile_id, *_ in entries:
        out, last = out + _varint(tile_id - last), tile_id
    for *_, run in entries:
        out += _varint(run)
    for _, _, length, _ in entries:
        out += _varint(length)
    for _, offset, _, _ in entries:
        out += _varint(offset + 1)
    return gzip.compress(out, 9)


def _raw_pmtiles(path: Path, root: bytes, leaves: bytes, tile: bytes) -> Path:
    from pmtiles.tile import serialize_header

    leaf_at = 127 + len(root)
    data_at = leaf_at + len(leaves)
    header = {
        "root_offset": 127, "root_length": len(root), "metadata_offset": data_at,
        "metadata_length": 0, "leaf_directory_offset": leaf_at,
        "leaf_directory_length": len(leaves), "tile_data_offset": data_at,
        "tile_data_length": len(tile), "clustered": False,
        "internal_compression": Compression.GZIP, "tile_compression": Compression.GZIP,
        "tile_type": TileType.MVT, "min_zoom": 0, "max_zoom": 14,
    }  # fmt: skip
    path.write_bytes(serialize_header(header) + root + leaves + tile)
    return path


def looping_pmtiles(path: Path, fan: int = 200) -> Path:
    """Directories that point at the same leaves again and again: fan**3 reads, no tile."""
    empty = _directory([])
    b = _directory([(i, 0, len(empty), 0) for i in range(fan)])
    a = _directory([(i, len(empty), len(b), 0) for i in range(fan)])
    root = _directory([(i, len(empty) + len(b), len(a), 0) for i in range(fan)])
    return _raw_pmtiles(path, root, empty + b + a, b"")


def repeating_pmtiles(path: Path, run: int = 2_000_000) -> Path:
    """One 4 MB vector tile (a few KB packed), repeated ``run`` times."""
    tile = gzip.compress(b"\x00" * 3_999_000, 9)
    return _raw_pmtiles(path, _directory([(0, 0, len(tile), run)]), b"", tile)


def endless_mbtiles(path: Path) -> Path:
    """An MBTiles whose tiles are a view that computes without end."""
    con = sqlite3.connect(path)
    con.executescript(
        "CREATE TABLE metadata (name TEXT, value TEXT);"
        "INSERT INTO metadata VALUES ('format', 'png');"
        "CREATE VIEW tiles AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
        "SELECT 0 AS zoom_level, 0 AS tile_column, 0 AS tile_row, x'00' AS tile_data "
        "FROM n WHERE i < 0;"
    )
    con.commit()
    con.close()
    return path
