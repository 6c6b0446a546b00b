#!/usr/bin/env bash
# Start the machine's PostgreSQL cluster (Debian's postgresql package) and make a role and
# a database for ogi's tests; prints the OGI_DATABASE_URL to use. Exits 1 when there is no
# PostgreSQL on the machine.
set -euo pipefail
# Only the URL goes to stdout; pg_ctlcluster and psql chatter (e.g. "Removed stale pid file")
# would otherwise be captured as part of it.
exec 3>&1 1>&2
command -v pg_lsclusters >/dev/null || { echo "no PostgreSQL here" >&2; exit 1; }
read -r ver name _ < <(pg_lsclusters -h | head -n1) || { echo "no PostgreSQL cluster" >&2; exit 1; }
if ! pg_lsclusters -h | grep -q online; then
  # 3>&-: the server must not inherit the caller's pipe, or $(...) would wait for it forever.
  pg_ctlcluster "$ver" "$name" start 3>&-
fi
port=$(pg_lsclusters -h | awk 'NR==1{print $3}')
as_postgres() { if [ "$(id -u)" -eq 0 ]; then su postgres -c "$1"; else sudo -u postgres sh -c "$1"; fi; }
as_postgres "psql -p $port -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='ogi'\"" | grep -q 1 ||
  as_postgres "psql -p $port -qc \"CREATE ROLE ogi LOGIN CREATEDB PASSWORD 'ogi'\""
as_postgres "psql -p $port -qtAc \"SELECT 1 FROM pg_database WHERE datname='ogi'\"" | grep -q 1 ||
  as_postgres "createdb -p $port -O ogi ogi"
echo "postgresql://ogi:ogi@127.0.0.1:$port/ogi" >&3
