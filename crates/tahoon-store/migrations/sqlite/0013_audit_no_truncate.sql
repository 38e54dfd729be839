-- Kept in step with PostgreSQL's 0013: SQLite has no TRUNCATE, and audit_log_no_delete already
-- refuses DELETE (SQLite's way of emptying a table).
SELECT 1;
