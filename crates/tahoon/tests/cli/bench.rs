//! `tahoon bench`: the seed is deterministic and refuses a database holding data; a short run
//! over a tiny directory measures every operation, finds exactly one winner among 64 racers for
//! one slot every round, and writes the results, the report section and its charts.

use super::*;

pub async fn bench_seeds_measures_and_reports(backend: Backend) {
    if backend == Backend::Postgres {
        // The run makes its own PostgreSQL databases; one backend keeps this test short.
        return;
    }
    let cli = Cli::new(backend).await;
    let credentials = cli.dir.join("credentials.json");
    let seeded = cli.run(&["bench", "seed", "--providers", "12", "--credentials", credentials.to_str().unwrap()]);
    assert!(seeded.status.success(), "{}", String::from_utf8_lossy(&seeded.stderr));
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&credentials).unwrap()).unwrap();
    assert_eq!(written["organizations"].as_array().unwrap().len(), 50);
    assert_eq!(written["providers"].as_array().unwrap().len(), 12);
    assert_eq!(written["bookings"], 12 * 25, "25 bookings per provider");
    let again = cli.run(&["bench", "seed", "--providers", "12", "--credentials", credentials.to_str().unwrap()]);
    assert!(!again.status.success() && String::from_utf8_lossy(&again.stderr).contains("not empty"));

    let out = cli.dir.join("bench");
    let doc = cli.dir.join("benchmarks.md");
    std::fs::write(&doc, "# Benchmarks\n\n<!-- bench:results:start -->\nold\n<!-- bench:results:end -->\n").unwrap();
    let run = cli
        .command()
        .args(["bench", "run", "--providers", "20", "--backends", "sqlite", "--seconds", "0.3"])
        .args(["--booking-providers", "20", "--clients", "2", "--out", out.to_str().unwrap()])
        .args(["--doc", doc.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let results: Value = serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let operations: Vec<&str> =
        results["rows"].as_array().unwrap().iter().map(|r| r["operation"].as_str().unwrap()).collect();
    for wanted in ["/healthz (ceiling)", "search", "schedule", "token refresh", "book", "cancel"] {
        assert!(operations.contains(&wanted), "{wanted} measured: {operations:?}");
    }
    for row in results["rows"].as_array().unwrap() {
        assert!(row["requests"].as_u64().unwrap() > 0, "{row}");
        assert_eq!(row["errors"], 0, "{row}");
    }
    // 64 racers for one fresh slot: one booking, every round; never two.
    let contention = &results["contention"][0];
    assert_eq!(contention["exactlyOneWinner"], contention["rounds"], "{contention}");
    assert!(contention["winners"].as_array().unwrap().iter().all(|w| w == 1), "{contention}");
    assert!(contention["failed"].as_array().unwrap().iter().all(|f| f == 0), "{contention}");
    let report = std::fs::read_to_string(&doc).unwrap();
    assert!(report.contains("| target | measured | met |") && !report.contains("\nold\n"), "{report}");
    for chart in ["search-latency.svg", "search-throughput.svg", "booking-throughput.svg"] {
        let svg = std::fs::read_to_string(cli.dir.join("benchmarks").join(chart)).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("sqlite"), "{chart}");
    }
}
