#!/usr/bin/env bash
# The PostgreSQL cost of one message of the sync path, measured on a PostgreSQL server without the JVM:
# WAL bytes / records / full-page images, backend CPU and disk bytes per message, per write of its life.
# Usage: bench/scaling/pg-per-message.sh [messages (200000)] [accept batch (16)] [poll batch (62)]
# The server: PGHOST/PGPORT/PGUSER (default 127.0.0.1:5432, postgres, trust auth). It creates and drops a database
# of its own. WAL figures are the server's cluster-wide pg_stat_wal deltas: run it on an otherwise idle server
# (it prints the other databases' activity before and after). It issues CHECKPOINTs (cluster-wide, harmless).
# Defaults: accept batch 16 and poll batch 62 are what the e2e run at 2,500/s did (20261202-073432-e2e.json,
# pg_top_statements: accept 150,000 rows / 9,554 calls; claim 149,840 / 2,394).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
n=${1:-200000}; accept_batch=${2:-16}; poll_batch=${3:-62}; burst=${BURST:-4000}; mark_share=${MARK_SHARE:-4}; pipeline=${PIPELINE:-$n}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
db=smsgw_scaling_$$
work=$(mktemp -d)
export SCALING_DIR=$here PHASE_LOG=$work/phases SUMMARY_LOG=$work/summary DETAIL_LOG=$work/detail
export WALDIR=${WALDIR:-$(psql -d postgres -Atc 'show data_directory')/pg_wal}
export PG_WALDUMP=${PG_WALDUMP:-$(pg_config --bindir)/pg_waldump}
trap 'psql -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
echo "== server: $(psql -d postgres -Atc 'select version()')"
echo "== settings: $(psql -d postgres -Atc "select string_agg(name || '=' || setting, ' ') from pg_settings where name in ('fsync','synchronous_commit','full_page_writes','wal_compression','shared_buffers','checkpoint_timeout','max_wal_size','wal_level','data_checksums')")"
echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== other activity before: $(psql -d postgres -Atc "select string_agg(datname || ':' || xact_commit, ' ') from pg_stat_database where datname is not null")"
psql -q -d postgres -c "CREATE DATABASE $db"
psql -q -d "$db" -v ON_ERROR_STOP=1 -f "$root/service/src/main/resources/db/migration/V1__baseline.sql" >/dev/null
echo "== n=$n accept_batch=$accept_batch poll_batch=$poll_batch mark 1 in $mark_share burst=$burst pipeline=$pipeline"
psql -q -d "$db" -v n="$n" -v accept_batch="$accept_batch" -v poll_batch="$poll_batch" -v burst="$burst" -v mark_share="$mark_share" -v pipeline="$pipeline" \
  -f "$here/pg-per-message.sql"
echo "== per phase: WAL from pg_waldump over the phase's LSN range; CPU = this backend's utime+stime ($(getconf CLK_TCK) ticks/s)"
awk -v n="$n" -v share="$mark_share" -v burst="$burst" -v pl="$pipeline" -v hz="$(getconf CLK_TCK)" '
  BEGIN { printf "%-10s %7s %7s %7s %9s %8s %8s %9s %9s %9s %8s\n", "phase", "msgs", "commits", "seconds", "msgs/s",
          "WAL B/m", "recs/m", "FPI/m", "FPI B/m", "B/FPI", "CPU µs/m" }
  { m = ($1 == "mark") ? int((n + share - 1) / share) : ($1 ~ /^burst/) ? int(burst / 2) : ($1 == "pipeline") ? pl : n;
    printf "%-10s %7d %7d %7.2f %9.0f %8.0f %8.2f %9.3f %9.0f %9.0f %8.1f\n", $1, m, $6, $7, m / $7, $2 / m, $3 / m,
           $4 / m, $5 / m, ($4 > 0 ? $5 / $4 : 0), $8 / hz * 1e6 / m }' "$SUMMARY_LOG"
echo "== WAL by record type, per phase (pg_waldump --stats=record: N, record bytes, FPI bytes, combined)"
cat "$DETAIL_LOG"
echo "== other activity after: $(psql -d postgres -Atc "select string_agg(datname || ':' || xact_commit, ' ') from pg_stat_database where datname is not null")"
