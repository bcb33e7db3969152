"""The store's tables, as numbered migrations: a store is upgraded in place, never rebuilt.

Each migration is SQL both backends run, with ``{id}`` and ``{geometry}`` standing for the
column types that differ, plus what only PostGIS has (point geometries beside lon/lat and GiST
indexes). A store remembers the last migration it ran; opening it runs the rest, in one
transaction each. Never edit a migration that has shipped: add a new one.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MIGRATIONS", "STATE_VIEWS", "Migration"]


@dataclass(frozen=True)
class Migration:
    sql: str
    postgis_only: str = ""
    sqlite_only: str = ""

    def statements(self, backend_name: str, types: dict[str, str]) -> list[str]:
        """The statements to run; ``types`` fills the braces (column types, and ``{today}``:
        the ISO day the store is upgraded, for history that begins then)."""
        text = self.sql.format(**types)
        if backend_name == "postgis":
            text += ";" + self.postgis_only
        else:
            text += ";" + self.sqlite_only
        return [s.strip() for s in text.split(";") if s.strip()]


# The state's views (migration 9): what may leave a district for the state control room and the
# neighbouring districts — zones made public by an order, their checkpoints, the centres, and
# figures that count cases without naming one. Never a case, a case id or date, a note, a user.
# "Today" is the day in India; only the test for a recent case inside a zone differs by backend.
#: The state's views, by name (what the state role and neighbouring districts may read).
STATE_VIEWS = ("state_zones", "state_checkpoints", "state_centres", "state_figures")
_TODAY_SQLITE = "date('now', '+330 minutes')"
_TODAY_POSTGIS = "((now() AT TIME ZONE 'Asia/Kolkata')::date)"


def _state_views(today: str, days_before: str, covers: str) -> str:
    recent = f"c.reported_on > {days_before.format(today=today, days='z.release_after_days')}"
    week = days_before.format(today=today, days="7")
    return f"""
        CREATE VIEW state_zones AS
            SELECT z.name, z.kind, z.rule, z.status, z.order_number, z.notified_on,
                   z.released_on, z.release_after_days, z.geometry,
                   NOT EXISTS (SELECT 1 FROM cases c WHERE {recent} AND {covers})
                       AS due_for_release
            FROM zones z WHERE z.status IN ('notified', 'released');
        CREATE VIEW state_checkpoints AS
            SELECT k.zone_name, k.road, k.lon, k.lat
            FROM checkpoints k JOIN zones z ON z.zone_id = k.zone_id
            WHERE z.status = 'notified';
        CREATE VIEW state_centres AS
            SELECT name, kind, lon, lat, capacity, occupied FROM centres;
        CREATE VIEW state_figures AS
            SELECT (SELECT COUNT(*) FROM cases WHERE reported_on > {week}) AS new_cases_7d,
                   (SELECT MAX(at) FROM audit
                    WHERE action NOT IN ('login', 'login refused', 'logout', 'export'))
                       AS last_update_at,
                   (SELECT COUNT(*) FROM cases c JOIN imports i ON c.import_id = i.import_id
                    WHERE i.synthetic = 1) AS synthetic_cases
    """


def _point_column(table: str) -> str:
    return (
        f"ALTER TABLE {table} ADD COLUMN geom geometry(Point, 4326) GENERATED ALWAYS AS "
        f"(ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED;"
        f"CREATE INDEX {table}_geom ON {table} USING GIST (geom);"
        f"ALTER TABLE {table} ADD CONSTRAINT {table}_lon_lat "
        f"CHECK (lon BETWEEN -180 AND 180 AND lat BETWEEN -90 AND 90);"
    )


MIGRATIONS = (
    Migration(
        """
        CREATE TABLE imports (
            import_id {id},
            source TEXT NOT NULL, imported_at TEXT NOT NULL,
            added INTEGER NOT NULL, updated INTEGER NOT NULL, rejected INTEGER NOT NULL
        );
        CREATE TABLE cases (
            case_id TEXT PRIMARY KEY, reported_on TEXT NOT NULL, status TEXT NOT NULL,
            village TEXT NOT NULL, block TEXT NOT NULL, placed_by TEXT NOT NULL,
            lon DOUBLE PRECISION NOT NULL, lat DOUBLE PRECISION NOT NULL,
            import_id INTEGER NOT NULL REFERENCES imports(import_id)
        );
        CREATE INDEX cases_reported_on ON cases(reported_on);
        CREATE TABLE zones (
            zone_id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL,
            origin TEXT NOT NULL, rule TEXT NOT NULL, status TEXT NOT NULL,
            release_after_days INTEGER NOT NULL, note TEXT NOT NULL, order_number TEXT NOT NULL,
            notified_on TEXT, released_on TEXT, created_on TEXT NOT NULL,
            version INTEGER NOT NULL, geometry {geometry} NOT NULL
        );
        CREATE TABLE centres (
            centre_id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL,
            lon DOUBLE PRECISION NOT NULL, lat DOUBLE PRECISION NOT NULL,
            capacity INTEGER NOT NULL, occupied INTEGER NOT NULL, facility_id TEXT NOT NULL,
            note TEXT NOT NULL, version INTEGER NOT NULL
        );
        CREATE TABLE revision (n INTEGER NOT NULL);
        INSERT INTO revision VALUES (0)
        """,
        postgis_only=(
            _point_column("cases")
            + _point_column("centres")
            + "CREATE INDEX zones_geometry ON zones USING GIST (geometry)"
        ),
    ),
    Migration(
        """
        CREATE TABLE checkpoints (
            checkpoint_id TEXT PRIMARY KEY, zone_id TEXT NOT NULL, zone_name TEXT NOT NULL,
            road TEXT NOT NULL, road_class TEXT NOT NULL,
            lon DOUBLE PRECISION NOT NULL, lat DOUBLE PRECISION NOT NULL
        );
        CREATE INDEX checkpoints_zone ON checkpoints(zone_id);
        CREATE TABLE homes (
            hq_id TEXT PRIMARY KEY, lon DOUBLE PRECISION NOT NULL, lat DOUBLE PRECISION NOT NULL,
            start_on TEXT NOT NULL, end_on TEXT NOT NULL
        );
        CREATE TABLE violations (
            hq_id TEXT NOT NULL REFERENCES homes(hq_id), checked_at TEXT NOT NULL,
            distance_m DOUBLE PRECISION NOT NULL, action TEXT NOT NULL, action_on TEXT,
            PRIMARY KEY (hq_id, checked_at)
        )
        """,
        postgis_only=_point_column("checkpoints") + _point_column("homes"),
    ),
    Migration(
        # Zone history, users, sessions and the audit trail. Zones saved before this
        # migration start their history at the version they are at.
        """
        CREATE TABLE zone_versions (
            zone_id TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL,
            kind TEXT NOT NULL, origin TEXT NOT NULL, rule TEXT NOT NULL, status TEXT NOT NULL,
            release_after_days INTEGER NOT NULL, note TEXT NOT NULL, order_number TEXT NOT NULL,
            notified_on TEXT, released_on TEXT, created_on TEXT NOT NULL,
            geometry {geometry} NOT NULL,
            saved_by TEXT NOT NULL, saved_at TEXT NOT NULL, change TEXT NOT NULL,
            PRIMARY KEY (zone_id, version)
        );
        INSERT INTO zone_versions
            SELECT zone_id, version, name, kind, origin, rule, status, release_after_days, note,
                   order_number, notified_on, released_on, created_on, geometry,
                   'unknown', created_on, 'saved before history was kept'
            FROM zones;
        CREATE TABLE users (
            username TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL,
            active INTEGER NOT NULL, created_at TEXT NOT NULL, password_set_at TEXT NOT NULL
        );
        CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY, username TEXT NOT NULL REFERENCES users(username),
            started_at TEXT NOT NULL, last_seen_at TEXT NOT NULL
        );
        CREATE TABLE login_failures (username TEXT NOT NULL, failed_at TEXT NOT NULL);
        CREATE INDEX login_failures_user ON login_failures(username, failed_at);
        CREATE TABLE audit (
            audit_id {id}, at TEXT NOT NULL, username TEXT NOT NULL, role TEXT NOT NULL,
            action TEXT NOT NULL, subject TEXT NOT NULL, detail TEXT NOT NULL
        );
        CREATE INDEX audit_at ON audit(at);
        CREATE INDEX audit_action ON audit(action, at)
        """,
        postgis_only="CREATE INDEX zone_versions_geometry ON zone_versions USING GIST (geometry)",
    ),
    Migration(
        # Logins are rate-limited by one row per name (keyed, never the name as typed), counted
        # before the password is checked; a secret per store keys those rows (and zone ids);
        # imports say whether they were the synthetic sample, and can be undone: the values a
        # re-import replaced are kept per import.
        """
        DROP TABLE login_failures;
        CREATE TABLE login_attempts (
            name_key TEXT PRIMARY KEY, failures INTEGER NOT NULL,
            window_started_at TEXT NOT NULL, locked_until TEXT
        );
        CREATE TABLE store_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL);
        ALTER TABLE imports ADD COLUMN synthetic INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE imports ADD COLUMN undone_at TEXT;
        UPDATE imports SET synthetic = 1 WHERE lower(source) LIKE '%synthetic%';
        CREATE TABLE case_versions (
            import_id INTEGER NOT NULL, case_id TEXT NOT NULL, reported_on TEXT NOT NULL,
            status TEXT NOT NULL, village TEXT NOT NULL, block TEXT NOT NULL,
            placed_by TEXT NOT NULL, lon DOUBLE PRECISION NOT NULL, lat DOUBLE PRECISION NOT NULL,
            prior_import_id INTEGER NOT NULL,
            PRIMARY KEY (import_id, case_id)
        );
        CREATE INDEX cases_import ON cases(import_id)
        """,
    ),
    Migration(
        # Each user reads the app, the packs and the lists in their own language.
        "ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT 'en'",
    ),
    Migration(
        # Failed logins are counted per name and client, per client and per name (each with its
        # own limit), so one client cannot lock a name for everyone or flood the hashing.
        """
        DROP TABLE login_attempts;
        CREATE TABLE login_attempts (
            attempt_key TEXT PRIMARY KEY, name_key TEXT NOT NULL, failures INTEGER NOT NULL,
            window_started_at TEXT NOT NULL, locked_until TEXT
        );
        CREATE INDEX login_attempts_name ON login_attempts(name_key)
        """,
    ),
    Migration(
        # Centre occupancy over time: a row each time a centre's beds change, dated with the
        # day it applies to; the beds of the centres already kept begin their history on the
        # day of this upgrade (nothing is known of them before). A zone version that records a
        # deletion says so, rather than in its words ("deleted", "merged into ...").
        """
        CREATE TABLE centre_occupancy (
            centre_id TEXT NOT NULL, on_day TEXT NOT NULL, capacity INTEGER NOT NULL,
            occupied INTEGER NOT NULL, saved_at TEXT NOT NULL, saved_by TEXT NOT NULL
        );
        CREATE INDEX centre_occupancy_centre ON centre_occupancy(centre_id, on_day);
        INSERT INTO centre_occupancy
            SELECT centre_id, '{today}', capacity, occupied, '{today}', 'history began'
            FROM centres;
        ALTER TABLE zone_versions ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
        UPDATE zone_versions SET deleted = 1
            WHERE change LIKE 'deleted%' OR change LIKE 'merged into%'
        """,
    ),
    Migration(
        # A district's own base layers: a road or ward layer's features here, a tile layer's
        # tiles in a file of the app's making named by the layer's id (see store/baselayers.py).
        """
        CREATE TABLE base_layers (
            layer_id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL,
            format TEXT NOT NULL, source TEXT NOT NULL, min_zoom INTEGER, max_zoom INTEGER,
            bounds TEXT NOT NULL, features INTEGER NOT NULL, size_bytes BIGINT NOT NULL,
            vector_layers TEXT NOT NULL, attribution TEXT NOT NULL,
            added_by TEXT NOT NULL, added_at TEXT NOT NULL
        );
        CREATE TABLE base_layer_features (
            layer_id TEXT NOT NULL REFERENCES base_layers(layer_id), feature INTEGER NOT NULL,
            label TEXT NOT NULL, geometry {geometry} NOT NULL,
            PRIMARY KEY (layer_id, feature)
        )
        """,
        postgis_only=(
            "CREATE INDEX base_layer_features_geometry ON base_layer_features USING GIST (geometry)"
        ),
    ),
    Migration(
        # The state's views (see _state_views): the state control room's database role may
        # read these and nothing else; a neighbouring district reads state_zones.
        "",
        postgis_only=_state_views(
            _TODAY_POSTGIS,
            "({today} - {days})::text",
            "ST_Covers(z.geometry, c.geom)",
        ),
        sqlite_only=_state_views(
            _TODAY_SQLITE,
            "date({today}, '-' || {days} || ' days')",
            "covers_xy(z.geometry, c.lon, c.lat)",
        ),
    ),
    Migration(
        # The state's views as security barriers: a role that may read a view must not learn
        # the rows the view leaves out through a function of its own in a query's WHERE (which
        # PostgreSQL may otherwise run before the view's own filter).
        "",
        postgis_only=";".join(
            f"ALTER VIEW {view} SET (security_barrier = true)" for view in STATE_VIEWS
        ),
    ),
    Migration(
        # What a store says of itself: "district", the district whose store it is, recorded
        # by the first district to open it (see SQLStore), so that a copy of another district's
        # store is refused — when opened, and by 'containment restore' before it is put back.
        "CREATE TABLE store_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ),
)
