"""Reading a CSV line list in batches of rows, in bounded memory, cells as typed.

pyarrow parses a well-formed file (every row as wide as the header) on every core without
making a Python object per cell. Anything it would read differently from pandas' own parser —
a short row, a line of spaces, a header over two lines, a carriage return inside a quoted
cell, a quote left open at the end, UTF-16 — is read by pandas in chunks instead, exactly as
the planner's file has always been read: the rows pyarrow already gave are skipped, so the
switch is invisible. Either way every cell is text: ``""`` stays ``""`` and ``NA`` stays ``NA``.

Before any row is parsed the whole file is checked once, a block at a time: that it is text
(UTF-8, or UTF-16 with its byte-order mark) with no NUL byte, and not empty. Those are the
errors a planner can act on, and they name the byte that cannot be read.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from containment.errors import CaseFileError
from containment.i18n import _, number
from containment.io.columns import MAX_COLUMNS

__all__ = ["BLOCK_BYTES", "CsvSource", "csv_batches", "open_csv", "too_many_columns"]

BLOCK_BYTES = 16 * 1024 * 1024
"""Bytes read at a time: a batch of about 170,000 rows of a usual line list."""
_UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")
_UTF8_MARK = codecs.BOM_UTF8


@dataclass(frozen=True)
class CsvSource:
    """A checked CSV file (or an upload's bytes) and its header, ready to be read in batches.

    ``columns`` are named as pandas names them: a blank header ``Unnamed: N``, a repeated one
    ``name.1``. ``quoted`` and ``carriage_returns`` tell whether the file holds any ``"`` and
    any carriage return at all.
    """

    source: Path | bytes
    name: str
    encoding: str
    columns: tuple[str, ...]
    quoted: bool = True
    carriage_returns: bool = True


def open_csv(source: Path | bytes, name: str) -> CsvSource:
    """Check that ``source`` is CSV text and read its header; raise :class:`CaseFileError`
    saying what to do if it is not."""
    first = _first_bytes(source, 4)
    if first.startswith(_UTF16_MARKS):
        _check_utf16(_all_bytes(source), name)
        _check_width(source, "utf-16", name)
        columns = _header(source, "utf-16", name)
        return CsvSource(source, name, "utf-16", columns)
    found = _check_utf8(source, name)
    _check_width(source, "utf-8-sig", name)
    columns = _header(source, "utf-8-sig", name)
    return CsvSource(source, name, "utf-8-sig", columns, found.quoted, found.carriage_returns)


def csv_batches(csv: CsvSource) -> Iterator[pa.Table]:
    """The rows of ``csv`` in order, a table of string columns per batch."""
    yielded = 0
    if _fast_path_possible(csv):
        fast = _arrow_streamed(csv) if csv.quoted else _arrow_by_lines(csv)
        try:
            for table in fast:
                yield table
                yielded += table.num_rows
            return
        except _NotForArrow:
            pass
    yield from _pandas_batches(csv, skip_rows=yielded)


class _NotForArrow(Exception):
    """pyarrow would read this file differently from pandas: let pandas read it."""


def _fast_path_possible(csv: CsvSource) -> bool:
    return (
        csv.encoding == "utf-8-sig"
        and len(csv.columns) > 0
        and not any("\n" in c or "\r" in c for c in csv.columns)
    )


def _arrow_options(names: list[str], *, skip_header: bool) -> dict[str, Any]:
    return {
        "read_options": pa_csv.ReadOptions(
            column_names=names, skip_rows=1 if skip_header else 0, block_size=_ARROW_BLOCK_BYTES
        ),
        "parse_options": pa_csv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
        "convert_options": pa_csv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            null_values=[],
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    }


_ARROW_BLOCK_BYTES = 4 * 1024 * 1024


def _arrow_by_lines(csv: CsvSource) -> Iterator[pa.Table]:
    """A file without a single quote: every line break ends a row, so the file is cut at line
    breaks into pieces that pyarrow parses on every core."""
    names = list(csv.columns)
    try:
        for number, piece in enumerate(_line_pieces(csv.source)):
            options = _arrow_options(names, skip_header=number == 0)
            table = pa_csv.read_csv(pa.BufferReader(piece), **options)
            if table.num_rows:
                yield table
    except pa.ArrowInvalid as exc:
        raise _NotForArrow from exc


def _line_pieces(source: Path | bytes) -> Iterator[bytes]:
    """``source`` in pieces of about :data:`BLOCK_BYTES`, each ending at a line break (the
    last at the end of the file)."""
    carry = b""
    for block in _blocks(source):
        data = carry + block
        cut = data.rfind(b"\n") + 1
        if cut:
            yield data[:cut]
        carry = data[cut:]
    if carry:
        yield carry


def _arrow_streamed(csv: CsvSource) -> Iterator[pa.Table]:
    """pyarrow's streaming reader, for a file with quotes (a quoted cell may hold a line
    break). Each batch is held back until the next is read, so that the last one can be
    checked for a quote left open (pandas refuses that; pyarrow reads to the end)."""
    names = list(csv.columns)
    stream = (
        pa.BufferReader(csv.source) if isinstance(csv.source, bytes) else pa.OSFile(str(csv.source))
    )
    try:
        reader = pa_csv.open_csv(stream, **_arrow_options(names, skip_header=True))
        held: pa.Table | None = None
        for batch in reader:
            table = pa.Table.from_batches([batch])
            if csv.carriage_returns and _has_carriage_return(table):
                raise _NotForArrow
            if held is not None:
                yield held
            held = table
        if held is not None and held.num_rows:
            if _may_end_in_open_quote(csv.source, held):
                raise _NotForArrow
            yield held
    except pa.ArrowInvalid as exc:
        raise _NotForArrow from exc
    finally:
        stream.close()


def _has_carriage_return(table: pa.Table) -> bool:
    """A carriage return inside a quoted cell: pyarrow may mangle one at a block boundary."""
    return any(bool(pc.any(pc.match_substring(column, "\r")).as_py()) for column in table.columns)


def _may_end_in_open_quote(source: Path | bytes, last: pa.Table) -> bool:
    """Whether the file may end inside a quoted cell: it ends with a quote and the last cell's
    text (quotes doubled), as pyarrow reads a cell whose quote is never closed."""
    cell = last.column(last.num_columns - 1)[last.num_rows - 1].as_py()
    tail = b'"' + str(cell).replace('"', '""').encode()
    return _last_bytes(source, len(tail)) == tail


def _check_width(source: Path | bytes, encoding: str, name: str) -> None:
    """Refuse a header of more than :data:`MAX_COLUMNS` columns before pandas reads it (pandas
    took 50 s and 1.8 GB for a header of 300,000 columns). Python's CSV reader counts the
    first record's cells as pandas splits them (commas, double quotes), in a linear pass."""
    text: IO[str]
    if encoding == "utf-16":
        text = io.StringIO(_all_bytes(source).decode(encoding), newline="")
    elif isinstance(source, bytes):
        text = io.TextIOWrapper(io.BytesIO(source), encoding=encoding, newline="")
    else:
        text = source.open(encoding=encoding, newline="")
    with text:
        try:
            width = len(next(csv.reader(text), []))
        except csv.Error as exc:  # a header cell over 128 KB: no line list has one
            msg = _(
                "{file}: the header row cannot be read ({reason}). The first row must name the "
                "columns: Case ID, Date of Result, Latitude, Longitude...",
                file=name,
                reason=exc,
            )
            raise CaseFileError(msg) from exc
    if width > MAX_COLUMNS:
        raise too_many_columns(name, width)


