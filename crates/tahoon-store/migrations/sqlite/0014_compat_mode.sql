-- Issue 14: an organization may speak the reference system's dialect, with a default time zone
-- for requests that name none (set by the operator, or remembered from gmtTimeDiffrenceHours).
ALTER TABLE organizations ADD COLUMN compat_mode TEXT NOT NULL DEFAULT 'strict'
    CHECK (compat_mode IN ('strict', 'reference'));
ALTER TABLE organizations ADD COLUMN default_time_zone TEXT
    CHECK (default_time_zone IS NULL OR length(default_time_zone) BETWEEN 1 AND 64);
ALTER TABLE organizations ADD COLUMN default_time_zone_remembered INTEGER NOT NULL DEFAULT 0;
