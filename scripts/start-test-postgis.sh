#!/usr/bin/env bash
# A local PostgreSQL with PostGIS for the test suite and the load benchmark: Debian's packages,
# the distribution's own cluster, a throwaway role and database that only this machine can reach.
# Idempotent; run as root or with sudo. `make test`, `make bench` and .ci/run call it.
# Prints the database URL the tests use (CONTAINMENT_TEST_DATABASE_URL).
set -euo pipefail
DB=containment_test
ROLE=containment_test
URL="postgresql://${ROLE}:${ROLE}@127.0.0.1:5432/${DB}"

if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then
        exec sudo "$0" "$@"
    fi
    echo "Starting the test PostGIS needs root: run '$0' as root." >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if ! command -v pg_lsclusters >/dev/null || [ -z "$(ls /usr/lib/postgresql 2>/dev/null)" ]; then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    UPDATED=1
fi
VERSION=$(ls /usr/lib/postgresql | sort -n | tail -1)
if [ ! -e "/usr/share/postgresql/${VERSION}/extension/postgis.control" ]; then
    [ -n "${UPDATED:-}" ] || apt-get update -qq
    apt-get install -y -qq --no-install-recommends "postgresql-${VERSION}-postgis-3" >/dev/null
fi
if ! pg_lsclusters -h | awk '{print $1, $2}' | grep -q "^${VERSION} main$"; then
    pg_createcluster "${VERSION}" main >/dev/null
fi
if ! pg_lsclusters -h | grep -q "^${VERSION} *main .* online"; then
    pg_ctlcluster "${VERSION}" main start
fi
psql_admin() { runuser -u postgres -- psql -v ON_ERROR_STOP=1 -qAt "$@"; }
wait_online() {
    for _ in $(seq 1 50); do
        psql_admin -c 'SELECT 1' >/dev/null 2>&1 && return
        sleep 0.2
    done
}
wait_online
# The suite's many-writers tests and the load benchmark open many connections at once, on top of
# whatever else runs: Debian's 100 runs out on a busy machine ("connection slots are reserved").
if [ "$(psql_admin -c 'SHOW max_connections')" -lt "${MAX_CONNECTIONS:=300}" ]; then
    psql_admin -c "ALTER SYSTEM SET max_connections = ${MAX_CONNECTIONS}"
    pg_ctlcluster "${VERSION}" main restart
    wait_online
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '${ROLE}'")" != 1 ]; then
    psql_admin -c "CREATE ROLE ${ROLE} LOGIN PASSWORD '${ROLE}'"
fi
# The tests make a database role per district, as an administrator does.
psql_admin -c "ALTER ROLE ${ROLE} CREATEROLE"
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '${DB}'")" != 1 ]; then
    psql_admin -c "CREATE DATABASE ${DB} OWNER ${ROLE}"
fi
psql_admin -d "${DB}" -c "SET client_min_messages TO warning" -c "CREATE EXTENSION IF NOT EXISTS postgis"
echo "${URL}"
