#!/usr/bin/env bash
# Called by pg-phase-end.sql: the WAL of the phase that just ended (the last two lines of $PHASE_LOG), read with
# pg_waldump: bytes, records, full-page images, commits; one line to $SUMMARY_LOG, the record-type table to $DETAIL_LOG.
set -euo pipefail
[ "$(wc -l < "$PHASE_LOG")" -ge 2 ] || exit 0
read -r p0 l0 t0 c0 < <(tail -2 "$PHASE_LOG" | head -1)
read -r p1 l1 t1 c1 < <(tail -1 "$PHASE_LOG")
case "$p1" in *start) exit 0 ;; esac
num() { local hi=${1%/*} lo=${1#*/}; echo $(( (16#$hi << 32) + 16#$lo )); }
bytes=$(( $(num "$l1") - $(num "$l0") ))
dump=$(mktemp)
trap 'rm -f "$dump"' EXIT
"$PG_WALDUMP" -p "$WALDIR" -s "$l0" -e "$l1" > "$dump" 2>/dev/null || true
records=$(wc -l < "$dump")
fpi=$(awk '{ n += gsub(/FPW/, "") } END { print n + 0 }' "$dump")
commits=$(grep -c 'desc: COMMIT' "$dump" || true)
stats=$("$PG_WALDUMP" --stats=record -p "$WALDIR" -s "$l0" -e "$l1" 2>/dev/null || true)
# the FPI size column: the number before the third "(" of a type's line
fpi_bytes=$(awk 'NR > 2 && $1 != "Total" && $1 != "" { split($0, a, "("); n = split(a[3], b, " "); s += b[n] } END { print s + 0 }' <<< "$stats")
echo "$p1 $bytes $records $fpi $fpi_bytes $commits $(echo "$t1 - $t0" | bc) $(( c1 - c0 ))" >> "$SUMMARY_LOG"
{ echo "== $p1: WAL by record type"; awk 'NR <= 2 || ($2 + 0 > 0 && $1 != "Total")' <<< "$stats"; } >> "$DETAIL_LOG"
rm -f "$dump"
