//! `tahoon migrate-data --from sqlite://… --to postgres://…`: every table copied as it is (ids
//! unchanged), in an order that satisfies the foreign keys, in one transaction on the target;
//! then the target's sequences advanced past the copied ids, the row counts compared and the
//! audit chain verified on the target.
//!
//! The target's schema is the reference (both are migrated to the same version first): its
//! tables, their columns and types. A non-empty target is refused unless `--replace` says to
//! empty it first. The target's own triggers are paused during the copy (they would record the
//! copied rows as new changes), so the copy is exact.

use crate::cli::MigrateDataArgs;
use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use sqlx::{Column, PgPool, Postgres, QueryBuilder, Row, SqlitePool};
use std::collections::{BTreeMap, BTreeSet};
use std::process::ExitCode;
use tahoon_domain::audit::ChainVerifier;
use tahoon_store::Backend;

/// Rows read and written at a time.
const CHUNK: i64 = 500;

/// Tables the migrations themselves fill (the built-in catalogue, the outbox consumers, the
/// settings counter): a freshly migrated target holds these rows, and the source holds them too,
/// so they do not make a target "not empty" and are replaced like everything else.
const SEEDED_BY_MIGRATIONS: &[&str] = &["catalogue_items", "outbox_consumers", "settings_version"];

/// A column of the target: its name and how its values travel.
struct TargetColumn {
    name: String,
    kind: Kind,
}

#[derive(Clone, Copy)]
enum Kind {
    Integer,
    Boolean,
    Float,
    Text,
}

enum Cell {
    Integer(Option<i64>),
    Boolean(Option<bool>),
    Float(Option<f64>),
    Text(Option<String>),
}

pub async fn run(args: MigrateDataArgs) -> anyhow::Result<ExitCode> {
    if Backend::from_url(&args.from).ok() != Some(Backend::Sqlite) {
        bail!("--from must be a sqlite:// URL");
    }
    if Backend::from_url(&args.to).ok() != Some(Backend::Postgres) {
        bail!("--to must be a postgres:// URL");
    }
    // Both schemas at the same version: the stores apply their migrations when opened.
    tahoon_store::open(&args.from).await.context("opening the SQLite database")?;
    let target_store = tahoon_store::open(&args.to).await.context("opening the PostgreSQL database")?;
    let source = SqlitePool::connect(&args.from).await?;
    let target = PgPool::connect(&args.to).await?;

    let tables = tables_in_dependency_order(&target).await?;
    let mut columns = BTreeMap::new();
    let mut total = 0u64;
    for table in &tables {
        let wanted = target_columns(&target, table).await?;
        check_source_has(&source, table, &wanted).await?;
        let (rows,): (i64,) =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"))).fetch_one(&source).await?;
        total += rows.max(0) as u64;
        columns.insert(table.clone(), wanted);
    }
    let occupied = occupied_tables(&target, &tables).await?;
    if !occupied.is_empty() && !args.replace {
        bail!("the target is not empty ({} hold rows); give --replace to empty it first", occupied.join(", "));
    }

    let progress = ProgressBar::new(total);
    progress.set_style(ProgressStyle::with_template("copying {msg:24} {bar:40} {pos}/{len} rows ({per_sec})")?);
    let mut tx = target.begin().await?;
    for table in &tables {
        sqlx::query(sqlx::AssertSqlSafe(format!("ALTER TABLE {table} DISABLE TRIGGER USER"))).execute(&mut *tx).await?;
    }
    // Everything the target holds goes: what the migrations seeded comes again from the source.
    let all = tables.join(", ");
    sqlx::query(sqlx::AssertSqlSafe(format!("TRUNCATE {all} RESTART IDENTITY CASCADE"))).execute(&mut *tx).await?;
    let mut copied = BTreeMap::new();
    for table in &tables {
        progress.set_message(table.clone());
        let n = copy_table(&source, &mut tx, table, &columns[table], &progress).await?;
        copied.insert(table.clone(), n);
    }
    for table in &tables {
        sqlx::query(sqlx::AssertSqlSafe(format!("ALTER TABLE {table} ENABLE TRIGGER USER"))).execute(&mut *tx).await?;
    }
    advance_sequences(&mut tx, &tables).await?;
    tx.commit().await?;
    progress.finish_and_clear();

    // What arrived: every table's count, and an intact audit chain.
    for table in &tables {
        let (rows,): (i64,) =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"))).fetch_one(&target).await?;
        if rows != copied[table] {
            bail!("{table}: {} rows copied but {rows} in the target", copied[table]);
        }
    }
    let mut verifier = ChainVerifier::default();
    let mut after = 0;
    loop {
        let page = target_store.audit_entries(after, 2_000).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for entry in &page {
            verifier.check(entry).map_err(|broken| anyhow::anyhow!("the copied audit chain is broken: {broken}"))?;
        }
    }
    let head = verifier.head().map(|(seq, hash)| json!({ "seq": seq, "hash": hash }));
    eprintln!(
        "copied {} rows in {} tables; audit chain intact ({} entries)",
        copied.values().sum::<i64>(),
        tables.len(),
        verifier.checked()
    );
    println!("{}", json!({ "tables": copied, "auditChecked": verifier.checked(), "auditHead": head }));
    Ok(ExitCode::SUCCESS)
}

