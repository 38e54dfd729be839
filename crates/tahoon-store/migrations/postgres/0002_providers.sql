-- Care providers, the filter catalogue, availability, and the users and bookings that search
-- reads (their own issues add the rest of their columns). Instants are microseconds since the
-- Unix epoch (UTC); local dates are 'YYYY-MM-DD'; local times are minutes since midnight.

CREATE TABLE catalogue_items (
    kind       TEXT   NOT NULL CHECK (kind IN ('language', 'specialty', 'experienceLevel', 'providerLevel')),
    id         BIGINT NOT NULL,
    name_plang TEXT   NOT NULL,
    name_slang TEXT   NOT NULL,
    PRIMARY KEY (kind, id)
);

CREATE TABLE care_providers (
    id                  BIGSERIAL PRIMARY KEY,
    external_id         TEXT    NOT NULL UNIQUE,
    first_name_plang    TEXT    NOT NULL,
    last_name_plang     TEXT    NOT NULL,
    first_name_slang    TEXT    NOT NULL,
    last_name_slang     TEXT    NOT NULL,
    gender              BIGINT NOT NULL CHECK (gender IN (0, 1)),
    experience_years    BIGINT NOT NULL,
    experience_level_id BIGINT,
    provider_level_id   BIGINT,
    bio_short_plang     TEXT    NOT NULL,
    bio_short_slang     TEXT    NOT NULL,
    bio_long_plang      TEXT    NOT NULL,
    bio_long_slang      TEXT    NOT NULL,
    education           TEXT    NOT NULL,
    certifications      TEXT    NOT NULL,
    profile_image_url   TEXT,
    rating              DOUBLE PRECISION NOT NULL,
    review_count        BIGINT NOT NULL,
    time_zone           TEXT    NOT NULL,
    active              BOOLEAN NOT NULL DEFAULT TRUE,
    min_notice_minutes  BIGINT NOT NULL,
    horizon_days        BIGINT NOT NULL,
    buffer_minutes      BIGINT NOT NULL,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);

CREATE TABLE provider_languages (
    provider_id BIGINT NOT NULL REFERENCES care_providers (id) ON DELETE CASCADE,
    language_id BIGINT NOT NULL,
    PRIMARY KEY (provider_id, language_id)
);

CREATE TABLE provider_specialties (
    provider_id  BIGINT NOT NULL REFERENCES care_providers (id) ON DELETE CASCADE,
    specialty_id BIGINT NOT NULL,
    PRIMARY KEY (provider_id, specialty_id)
);

-- Position 0 is the provider's default session length.
CREATE TABLE provider_rates (
    provider_id      BIGINT NOT NULL REFERENCES care_providers (id) ON DELETE CASCADE,
    position         BIGINT NOT NULL,
    duration_minutes BIGINT NOT NULL CHECK (duration_minutes > 0),
    price_minor      BIGINT NOT NULL CHECK (price_minor >= 0),
    currency         TEXT   NOT NULL,
    PRIMARY KEY (provider_id, position)
);

CREATE TABLE availability_rules (
    provider_id  BIGINT NOT NULL REFERENCES care_providers (id) ON DELETE CASCADE,
    weekday      BIGINT NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    start_minute BIGINT NOT NULL,
    end_minute   BIGINT NOT NULL,
    CHECK (start_minute >= 0 AND start_minute < end_minute AND end_minute <= 1440)
);
CREATE INDEX availability_rules_provider ON availability_rules (provider_id);

CREATE TABLE availability_exceptions (
    provider_id  BIGINT NOT NULL REFERENCES care_providers (id) ON DELETE CASCADE,
    local_date   TEXT   NOT NULL,
    kind         TEXT   NOT NULL CHECK (kind IN ('timeOff', 'extraHours')),
    start_minute BIGINT NOT NULL,
    end_minute   BIGINT NOT NULL,
    CHECK (start_minute >= 0 AND start_minute < end_minute AND end_minute <= 1440)
);
CREATE INDEX availability_exceptions_date ON availability_exceptions (local_date, provider_id);

CREATE TABLE users (
    id              BIGSERIAL PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    reference_id    TEXT,
    name            TEXT,
    dob             TEXT,
    gender          BIGINT,
    created_at      BIGINT NOT NULL,
    UNIQUE (organization_id, reference_id)
);

-- Status codes are the reference's: 6 Pending and 1 Confirmed hold their time.
CREATE TABLE bookings (
    id              BIGSERIAL PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    user_id         BIGINT NOT NULL REFERENCES users (id),
    provider_id     BIGINT NOT NULL REFERENCES care_providers (id),
    starts_at       BIGINT NOT NULL,
    ends_at         BIGINT NOT NULL,
    status          BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    CHECK (starts_at < ends_at)
);
CREATE INDEX bookings_provider_time ON bookings (provider_id, starts_at);
CREATE INDEX bookings_user_time ON bookings (user_id, starts_at);

INSERT INTO catalogue_items (kind, id, name_plang, name_slang) VALUES
    ('language', 1, 'English', 'الإنجليزية'),
    ('language', 2, 'Arabic', 'العربية'),
    ('language', 3, 'French', 'الفرنسية'),
    ('language', 4, 'Urdu', 'الأردية'),
    ('language', 5, 'Hindi', 'الهندية'),
    ('language', 6, 'Spanish', 'الإسبانية'),
    ('specialty', 1, 'Anxiety', 'القلق'),
    ('specialty', 2, 'Depression', 'الاكتئاب'),
    ('specialty', 3, 'Stress management', 'إدارة الضغوط'),
    ('specialty', 4, 'Relationships', 'العلاقات'),
    ('specialty', 5, 'Trauma and PTSD', 'الصدمات واضطراب ما بعد الصدمة'),
    ('specialty', 6, 'Sleep problems', 'مشكلات النوم'),
    ('specialty', 7, 'Grief and loss', 'الحزن والفقد'),
    ('specialty', 8, 'Addiction', 'الإدمان'),
    ('specialty', 9, 'Children and adolescents', 'الأطفال والمراهقون'),
    ('specialty', 10, 'Workplace wellbeing', 'الصحة النفسية في بيئة العمل'),
    ('experienceLevel', 1, '0–4 years', '0–4 سنوات'),
    ('experienceLevel', 2, '5–9 years', '5–9 سنوات'),
    ('experienceLevel', 3, '10–14 years', '10–14 سنة'),
    ('experienceLevel', 4, '15 years or more', '15 سنة فأكثر'),
    ('providerLevel', 1, 'Junior', 'مبتدئ'),
    ('providerLevel', 2, 'Senior', 'أول'),
    ('providerLevel', 3, 'Consultant', 'استشاري');
