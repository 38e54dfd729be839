//! Fresh, throw-away databases for tests: a temporary SQLite file, or a new PostgreSQL database
//! on the server named by `TAHOON_TEST_POSTGRES_URL`. Dropped databases are deleted.

use crate::store::Backend;
use sqlx::Connection;
use std::path::PathBuf;

pub const POSTGRES_URL_VAR: &str = "TAHOON_TEST_POSTGRES_URL";

pub struct TestDatabase {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    SqliteFile(PathBuf),
    PostgresDatabase { admin_url: String, name: String },
}

impl TestDatabase {
    /// A new empty database, or `None` for PostgreSQL when `TAHOON_TEST_POSTGRES_URL` is unset.
    /// When it is set, an unreachable server is an error (CI must not skip silently).
    pub async fn create(backend: Backend) -> Option<TestDatabase> {
        let unique = uuid::Uuid::new_v4().simple().to_string();
        match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("tahoon-test-{unique}.db"));
                Some(TestDatabase { url: format!("sqlite://{}", path.display()), cleanup: Cleanup::SqliteFile(path) })
            }
            Backend::Postgres => {
                let admin_url = std::env::var(POSTGRES_URL_VAR).ok().filter(|u| !u.is_empty())?;
                let name = format!("tahoon_test_{unique}");
                let mut conn = sqlx::PgConnection::connect(&admin_url)
                    .await
                    .unwrap_or_else(|e| panic!("{POSTGRES_URL_VAR} is set but PostgreSQL is unreachable: {e}"));
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
                    .execute(&mut conn)
                    .await
                    .expect("create test database");
                let mut url = url::Url::parse(&admin_url).expect("TAHOON_TEST_POSTGRES_URL is a URL");
                url.set_path(&format!("/{name}"));
                Some(TestDatabase { url: url.to_string(), cleanup: Cleanup::PostgresDatabase { admin_url, name } })
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::SqliteFile(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::PostgresDatabase { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop runs outside any runtime we may block on: use a thread with its own.
                let _ = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
                    runtime.block_on(async {
                        let mut conn = sqlx::PgConnection::connect(&admin_url).await.ok()?;
                        let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.ok()
                    })
                })
                .join();
            }
        }
    }
}

/// Declares each listed async test function (taking a `Backend`) twice: in `mod sqlite` and in
/// `mod postgres`, so every PostgreSQL test's name contains `postgres`.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    super::$name($crate::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    if std::env::var($crate::testing::POSTGRES_URL_VAR).map_or(true, |u| u.is_empty()) {
                        eprintln!("skipped: {} is not set", $crate::testing::POSTGRES_URL_VAR);
                        return;
                    }
                    super::$name($crate::Backend::Postgres).await
                }
            )*
        }
    };
}

/// Flips the outcome of audit row `seq` behind the application's back (the append-only triggers
/// dropped first), as an attacker with database access would.
pub async fn tamper_with_audit_row(url: &str, seq: i64) -> Result<(), sqlx::Error> {
    let sql = format!(
        "UPDATE audit_log SET outcome = CASE outcome WHEN 'success' THEN 'failure' ELSE 'success' END WHERE seq = {seq}"
    );
    behind_the_triggers(url, &[&sql]).await
}

/// Deletes audit row `seq` behind the application's back.
pub async fn delete_audit_row(url: &str, seq: i64) -> Result<(), sqlx::Error> {
    behind_the_triggers(url, &[&format!("DELETE FROM audit_log WHERE seq = {seq}")]).await
}

/// Swaps the places (`seq`) of audit rows `a` and `b` behind the application's back.
pub async fn swap_audit_rows(url: &str, a: i64, b: i64) -> Result<(), sqlx::Error> {
    let statements = [
        format!("UPDATE audit_log SET seq = -1 WHERE seq = {a}"),
        format!("UPDATE audit_log SET seq = {a} WHERE seq = {b}"),
        format!("UPDATE audit_log SET seq = {b} WHERE seq = -1"),
    ];
    behind_the_triggers(url, &statements.iter().map(String::as_str).collect::<Vec<_>>()).await
}

/// Runs `statements` with the audit log's append-only triggers dropped (on a connection of its
/// own; the triggers stay dropped for the rest of the test's database).
async fn behind_the_triggers(url: &str, statements: &[&str]) -> Result<(), sqlx::Error> {
    match Backend::from_url(url) {
        Ok(Backend::Sqlite) => {
            let mut conn = sqlx::SqliteConnection::connect(url).await?;
            for drop in ["DROP TRIGGER IF EXISTS audit_log_no_update", "DROP TRIGGER IF EXISTS audit_log_no_delete"] {
                sqlx::query(drop).execute(&mut conn).await?;
            }
            for sql in statements {
                sqlx::query(sqlx::AssertSqlSafe(*sql)).execute(&mut conn).await?;
            }
        }
        _ => {
            let mut conn = sqlx::PgConnection::connect(url).await?;
            sqlx::query("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log").execute(&mut conn).await?;
            for sql in statements {
                sqlx::query(sqlx::AssertSqlSafe(*sql)).execute(&mut conn).await?;
            }
        }
    }
    Ok(())
}

/// A complete provider for tests: Riyadh, Monday–Thursday 09:00–17:00, 60-minute sessions.
pub fn sample_provider(external_id: &str) -> tahoon_domain::provider::CareProvider {
    use tahoon_domain::availability::{BookingPolicy, LocalWindow, WeeklyRule, weekday_from_number};
    use tahoon_domain::provider::*;
    CareProvider {
        id: tahoon_domain::ids::Id::new(0), // not stored yet: `upsert_care_provider` assigns it
        external_id: external_id.into(),
        names: Names {
            first_plang: "Sarah".into(),
            last_plang: "Ahmed".into(),
            first_slang: "سارة".into(),
            last_slang: "أحمد".into(),
        },
        gender: Gender::Female,
        experience_years: 10,
        experience_level_id: Some(3),
        provider_level_id: Some(3),
        language_ids: vec![1, 2],
        specialty_ids: vec![1, 2],
        rates: vec![
            SessionRate { duration_minutes: 60, price_minor: 25_000, currency: "SAR".into() },
            SessionRate { duration_minutes: 30, price_minor: 15_000, currency: "SAR".into() },
        ],
        bio: Bio {
            short_plang: "Clinical psychologist".into(),
            short_slang: "أخصائية نفسية إكلينيكية".into(),
            long_plang: "Ten years of practice.".into(),
            long_slang: "عشر سنوات من الممارسة.".into(),
        },
        education: vec![Education {
            degree: "PhD Clinical Psychology".into(),
            institution: "King Saud University".into(),
            year: Some(2014),
        }],
        certifications: vec![Certification { name: "CBT".into(), issuer: "Beck Institute".into(), year: Some(2016) }],
        profile_image_url: Some("https://example.org/sarah.jpg".into()),
        rating: 4.8,
        review_count: 120,
        time_zone: "Asia/Riyadh".into(),
        active: true,
        policy: BookingPolicy { min_notice_minutes: 60, horizon_days: 60, buffer_minutes: 0 },
        weekly: (1..=4)
            .map(|d| WeeklyRule {
                weekday: weekday_from_number(d).unwrap(),
                window: LocalWindow::new(540, 1020).unwrap(),
            })
            .collect(),
        exceptions: Vec::new(),
    }
}
