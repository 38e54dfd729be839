//! Load in two shapes. Closed loop: N connections each send the next request when the last one
//! answers (throughput). Open loop: requests start on a fixed schedule whatever the answers, and
//! each latency counts from when its request was due, not from when it could be sent, so a stall
//! shows in full (coordinated omission corrected).

use hdrhistogram::Histogram;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// Latencies in microseconds, up to a minute.
pub fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("valid bounds")
}

#[derive(Debug, Clone)]
pub struct Measured {
    pub requests: u64,
    pub errors: u64,
    pub elapsed: Duration,
    pub latency: Histogram<u64>,
}

impl Measured {
    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    pub fn percentile_ms(&self, p: f64) -> f64 {
        self.latency.value_at_quantile(p / 100.0) as f64 / 1000.0
    }
}

/// `connections` loops calling `op(connection, n)` until `duration` passes; `op` answers whether
/// the request succeeded, or `None` when it has nothing left to send (that loop stops).
pub async fn closed_loop<F, Fut>(connections: usize, duration: Duration, op: F) -> Measured
where
    F: Fn(usize, u64) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Option<bool>> + Send,
{
    let start = Instant::now();
    let end = start + duration;
    let errors = Arc::new(AtomicU64::new(0));
    let total = Arc::new(Mutex::new(histogram()));
    let tasks: Vec<_> = (0..connections)
        .map(|c| {
            let (op, errors, total) = (op.clone(), errors.clone(), total.clone());
            tokio::spawn(async move {
                let mut own = histogram();
                let mut n = 0u64;
                while Instant::now() < end {
                    let sent = Instant::now();
                    match op(c, n).await {
                        None => break,
                        Some(false) => {
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                        Some(true) => {}
                    }
                    own.saturating_record(sent.elapsed().as_micros() as u64);
                    n += 1;
                }
                total.lock().await.add(&own).expect("same bounds");
            })
        })
        .collect();
    for task in tasks {
        let _ = task.await;
    }
    let elapsed = start.elapsed();
    let latency = Arc::try_unwrap(total).map(Mutex::into_inner).unwrap_or_else(|shared| shared.blocking_lock().clone());
    Measured { requests: latency.len(), errors: errors.load(Ordering::Relaxed), elapsed, latency }
}

/// Requests started at `rate` per second for `duration`, each timed from when it was due.
pub async fn open_loop<F, Fut>(rate: f64, duration: Duration, op: F) -> Measured
where
    F: Fn(u64) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = bool> + Send + 'static,
{
    let start = Instant::now();
    let count = (rate * duration.as_secs_f64()).max(1.0) as u64;
    let interval = Duration::from_secs_f64(1.0 / rate.max(1e-3));
    let errors = Arc::new(AtomicU64::new(0));
    let total = Arc::new(std::sync::Mutex::new(histogram()));
    let mut tasks = Vec::with_capacity(count as usize);
    for n in 0..count {
        let due = start + interval.mul_f64(n as f64);
        tokio::time::sleep_until(due.into()).await;
        let (op, errors, total) = (op.clone(), errors.clone(), total.clone());
        tasks.push(tokio::spawn(async move {
            if !op(n).await {
                errors.fetch_add(1, Ordering::Relaxed);
            }
            let waited = due.elapsed().as_micros() as u64;
            total.lock().unwrap_or_else(|p| p.into_inner()).saturating_record(waited);
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let elapsed = start.elapsed();
    let latency = total.lock().unwrap_or_else(|p| p.into_inner()).clone();
    Measured { requests: latency.len(), errors: errors.load(Ordering::Relaxed), elapsed, latency }
}
