-- TRUNCATE fires no row trigger: refuse it on the audit log too, so the application's role can
-- neither change, delete nor empty it.
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
