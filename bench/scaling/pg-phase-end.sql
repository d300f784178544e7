-- Included after each phase of pg-per-message.sql: the WAL position, the time and this backend's CPU ticks go to
-- $PHASE_LOG; waldump-phase.sh then reads the phase's LSN range with pg_waldump, before a later checkpoint can
-- recycle its segments.
SELECT pg_current_wal_lsn() AS lsn, extract(epoch FROM clock_timestamp()) AS t \gset
\setenv PHASE :phase
\setenv LSN :lsn
\setenv T :t
\! echo "$PHASE $LSN $T $(awk '{print $14+$15}' /proc/$BPID/stat)" >> "$PHASE_LOG" && "$SCALING_DIR/waldump-phase.sh"
