//! The report: the results table, each target met or not, and the scaling curves as SVG, written
//! into `docs/benchmarks.md` between its markers and beside it under `docs/benchmarks/`.

use super::measure::{Results, Row};
use anyhow::Context;
use plotters::prelude::*;
use std::fmt::Write;
use std::path::Path;

pub const START: &str = "<!-- bench:results:start -->";
pub const END: &str = "<!-- bench:results:end -->";

fn find<'a>(
    results: &'a Results,
    backend: &str,
    providers: Option<usize>,
    operation: &str,
    mode: &str,
    clients: Option<usize>,
) -> Option<&'a Row> {
    results.rows.iter().find(|r| {
        r.backend == backend
            && providers.is_none_or(|p| r.providers == p)
            && r.operation == operation
            && r.mode == mode
            && clients.is_none_or(|c| r.clients == c)
    })
}

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "–".into(), |v| format!("{v:.digits$}"))
}

pub fn table(results: &Results) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| backend | providers | operation | mode | clients | req/s | p50 ms | p99 ms | p99.9 ms | errors | server CPU ms/req | server peak RSS MB | note |"
    );
    let _ = writeln!(out, "|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for r in &results.rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {} | {} | {} | {} |",
            r.backend,
            r.providers,
            r.operation,
            r.mode,
            r.clients,
            r.per_second,
            r.p50_ms,
            r.p99_ms,
            r.p999_ms,
            r.errors,
            opt(r.server_cpu_ms_per_request, 3),
            opt(r.peak_rss_mb, 0),
            r.note
        );
    }
    out
}

/// Each target of issue 12 against what was measured.
pub fn targets(results: &Results) -> String {
    let mut out = String::from("| target | measured | met |\n|---|---|---|\n");
    let mut line = |target: &str, measured: String, met: Option<bool>| {
        let verdict = match met {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "not measured in this run",
        };
        let _ = writeln!(out, "| {target} | {measured} | {verdict} |");
    };
    let search = |b: &str, p: usize, mode: &str| find(results, b, Some(p), "search", mode, None);
    let sqlite = search("sqlite", 2000, "closed");
    let health = find(results, "sqlite", Some(2000), "/healthz (ceiling)", "closed", None);
    line(
        "search, 2,000 providers, SQLite, 16 connections: ≥ 3,000 req/s",
        match (sqlite, health) {
            (Some(s), Some(h)) => format!(
                "{:.0} req/s ({:.1}% of /healthz at {:.0})",
                s.per_second,
                100.0 * s.per_second / h.per_second,
                h.per_second
            ),
            (Some(s), None) => format!("{:.0} req/s", s.per_second),
            _ => "–".into(),
        },
        sqlite.map(|s| s.per_second >= 3000.0),
    );
    let open = search("sqlite", 2000, "open");
    line(
        "… and p99 ≤ 10 ms offered half that rate (open loop)",
        open.map_or("–".into(), |o| format!("p99 {:.2} ms ({})", o.p99_ms, o.note)),
        open.map(|o| o.p99_ms <= 10.0),
    );
    let pg = search("postgres", 2000, "closed");
    line(
        "PostgreSQL ≥ 80% of SQLite",
        match (pg, sqlite) {
            (Some(p), Some(s)) => format!("{:.0} req/s, {:.0}%", p.per_second, 100.0 * p.per_second / s.per_second),
            _ => "–".into(),
        },
        pg.zip(sqlite).map(|(p, s)| p.per_second >= 0.8 * s.per_second),
    );
    for backend in ["sqlite", "postgres"] {
        let (small, large) = (search(backend, 2000, "closed"), search(backend, 20000, "closed"));
        line(
            &format!("search at 20,000 providers ≤ 2× its latency at 2,000 ({backend}, p50)"),
            small.zip(large).map_or("–".into(), |(s, l)| {
                format!("{:.2} ms vs {:.2} ms ({:.2}×)", l.p50_ms, s.p50_ms, l.p50_ms / s.p50_ms)
            }),
            small.zip(large).map(|(s, l)| l.p50_ms <= 2.0 * s.p50_ms),
        );
        let book = find(results, backend, None, "book", "closed", Some(16));
        let insert = find(results, backend, None, "booking insert directly in the database (ceiling)", "ceiling", None);
        line(
            &format!("booking ≥ 50% of the direct-insert ceiling ({backend}, 16 clients)"),
            book.zip(insert).map_or("–".into(), |(b, i)| {
                format!(
                    "{:.0} vs {:.0} req/s ({:.0}%)",
                    b.per_second,
                    i.per_second,
                    100.0 * b.per_second / i.per_second
                )
            }),
            book.zip(insert).map(|(b, i)| b.per_second >= 0.5 * i.per_second),
        );
        let rss = results
            .rows
            .iter()
            .filter(|r| r.backend == backend && r.providers == 20000)
            .filter_map(|r| r.peak_rss_mb)
            .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))));
        line(
            &format!("peak RSS ≤ 150 MB with 20,000 providers ({backend})"),
            opt(rss, 0) + " MB",
            rss.map(|r| r <= 150.0),
        );
    }
    for c in &results.contention {
        line(
            &format!("64 racers for one slot: exactly one winner, every run ({})", c.backend),
            format!(
                "{} of {} runs; {} attempts ended in an error",
                c.exactly_one_winner,
                c.rounds,
                c.failed.iter().sum::<usize>()
            ),
            Some(c.exactly_one_winner == c.rounds && c.failed.iter().all(|&f| f == 0)),
        );
    }
    out
}