/// The target's tables, each after the tables its foreign keys name.
async fn tables_in_dependency_order(target: &PgPool) -> anyhow::Result<Vec<String>> {
    let tables: Vec<(String,)> = sqlx::query_as(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() \
         AND table_type = 'BASE TABLE' AND table_name NOT LIKE '\\_sqlx%' ORDER BY table_name",
    )
    .fetch_all(target)
    .await?;
    let edges: Vec<(String, String)> = sqlx::query_as(
        "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint \
         WHERE contype = 'f' AND connamespace = current_schema()::regnamespace",
    )
    .fetch_all(target)
    .await?;
    let mut remaining: BTreeSet<String> = tables.into_iter().map(|(t,)| t).collect();
    let mut ordered = Vec::new();
    while !remaining.is_empty() {
        let ready: Vec<String> = remaining
            .iter()
            .filter(|t| edges.iter().all(|(child, parent)| child != *t || parent == *t || !remaining.contains(parent)))
            .cloned()
            .collect();
        if ready.is_empty() {
            bail!("the target's foreign keys form a cycle: {remaining:?}");
        }
        for table in ready {
            remaining.remove(&table);
            ordered.push(table);
        }
    }
    Ok(ordered)
}

async fn target_columns(target: &PgPool, table: &str) -> anyhow::Result<Vec<TargetColumn>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT column_name::text, data_type::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER' \
         ORDER BY ordinal_position",
    )
    .bind(table)
    .fetch_all(target)
    .await?;
    rows.into_iter()
        .map(|(name, data_type)| {
            let kind = match data_type.as_str() {
                "bigint" | "integer" | "smallint" => Kind::Integer,
                "boolean" => Kind::Boolean,
                "double precision" | "real" => Kind::Float,
                "text" | "character varying" => Kind::Text,
                other => bail!("{table}.{name}: the type {other} is not one this copy knows"),
            };
            Ok(TargetColumn { name, kind })
        })
        .collect()
}

async fn check_source_has(source: &SqlitePool, table: &str, wanted: &[TargetColumn]) -> anyhow::Result<()> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT * FROM {table} LIMIT 0"))).fetch_optional(source).await;
    let names: BTreeSet<String> = match row {
        Ok(_) => sqlx::query_as::<_, (String,)>("SELECT name FROM pragma_table_info(?1)")
            .bind(table)
            .fetch_all(source)
            .await?
            .into_iter()
            .map(|(n,)| n)
            .collect(),
        Err(e) => bail!("the SQLite database has no table {table}: {e}"),
    };
    for column in wanted {
        if !names.contains(&column.name) {
            bail!("the SQLite table {table} has no column {}", column.name);
        }
    }
    Ok(())
}

async fn occupied_tables(target: &PgPool, tables: &[String]) -> anyhow::Result<Vec<String>> {
    let mut occupied = Vec::new();
    for table in tables.iter().filter(|t| !SEEDED_BY_MIGRATIONS.contains(&t.as_str())) {
        let row =
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT 1 FROM {table} LIMIT 1"))).fetch_optional(target).await?;
        if row.is_some() {
            occupied.push(table.clone());
        }
    }
    Ok(occupied)
}

async fn copy_table(
    source: &SqlitePool,
    tx: &mut sqlx::Transaction<'static, Postgres>,
    table: &str,
    columns: &[TargetColumn],
    progress: &ProgressBar,
) -> anyhow::Result<i64> {
    let names = columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ");
    let mut copied = 0i64;
    loop {
        // SQLite's rowid keeps the order the rows were written in, and pages stably.
        let select = format!("SELECT {names} FROM {table} ORDER BY rowid LIMIT {CHUNK} OFFSET {copied}");
        let rows = sqlx::query(sqlx::AssertSqlSafe(select)).fetch_all(source).await?;
        if rows.is_empty() {
            break;
        }
        let mut insert = QueryBuilder::<Postgres>::new(format!("INSERT INTO {table} ({names}) "));
        let mut cells = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut values = Vec::with_capacity(columns.len());
            for (i, column) in columns.iter().enumerate() {
                let name = row.column(i).name();
                let cell = match column.kind {
                    Kind::Integer => Cell::Integer(row.try_get(i).with_context(|| format!("{table}.{name}"))?),
                    Kind::Boolean => Cell::Boolean(
                        row.try_get::<Option<i64>, _>(i).with_context(|| format!("{table}.{name}"))?.map(|v| v != 0),
                    ),
                    Kind::Float => Cell::Float(row.try_get(i).with_context(|| format!("{table}.{name}"))?),
                    Kind::Text => Cell::Text(row.try_get(i).with_context(|| format!("{table}.{name}"))?),
                };
                values.push(cell);
            }
            cells.push(values);
        }
        insert.push_values(cells, |mut row, values| {
            for cell in values {
                match cell {
                    Cell::Integer(v) => row.push_bind(v),
                    Cell::Boolean(v) => row.push_bind(v),
                    Cell::Float(v) => row.push_bind(v),
                    Cell::Text(v) => row.push_bind(v),
                };
            }
        });
        insert.build().execute(&mut **tx).await.with_context(|| format!("writing {table}"))?;
        copied += rows.len() as i64;
        progress.inc(rows.len() as u64);
    }
    Ok(copied)
}

/// Every sequence a column takes its default from, set past the largest copied value.
async fn advance_sequences(tx: &mut sqlx::Transaction<'static, Postgres>, tables: &[String]) -> anyhow::Result<()> {
    for table in tables {
        let serial: Vec<(String,)> = sqlx::query_as(
            "SELECT column_name::text FROM information_schema.columns WHERE table_schema = current_schema() \
             AND table_name = $1 AND (column_default LIKE 'nextval(%' OR is_identity = 'YES')",
        )
        .bind(table)
        .fetch_all(&mut **tx)
        .await?;
        for (column,) in serial {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence('{table}', '{column}'), COALESCE(MAX({column}), 1), MAX({column}) IS NOT NULL) FROM {table}"
            );
            sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut **tx).await?;
        }
    }
    Ok(())
}
