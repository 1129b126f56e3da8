#!/usr/bin/env bash
# Prepares the PostgreSQL that the gateway's tests use (two gateway processes on one database): starts
# Debian's cluster (creating one if apt did not), and creates the role crm/crm that may create
# databases plus its database crm_test. Needs root (or the postgres user's rights). Idempotent.
# Prints the URL to export as CRM_TEST_PG_URL.
set -euo pipefail

as_postgres() { if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }

if ! pg_lsclusters -h | grep -q .; then
  version=$(ls /usr/lib/postgresql | sort -V | tail -1)
  pg_createcluster "$version" main >&2
fi
read -r version cluster port status _ < <(pg_lsclusters -h | head -1)
if [ "$status" != online ]; then
  pg_ctlcluster "$version" "$cluster" start >&2
fi
for _ in $(seq 60); do
  pg_isready -q -h 127.0.0.1 -p "$port" && break
  sleep 1
done
pg_isready -h 127.0.0.1 -p "$port" >&2

as_postgres psql -q -p "$port" -v ON_ERROR_STOP=1 <<'SQL' >&2
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'crm') THEN
    CREATE ROLE crm LOGIN PASSWORD 'crm' CREATEDB;
  END IF;
END
$$;
SQL
if ! as_postgres psql -p "$port" -tAc "SELECT 1 FROM pg_database WHERE datname = 'crm_test'" | grep -q 1; then
  as_postgres createdb -p "$port" -O crm crm_test
fi
echo "postgres://crm:crm@127.0.0.1:${port}/crm_test"
