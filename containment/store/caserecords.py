"""Cases as the store keeps them: imports that never lose a better location, never mix the
synthetic sample with real cases, and can be undone.

Each import is a batch (a row of ``imports``); each case remembers the import that last wrote
it, and ``case_versions`` keeps what an import replaced, so an import can be taken back. A row
placed only by its village never replaces coordinates already known for that case. The
synthetic sample is for training: a store holds either it or real cases, never both.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from containment.engine.crs import STORAGE_CRS
from containment.errors import ContainmentError
from containment.i18n import DEFAULT_LANGUAGE, _, language, n_, number

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from containment.store.backends import Backend, Tx

logger = logging.getLogger(__name__)

__all__ = ["CaseRecords", "ImportSummary", "SyntheticMixError"]

_CASE_FIELDS = ("case_id", "reported_on", "status", "village", "block", "placed_by", "lon", "lat")
_CHUNK = 5000  # ids per query, within every backend's parameter limit
_MOVED_M = 50.0  # new coordinates this far from the stored ones count as a move


class SyntheticMixError(ContainmentError):
    """Real cases and the synthetic sample would end up in one store."""


@dataclass(frozen=True)
class ImportSummary:
    """What an import did (or, from :meth:`CaseRecords.preview_import`, would do).

    ``updated`` known cases changed, of which ``dates_changed`` got another date,
    ``statuses_changed`` another status and ``moved`` new coordinates; ``location_kept`` known
    cases came with only a village and keep the coordinates already stored; ``unchanged``
    known cases are as they were.
    """

    source: str
    added: int
    updated: int
    rejected: int
    unchanged: int = 0
    location_kept: int = 0
    dates_changed: int = 0
    statuses_changed: int = 0
    moved: int = 0
    import_id: int | None = None
    removed_synthetic: int = 0

    def lines(self) -> list[str]:
        """The summary in words, for the preview and the audit trail (the lines of what an
        updated case changed are indented)."""
        said = [
            n_("{n} new case", "{n} new cases", self.added),
            n_("{n} known case updated", "{n} known cases updated", self.updated),
        ]
        if self.dates_changed:
            said.append(
                "  " + n_("{n} with another date", "{n} with another date", self.dates_changed)
            )
        if self.statuses_changed:
            said.append(
                "  "
                + n_("{n} with another status", "{n} with another status", self.statuses_changed)
            )
        if self.moved:
            said.append(
                "  "
                + n_(
                    "{n} moved more than {m} m by new coordinates",
                    "{n} moved more than {m} m by new coordinates",
                    self.moved,
                    m=number(_MOVED_M),
                )
            )
        if self.location_kept:
            said.append(
                n_(
                    "{n} known case keeps its GPS location (the file gives only its village)",
                    "{n} known cases keep their GPS location (the file gives only their village)",
                    self.location_kept,
                )
            )
        if self.unchanged:
            said.append(n_("{n} known case unchanged", "{n} known cases unchanged", self.unchanged))
        if self.rejected:
            said.append(n_("{n} row rejected", "{n} rows rejected", self.rejected))
        return said


@dataclass
class _Plan:
    """The rows an import writes, the values it replaces, and its summary."""

    rows: list[tuple[Any, ...]] = field(default_factory=list)
    replaced: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, int] = field(default_factory=dict)


def _rows(cases: gpd.GeoDataFrame) -> list[tuple[Any, ...]]:
    missing = pd.to_datetime(cases["reported_on"]).isna().to_numpy()
    if missing.any():
        position = int(missing.argmax()) + 1
        msg = _(
            "Accepted case {position} of {n} has no date; nothing was saved.",
            position=number(position),
            n=number(len(cases)),
        )
        raise ContainmentError(msg)
    points = cases.to_crs(STORAGE_CRS).geometry
    return [
        (
            str(row.case_id),
            pd.Timestamp(row.reported_on).date().isoformat(),
            str(row.status),
            str(getattr(row, "village", "") or ""),
            str(getattr(row, "block", "") or ""),
            str(getattr(row, "placed_by", "") or ""),
            float(point.x),
            float(point.y),
        )
        for row, point in zip(cases.itertuples(), points, strict=True)
    ]


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _metres_apart(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two lon/lat points (accurate enough to tell a move)."""
    lon1, lat1, lon2, lat2 = map(np.radians, (*a, *b))
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return float(2 * 6_371_000 * np.arcsin(np.sqrt(h)))