def too_many_columns(name: str, width: int) -> CaseFileError:
    """The error for a line list wider than :data:`MAX_COLUMNS`."""
    msg = _(
        "{file}: has {n} columns, more than the {most} a line list may have. Keep the columns "
        "the line list needs (case ID, date of result, village or latitude and longitude, "
        "block, status), delete the others, and upload it again.",
        file=name,
        n=number(width),
        most=number(MAX_COLUMNS),
    )
    return CaseFileError(msg)


def _header(source: Path | bytes, encoding: str, name: str) -> tuple[str, ...]:
    return tuple(str(c) for c in _pandas_reader(source, encoding, name, nrows=0).columns)


def _pandas_reader(
    source: Path | bytes, encoding: str, name: str, *, nrows: int | None = None
) -> pd.DataFrame:
    source_input, encoding_option = _pandas_input(source, encoding)
    try:
        return pd.read_csv(
            source_input,
            encoding=encoding_option,
            nrows=nrows,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            on_bad_lines="error",
        )
    except pd.errors.ParserError as exc:
        raise _not_well_formed(name, exc) from exc
    except pd.errors.EmptyDataError as exc:
        msg = _("{file}: the file is empty.", file=name)
        raise CaseFileError(msg) from exc


def _pandas_batches(csv: CsvSource, *, skip_rows: int) -> Iterator[pa.Table]:
    """pandas' reading in chunks (the reference), leaving out the first ``skip_rows`` rows."""
    source_input, encoding_option = _pandas_input(csv.source, csv.encoding)
    try:
        with pd.read_csv(
            source_input,
            encoding=encoding_option,
            chunksize=max(1, BLOCK_BYTES // 100),
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            on_bad_lines="error",
        ) as chunks:
            seen = 0
            for chunk in chunks:
                start = max(0, skip_rows - seen)
                seen += len(chunk)
                if start < len(chunk):
                    yield _as_text_table(chunk.iloc[start:], csv.columns)
    except pd.errors.ParserError as exc:
        raise _not_well_formed(csv.name, exc) from exc


def _pandas_input(source: Path | bytes, encoding: str) -> tuple[Path | io.IOBase, str | None]:
    """What pandas reads from (it opens and closes a path itself), and in which encoding."""
    if encoding == "utf-16":
        return io.StringIO(_all_bytes(source).decode(encoding)), None
    if isinstance(source, bytes):
        return io.BytesIO(source), encoding
    return source, encoding


def _as_text_table(chunk: pd.DataFrame, columns: tuple[str, ...]) -> pa.Table:
    arrays = [
        pa.array(chunk.iloc[:, i].to_numpy(dtype=object), pa.string()) for i in range(len(columns))
    ]
    return pa.Table.from_arrays(arrays, names=list(columns))


def _not_well_formed(name: str, exc: Exception) -> CaseFileError:
    msg = _(
        "{file}: not a well-formed CSV table ({reason}). Check the quotes and commas.",
        file=name,
        reason=exc,
    )
    return CaseFileError(msg)


# --- the checks before any row is read ------------------------------------------------------


def _blocks(source: Path | bytes) -> Iterator[bytes]:
    if isinstance(source, bytes):
        view = memoryview(source)
        for start in range(0, len(view), BLOCK_BYTES):
            yield bytes(view[start : start + BLOCK_BYTES])
        return
    with source.open("rb") as f:
        while block := f.read(BLOCK_BYTES):
            yield block


@dataclass(frozen=True)
class _Found:
    quoted: bool
    carriage_returns: bool


def _check_utf8(source: Path | bytes, name: str) -> _Found:
    """Text, UTF-8 (with or without its byte-order mark), no NUL byte, not only whitespace.

    The byte named in a decoding error counts from after the byte-order mark, as Python's
    ``utf-8-sig`` codec counts it.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    blank = True
    binary = False
    quoted = False
    carriage_returns = False
    first = True
    for block in _blocks(source):
        if first and block.startswith(_UTF8_MARK):
            blank = False  # a mark alone is not whitespace; pandas then finds no columns
            block = block[len(_UTF8_MARK) :]
        first = False
        blank = blank and (not block or block.isspace())
        binary = binary or b"\x00" in block
        quoted = quoted or b'"' in block
        carriage_returns = carriage_returns or b"\r" in block
        pending = decoder.getstate()[0]
        if pending or not block.isascii():
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                raise _not_utf8(name, offset - len(pending) + exc.start) from exc
        offset += len(block)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise _not_utf8(name, offset - len(decoder.getstate()[0]) + exc.start) from exc
    _refuse_blank_or_binary(name, blank=blank, binary=binary)
    return _Found(quoted, carriage_returns)


def _check_utf16(data: bytes, name: str) -> None:
    try:
        text = data.decode("utf-16")
    except UnicodeDecodeError as exc:
        raise _not_utf8(name, exc.start) from exc
    _refuse_blank_or_binary(name, blank=not data.strip(), binary="\x00" in text)


def _refuse_blank_or_binary(name: str, *, blank: bool, binary: bool) -> None:
    if blank:
        msg = _("{file}: the file is empty.", file=name)
        raise CaseFileError(msg)
    if binary:
        msg = _("{file}: this is not a CSV text file (it holds binary data).", file=name)
        raise CaseFileError(msg)


def _not_utf8(name: str, byte: int) -> CaseFileError:
    msg = _(
        "{file}: not UTF-8 text (byte {byte} cannot be read). If it is a spreadsheet, upload "
        "the .xlsx; if it was saved from Excel, use 'CSV UTF-8 (Comma delimited)'.",
        file=name,
        byte=byte,
    )
    return CaseFileError(msg)


def _first_bytes(source: Path | bytes, count: int) -> bytes:
    if isinstance(source, bytes):
        return source[:count]
    with source.open("rb") as f:
        return f.read(count)


def _last_bytes(source: Path | bytes, count: int) -> bytes:
    if isinstance(source, bytes):
        return source[-count:] if count <= len(source) else b""
    size = source.stat().st_size
    if count > size:
        return b""
    with source.open("rb") as f:
        f.seek(size - count)
        return f.read(count)


def _all_bytes(source: Path | bytes) -> bytes:
    return source if isinstance(source, bytes) else source.read_bytes()