const COLOURS: [RGBColor; 4] =
    [RGBColor(31, 119, 180), RGBColor(255, 127, 14), RGBColor(44, 160, 44), RGBColor(214, 39, 40)];

/// One line chart with a log-scaled x axis; `series` are (label, points).
fn chart(
    path: &Path,
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[(String, Vec<(f64, f64)>)],
) -> anyhow::Result<()> {
    let xs: Vec<f64> = series.iter().flat_map(|(_, p)| p.iter().map(|(x, _)| *x)).collect();
    let ys: Vec<f64> = series.iter().flat_map(|(_, p)| p.iter().map(|(_, y)| *y)).collect();
    if xs.is_empty() {
        return Ok(());
    }
    let (x0, x1) = (xs.iter().copied().fold(f64::MAX, f64::min), xs.iter().copied().fold(0.0, f64::max));
    let y1 = ys.iter().copied().fold(0.0, f64::max) * 1.15 + 1e-9;
    let root = SVGBackend::new(path, (760, 420)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d((x0 * 0.8..x1 * 1.25).log_scale(), 0.0..y1)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .draw()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    for (i, (label, points)) in series.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        chart
            .draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .label(label.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2)));
        chart
            .draw_series(points.iter().map(|p| Circle::new(*p, 4, colour.filled())))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    root.present().map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

fn points(
    results: &Results,
    backend: &str,
    operation: &str,
    mode: &str,
    x: impl Fn(&Row) -> f64,
    y: impl Fn(&Row) -> f64,
) -> Vec<(f64, f64)> {
    let mut p: Vec<(f64, f64)> = results
        .rows
        .iter()
        .filter(|r| r.backend == backend && r.operation == operation && r.mode == mode)
        .map(|r| (x(r), y(r)))
        .collect();
    p.sort_by(|a, b| a.0.total_cmp(&b.0));
    p
}

/// Draws the three charts into `dir`.
pub fn charts(results: &Results, dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let backends = ["sqlite", "postgres"];
    let size = |r: &Row| r.providers as f64;
    let mut latency = Vec::new();
    let mut throughput = Vec::new();
    let mut booking = Vec::new();
    for b in backends {
        latency.push((format!("{b} p50"), points(results, b, "search", "closed", size, |r| r.p50_ms)));
        latency.push((format!("{b} p99"), points(results, b, "search", "closed", size, |r| r.p99_ms)));
        throughput.push((format!("{b} search"), points(results, b, "search", "closed", size, |r| r.per_second)));
        booking
            .push((format!("{b} book"), points(results, b, "book", "closed", |r| r.clients as f64, |r| r.per_second)));
    }
    latency.retain(|(_, p)| !p.is_empty());
    throughput.retain(|(_, p)| !p.is_empty());
    booking.retain(|(_, p)| !p.is_empty());
    chart(
        &dir.join("search-latency.svg"),
        "Search latency, 16 connections",
        "providers in the directory",
        "ms",
        &latency,
    )?;
    chart(
        &dir.join("search-throughput.svg"),
        "Search throughput, 16 connections",
        "providers in the directory",
        "requests per second",
        &throughput,
    )?;
    chart(
        &dir.join("booking-throughput.svg"),
        "Booking throughput",
        "concurrent clients",
        "attempts per second",
        &booking,
    )?;
    Ok(())
}

/// Replaces what lies between the markers in `doc` with `generated`.
pub fn update_doc(doc: &Path, generated: &str) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(doc).with_context(|| format!("reading {}", doc.display()))?;
    let (Some(start), Some(end)) = (text.find(START), text.find(END)) else {
        anyhow::bail!("{} has no {START} … {END} markers", doc.display());
    };
    let updated = format!("{}{START}\n{generated}\n{}", &text[..start], &text[end..]);
    std::fs::write(doc, updated)?;
    Ok(())
}

/// The generated part of the document.
pub fn generated(results: &Results) -> String {
    format!(
        "Measured on: {}. Each run lasts {:.0} s.\n\n### Targets\n\n{}\n### Scaling\n\n\
         ![Search latency](benchmarks/search-latency.svg)\n\n![Search throughput](benchmarks/search-throughput.svg)\n\n\
         ![Booking throughput](benchmarks/booking-throughput.svg)\n\n### Every result\n\n{}",
        results.machine,
        results.seconds_per_run,
        targets(results),
        table(results)
    )
}