class CaseRecords:
    """The cases half of :class:`~containment.store.sql.SQLStore`."""

    if TYPE_CHECKING:
        backend: Backend

        def _transaction(self, *, bump: bool = True) -> AbstractContextManager[Tx]: ...
        def _query(self, sql: str, *params: object) -> list[dict[str, Any]]: ...
        def _audit(self, tx: Tx, action: str, subject: str, detail: str = "") -> None: ...
        def _now(self) -> str: ...
        def _delete_zones_saved_since(self, tx: Tx, since: str, why: str) -> int: ...

    # --- reading -----------------------------------------------------------------------------

    def cases(self) -> gpd.GeoDataFrame:
        rows = self._query(
            f"SELECT {', '.join(_CASE_FIELDS)} FROM cases ORDER BY reported_on, case_id"
        )
        frame = pd.DataFrame(rows, columns=list(_CASE_FIELDS))
        frame["reported_on"] = pd.to_datetime(frame["reported_on"]).astype("datetime64[s]")
        geometry = shapely.points(frame["lon"].to_numpy(float), frame["lat"].to_numpy(float))
        return gpd.GeoDataFrame(
            frame.drop(columns=["lon", "lat"]), geometry=geometry, crs=STORAGE_CRS
        )

    def imports(self) -> pd.DataFrame:
        columns = [
            "import_id", "source", "imported_at", "added", "updated", "rejected", "synthetic",
            "undone_at",
        ]  # fmt: skip
        rows = self._query(f"SELECT {', '.join(columns)} FROM imports ORDER BY import_id")
        frame = pd.DataFrame(rows, columns=columns)
        frame["synthetic"] = frame["synthetic"].astype(bool)
        return frame

    def synthetic_cases(self) -> int:
        """How many cases in the store come from the synthetic sample."""
        return int(
            self._query(
                "SELECT COUNT(*) AS n FROM cases c JOIN imports i ON c.import_id = i.import_id "
                "WHERE i.synthetic = 1"
            )[0]["n"]
        )

    # --- importing ---------------------------------------------------------------------------

    def preview_import(self, cases: gpd.GeoDataFrame, *, rejected: int = 0) -> ImportSummary:
        """What :meth:`import_cases` would do with these cases, without saving anything."""
        rows = _rows(cases)
        with self.backend.read() as tx:
            plan = self._plan(tx, rows)
        return ImportSummary("", rejected=rejected, **plan.summary)

    def import_cases(
        self,
        cases: gpd.GeoDataFrame,
        *,
        source: str,
        rejected: int = 0,
        synthetic: bool = False,
        replace_synthetic: bool = False,
    ) -> ImportSummary:
        """Add accepted cases as one import; a case id seen before is updated, never duplicated.

        A case given only by its village keeps the coordinates already stored for it. The
        synthetic sample (``synthetic``) goes only into a store without real cases; real cases
        go only into a store without the sample, unless ``replace_synthetic`` removes the
        sample (and the zones saved since it was loaded) first, in the same transaction.

        Raises
        ------
        SyntheticMixError
            When real cases and the sample would mix; nothing is saved.
        """
        rows = _rows(cases)
        with self._transaction() as tx:
            removed = self._keep_apart(tx, synthetic=synthetic, replace=replace_synthetic)
            plan = self._plan(tx, rows)
            summary = ImportSummary(
                source, rejected=rejected, removed_synthetic=removed, **plan.summary
            )
            import_id = tx.row(
                "INSERT INTO imports (source, imported_at, added, updated, rejected, synthetic) "
                "VALUES (?, ?, ?, ?, ?, ?) RETURNING import_id",
                (source, self._now(), summary.added, summary.updated, rejected, int(synthetic)),
            )["import_id"]
            tx.executemany(
                "INSERT INTO case_versions (import_id, case_id, reported_on, status, village, "
                "block, placed_by, lon, lat, prior_import_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(import_id, *(r[f] for f in _CASE_FIELDS), r["import_id"]) for r in plan.replaced],
            )
            tx.executemany(
                "INSERT INTO cases (case_id, reported_on, status, village, block, placed_by, "
                "lon, lat, import_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (case_id) "
                "DO UPDATE SET reported_on = excluded.reported_on, status = excluded.status, "
                "village = excluded.village, block = excluded.block, "
                "placed_by = excluded.placed_by, lon = excluded.lon, lat = excluded.lat, "
                "import_id = excluded.import_id",
                [(*r, import_id) for r in plan.rows],
            )
            with language(DEFAULT_LANGUAGE):  # the audit trail is a record: kept as written
                detail = f"{source}: " + "; ".join(line.strip() for line in summary.lines())
            self._audit(tx, "import cases", f"import {import_id}", detail)
        logger.info(
            "import %s saved: %d added, %d updated, %d rejected%s",
            import_id,
            plan.summary["added"],
            plan.summary["updated"],
            rejected,
            f", {removed} synthetic cases removed" if removed else "",
        )
        return ImportSummary(
            source,
            rejected=rejected,
            removed_synthetic=removed,
            import_id=import_id,
            **plan.summary,
        )

    def _keep_apart(self, tx: Tx, *, synthetic: bool, replace: bool) -> int:
        """Refuse to mix the sample and real cases; remove the sample when asked. Returns how
        many sample cases were removed."""
        counts = {
            bool(r["synthetic"]): int(r["n"])
            for r in tx.all(
                "SELECT i.synthetic AS synthetic, COUNT(*) AS n FROM cases c "
                "JOIN imports i ON c.import_id = i.import_id GROUP BY i.synthetic"
            )
        }
        if synthetic and counts.get(False):
            msg = n_(
                "This store holds {n} real case: the synthetic sample is not loaded into it. "
                "Train on a store of its own (CONTAINMENT_DATA=training make run).",
                "This store holds {n} real cases: the synthetic sample is not loaded into it. "
                "Train on a store of its own (CONTAINMENT_DATA=training make run).",
                counts[False],
            )
            raise SyntheticMixError(msg)
        if synthetic or not counts.get(True):
            return 0
        if not replace:
            msg = n_(
                "This store holds the synthetic sample ({n} case that is not real). Remove it "
                "before the first real import: confirm its removal and import again.",
                "This store holds the synthetic sample ({n} cases that are not real). Remove it "
                "before the first real import: confirm its removal and import again.",
                counts[True],
            )
            raise SyntheticMixError(msg)
        return self._remove_synthetic(tx)

    def _remove_synthetic(self, tx: Tx) -> int:
        first = tx.row("SELECT MIN(imported_at) AS at FROM imports WHERE synthetic = 1")
        sample = "import_id IN (SELECT import_id FROM imports WHERE synthetic = 1)"
        removed = tx.row(f"SELECT COUNT(*) AS n FROM cases WHERE {sample}")
        tx.execute(f"DELETE FROM cases WHERE {sample}")
        tx.execute(f"DELETE FROM case_versions WHERE {sample}")
        tx.execute(
            "UPDATE imports SET undone_at = ? WHERE synthetic = 1 AND undone_at IS NULL",
            (self._now(),),
        )
        zones = self._delete_zones_saved_since(tx, first["at"], "removed with the synthetic sample")
        n = int(removed["n"])
        self._audit(
            tx, "synthetic sample removed", f"{n} synthetic cases", f"{zones} zones drawn on them"
        )
        return n

    def _plan(self, tx: Tx, rows: list[tuple[Any, ...]]) -> _Plan:
        """What writing ``rows`` changes: keep known coordinates over a village-only row."""
        known: dict[str, dict[str, Any]] = {}
        for chunk in _chunks([r[0] for r in rows]):
            marks = ",".join("?" * len(chunk))
            for row in tx.all(
                f"SELECT {', '.join(_CASE_FIELDS)}, import_id FROM cases "
                f"WHERE case_id IN ({marks})",
                chunk,
            ):
                known[row["case_id"]] = row
        plan = _Plan()
        counts = dict.fromkeys(
            ("added", "updated", "unchanged", "location_kept", "dates_changed",
             "statuses_changed", "moved"),
            0,
        )  # fmt: skip
        for given in rows:
            before = known.get(given[0])
            if before is None:
                counts["added"] += 1
                plan.rows.append(given)
                continue
            kept = given
            if given[5] == "village" and before["placed_by"] == "coordinates":
                kept = (*given[:5], "coordinates", before["lon"], before["lat"])
                counts["location_kept"] += 1
            if kept == tuple(before[f] for f in _CASE_FIELDS):
                counts["unchanged"] += 1
                continue
            counts["updated"] += 1
            counts["dates_changed"] += kept[1] != before["reported_on"]
            counts["statuses_changed"] += kept[2] != before["status"]
            where = (before["lon"], before["lat"])
            counts["moved"] += _metres_apart(where, (kept[6], kept[7])) > _MOVED_M
            plan.rows.append(kept)
            plan.replaced.append(before)
        plan.summary = counts
        return plan

    # --- undoing -----------------------------------------------------------------------------

    def undo_import(self, import_id: int) -> int:
        """Take an import back: the cases it added are removed, the ones it updated get their
        earlier values again. One transaction, audited. Returns how many cases were touched.

        An import whose cases a later import changed again is refused: undo that one first.
        Undoing the synthetic sample removes the whole sample and the zones saved since it was
        loaded, as replacing it by real cases does: no zone drawn on it stays behind.
        """
        with self._transaction() as tx:
            batch = tx.one(
                "SELECT source, undone_at, synthetic FROM imports WHERE import_id = ?",
                (import_id,),
            )
            if batch is None or batch["undone_at"]:
                msg = _(
                    "Import {number} does not exist or was already undone; reload the page.",
                    number=import_id,
                )
                raise ContainmentError(msg)
            if batch["synthetic"]:
                return self._remove_synthetic(tx)
            later = tx.one(
                "SELECT v.import_id AS later, COUNT(*) AS n FROM case_versions v "
                "JOIN imports i ON v.import_id = i.import_id "
                "WHERE v.prior_import_id = ? AND i.undone_at IS NULL "
                "GROUP BY v.import_id ORDER BY v.import_id LIMIT 1",
                (import_id,),
            )
            if later is not None:
                msg = _(
                    "Import {number} ({source}) cannot be undone while import {later} holds "
                    "later versions of {n} of its cases: undo import {later} first.",
                    number=import_id,
                    source=batch["source"],
                    later=later["later"],
                    n=number(later["n"]),
                )
                raise ContainmentError(msg)
            restored = int(
                tx.row("SELECT COUNT(*) AS n FROM case_versions WHERE import_id = ?", (import_id,))[
                    "n"
                ]
            )
            added = (
                "FROM cases WHERE import_id = ? AND case_id NOT IN "
                "(SELECT case_id FROM case_versions WHERE import_id = ?)"
            )
            removed = int(tx.row(f"SELECT COUNT(*) AS n {added}", (import_id, import_id))["n"])
            tx.execute(f"DELETE {added}", (import_id, import_id))
            for old in tx.all(
                f"SELECT {', '.join(_CASE_FIELDS)}, prior_import_id FROM case_versions "
                "WHERE import_id = ?",
                (import_id,),
            ):
                tx.execute(
                    "UPDATE cases SET reported_on = ?, status = ?, village = ?, block = ?, "
                    "placed_by = ?, lon = ?, lat = ?, import_id = ? WHERE case_id = ?",
                    (*(old[f] for f in _CASE_FIELDS[1:]), old["prior_import_id"], old["case_id"]),
                )
            tx.execute("DELETE FROM case_versions WHERE import_id = ?", (import_id,))
            tx.execute(
                "UPDATE imports SET undone_at = ? WHERE import_id = ?", (self._now(), import_id)
            )
            self._audit(
                tx,
                "import undone",
                f"import {import_id}",
                f"{batch['source']}: {removed} cases removed, {restored} given their earlier "
                "values back",
            )
        return removed + restored
