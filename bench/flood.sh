#!/usr/bin/env bash
# bench/flood.sh - the gateway under a flood: far more send-sms requests than it can charge, for a while.
# Starts ./smsgw dev (embedded PostgreSQL, Kafka, Redis, simulator) on a fixed port, tops the demo wallet up so money
# never runs out, then wrk (a separate process, closed loop, no think time, CONNECTIONS connections) posts send-sms
# for SECONDS while jstat samples the gateway JVM's heap every second. What must hold: the heap stays flat (bounded
# queues: the surplus is answered 503 overloaded at once, not queued), every answer is 200 or 503, and the money
# invariants hold after the flood.
# Usage:  bench/flood.sh [SECONDS=60] [CONNECTIONS=1000]
# Needs wrk (installed with apt-get if missing, as root). Writes bench/results/<time>-flood.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-60}
CONNS=${2:-1000}
PORT=${SMSGW_FLOOD_PORT:-18081}
OUT=bench/results/$(date -u +%Y%m%d-%H%M%S)-flood.txt
mkdir -p bench/results
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
export SMSGW_FLOOD_USER=00000000-0000-4000-8000-000000000001 SMSGW_FLOOD_KEY=sk_demo_key_for_local_use_only
TOKEN=dev-admin-token
LOG=$(mktemp)
SMSGW_HTTP_PORT=$PORT SMSGW_WORKER_HTTP_PORT=0 SMSGW_ADMIN_TOKEN=$TOKEN ./smsgw dev >"$LOG" 2>&1 &
DEV=$!
trap 'kill -TERM $DEV 2>/dev/null; wait $DEV 2>/dev/null; rm -f "$LOG"' EXIT
for _ in $(seq 1 600); do
  grep -q "smsgw dev is up" "$LOG" && break
  kill -0 $DEV 2>/dev/null || { cat "$LOG"; exit 1; }
  sleep 0.5
done
PG=$(grep -o 'postgresql://[^ ]*' "$LOG" | head -1)
curl -sf -o /dev/null -X POST "http://127.0.0.1:$PORT/admin/users/$SMSGW_FLOOD_USER/topup" -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' -d '{"amount": 1000000000000}'
{
  echo "flood: $(git rev-parse --short HEAD), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "settings: wrk -t2 -c$CONNS -d${DURATION}s against ./smsgw dev (conf/ as committed), JAVA_OPTS=${JAVA_OPTS:-default of ./smsgw}"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT"
jstat -gc $DEV 1000 > "$OUT.jstat" &
JSTAT=$!
wrk -t2 -c"$CONNS" -d"${DURATION}s" --timeout 30s -s bench/flood/send-sms.lua "http://127.0.0.1:$PORT" | tee -a "$OUT"
kill $JSTAT 2>/dev/null || true
# Heap in use (eden + survivors + old, MB) over the flood: first, min, max, last.
awk 'NR > 1 && $1 ~ /^[0-9.]+$/ { used = ($3 + $4 + $6 + $8) / 1024; n++; if (n == 1) { first = used; oldfirst = $8 / 1024 }
  if (min == "" || used < min) min = used; if (used > max) max = used; last = used; old = $8 / 1024 }
  END { printf "heap_used_mb: first=%.0f min=%.0f max=%.0f last=%.0f (old gen first %.0f, last %.0f), %d samples\n", first, min, max, last, oldfirst, old, n }' \
  "$OUT.jstat" | tee -a "$OUT"
rm -f "$OUT.jstat"
sleep 10  # let the worker finish what was accepted
SMSGW_PG_URL=$PG ./smsgw check-invariants | tail -1 | tee -a "$OUT"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT"
