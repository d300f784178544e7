-- Per-user rate limits (issue 10, item 6): an override of conf rate_limit.default_* for one user, set with
-- PUT /admin/users/{user_id}/limits. A removed override (DELETE) stays as a row with NULLs, so that the
-- gateways' incremental reload (WHERE updated_at > last) sees the removal too.
CREATE TABLE user_rate_limits (
  user_id             uuid PRIMARY KEY REFERENCES users (user_id),
  messages_per_second int CHECK (messages_per_second BETWEEN 1 AND 100000),
  burst               int CHECK (burst BETWEEN 1 AND 1000000),
  updated_at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  CHECK ((messages_per_second IS NULL) = (burst IS NULL))
);
CREATE INDEX user_rate_limits_by_updated_at ON user_rate_limits (updated_at);
