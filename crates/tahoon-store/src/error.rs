use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("unsupported database URL (expected sqlite://… or postgres://…): {0}")]
    UnsupportedUrl(String),
    #[error("a stored value is invalid: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
}
