"""Finding a zone among thousands: a city's list runs to 11,000 zones in force, far too many to
pick from a list. Type part of a zone's id, name, places or order number; the zones that match
come best first.

Ranks, best first: the zone id exactly; the order number exactly (every zone of that order);
an id starting with the words typed; a name starting with them; a word of the name starting
with them; the name holding them; the places (villages, town cells) or blocks holding them; the
order number or id holding them. Within a rank, zones in force come first, then the newest.
Letters match whatever their case, and Devanagari whichever way its nukta letters were typed
(ज़ as one letter or as ज and the dot): both sides are compared in one Unicode form. What is
typed is matched as plain text, never as a pattern.

>>> import pandas as pd
>>> zones = pd.DataFrame({
...     "zone_id": ["MZ-SAG-00012", "MZ-DUN-00003", "MZ-ASP-00120"],
...     "name": ["Sagwara micro zone 12", "Dungarpur micro zone 3", "वार्ड 7 सूक्ष्म ज़ोन 120"],
...     "places": ["Sagwara town (2 of 31 cells)", "Dungarpur town (1 of 79 cells)", "Aspur"],
...     "order_number": ["DM/COVID/SAG/0108/3", "DM/COVID/DUN/2007/1", ""],
... })
>>> search_zones(zones, "mz-dun-00003")["zone_id"].tolist()
['MZ-DUN-00003']
>>> search_zones(zones, "sagwara")["zone_id"].tolist()
['MZ-SAG-00012']
>>> search_zones(zones, "ज़ोन 120")["zone_id"].tolist()
['MZ-ASP-00120']
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

__all__ = ["SEARCH_COLUMNS", "normalised", "search_zones"]

#: The columns a search reads (those a frame lacks are skipped).
SEARCH_COLUMNS = ("zone_id", "name", "places", "blocks", "order_number")

# Ranks, best first (see the module).
_EXACT_ID, _EXACT_ORDER, _ID_PREFIX, _NAME_PREFIX, _WORD_PREFIX = 0, 1, 2, 3, 4
_IN_NAME, _IN_PLACES, _IN_ORDER_OR_ID = 5, 6, 7
_NO_MATCH = 99


def normalised(text: object) -> str:
    """Text as a search compares it: one Unicode form (NFC), case folded, spaces collapsed.

    >>> normalised("  Ward   7 ") == normalised("ward 7")
    True
    >>> normalised("\\u095b") == normalised("\\u091c\\u093c")  # ज़ typed two ways
    True
    """
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return ""
    folded = unicodedata.normalize("NFC", str(text)).casefold()
    return " ".join(folded.split())


def _column(zones: pd.DataFrame, name: str) -> pd.Series:
    if name not in zones.columns:
        return pd.Series("", index=zones.index, dtype=object)
    return zones[name].map(normalised)


def search_zones(zones: pd.DataFrame, query: str, *, limit: int | None = 50) -> pd.DataFrame:
    """The zones matching ``query`` (see the module), best first, at most ``limit`` of them
    (all with ``limit=None``), with their ``match_rank`` (0 is best). An empty query matches
    nothing: a page lists its zones its own way until something is typed.

    ``zones`` has any of :data:`SEARCH_COLUMNS`, and may have ``in_force`` and ``created_on``
    (to order zones of one rank).
    """
    wanted = normalised(query)
    if not wanted or zones.empty:
        return zones.iloc[0:0].assign(match_rank=pd.Series(dtype=int))
    zone_id = _column(zones, "zone_id")
    name = _column(zones, "name")
    places = _column(zones, "places") + " | " + _column(zones, "blocks")
    order = _column(zones, "order_number")

    def holds(column: pd.Series) -> np.ndarray:
        return column.str.contains(wanted, regex=False).to_numpy(dtype=bool)

    words = name.map(lambda text: any(w.startswith(wanted) for w in text.split(" ")))
    rank = np.select(
        [
            (zone_id == wanted).to_numpy(),
            (order == wanted).to_numpy(),
            zone_id.str.startswith(wanted).to_numpy(dtype=bool),
            name.str.startswith(wanted).to_numpy(dtype=bool),
            words.to_numpy(dtype=bool),
            holds(name),
            holds(places),
            holds(order) | holds(zone_id),
        ],
        [
            _EXACT_ID,
            _EXACT_ORDER,
            _ID_PREFIX,
            _NAME_PREFIX,
            _WORD_PREFIX,
            _IN_NAME,
            _IN_PLACES,
            _IN_ORDER_OR_ID,
        ],
        default=_NO_MATCH,
    )
    found = zones.assign(match_rank=rank)
    found = found[found["match_rank"] < _NO_MATCH]
    in_force = (
        ~found["in_force"].fillna(False).astype(bool)
        if "in_force" in found
        else pd.Series(False, index=found.index)
    )
    created = (
        pd.to_datetime(found["created_on"], errors="coerce")
        if "created_on" in found
        else pd.Series(pd.NaT, index=found.index)
    )
    keys = pd.DataFrame(
        {
            "rank": found["match_rank"],
            "later": in_force,  # zones in force first
            "created": created,
            "name": _column(found, "name"),
        },
        index=found.index,
    )
    ordered = keys.sort_values(
        ["rank", "later", "created", "name"],
        ascending=[True, True, False, True],
        kind="stable",
        na_position="last",
    ).index
    result = found.loc[ordered]
    return result if limit is None else result.head(limit)
