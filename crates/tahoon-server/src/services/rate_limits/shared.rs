//! Rate-limit state in Redis: one key per limited thing holding its TAT, read and written by one
//! script (`gcra.lua`) so concurrent instances never lose an update. Unreachable Redis is skipped
//! for a second at a time; the caller decides in process meanwhile.

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tahoon_domain::rate_limit::{Decision, Quota, decide};

/// How long one decision may wait for Redis before the process decides alone.
const CALL_TIMEOUT: Duration = Duration::from_millis(250);
/// How long an unreachable Redis is left alone before it is tried again.
const RETRY_AFTER: Duration = Duration::from_secs(1);

pub struct SharedLimits {
    connection: ConnectionManager,
    script: redis::Script,
    prefix: String,
    /// Whether the last call reached Redis (logged and measured when it changes).
    reachable: AtomicBool,
    /// Until when calls skip Redis after a failure.
    skip_until: Mutex<Option<Instant>>,
}

impl SharedLimits {
    pub fn new(url: &str, prefix: &str) -> Result<SharedLimits, redis::RedisError> {
        let client = redis::Client::open(url)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(CALL_TIMEOUT))
            .set_response_timeout(Some(CALL_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(RETRY_AFTER);
        let connection = ConnectionManager::new_lazy_with_config(client, config)?;
        metrics::gauge!("tahoon_rate_limit_redis_up").set(1.0);
        Ok(SharedLimits {
            connection,
            script: redis::Script::new(include_str!("gcra.lua")),
            prefix: prefix.to_string(),
            reachable: AtomicBool::new(true),
            skip_until: Mutex::new(None),
        })
    }

    pub fn available(&self) -> bool {
        self.reachable.load(Ordering::Relaxed)
    }

    /// Decides by Redis's clock; `None` when Redis cannot be asked now.
    pub async fn decide(&self, key: &str, quota: Quota) -> Option<Decision> {
        if self.skipping() {
            return None;
        }
        match tokio::time::timeout(CALL_TIMEOUT, self.run(key, quota, None)).await {
            Ok(Ok(decision)) => {
                self.reached();
                Some(decision)
            }
            Ok(Err(e)) => {
                self.failed(&e.to_string());
                None
            }
            Err(_) => {
                self.failed("no answer in time");
                None
            }
        }
    }

    /// One script call; `now` (microseconds) replaces Redis's clock (tests compare the script
    /// with the domain's arithmetic on chosen instants).
    pub async fn run(&self, key: &str, quota: Quota, now: Option<i64>) -> redis::RedisResult<Decision> {
        let mut connection = self.connection.clone();
        let (allowed, tat, now): (i64, i64, i64) = self
            .script
            .key(format!("{}{key}", self.prefix))
            .arg(quota.limit())
            .arg(quota.period_micros())
            .arg(now.map(|n| n.to_string()).unwrap_or_default())
            .invoke_async(&mut connection)
            .await?;
        // The domain's arithmetic on the TAT the script read gives the same verdict and the
        // numbers the headers need.
        let decision = decide(quota, Some(tat), now);
        debug_assert_eq!(decision.allowed, allowed == 1, "the script and the domain agree");
        Ok(decision)
    }

    fn skipping(&self) -> bool {
        let mut skip = self.skip_until.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        match *skip {
            Some(until) if Instant::now() < until => true,
            Some(_) => {
                *skip = None;
                false
            }
            None => false,
        }
    }

    fn failed(&self, why: &str) {
        *self.skip_until.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(Instant::now() + RETRY_AFTER);
        metrics::counter!("tahoon_rate_limit_redis_failures_total").increment(1);
        if self.reachable.swap(false, Ordering::Relaxed) {
            metrics::gauge!("tahoon_rate_limit_redis_up").set(0.0);
            tracing::warn!(error = why, "Redis is unreachable: rate limits are enforced per instance until it returns");
        }
    }

    fn reached(&self) {
        if !self.reachable.swap(true, Ordering::Relaxed) {
            metrics::gauge!("tahoon_rate_limit_redis_up").set(1.0);
            tracing::info!("Redis is reachable again: rate limits are shared again");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tahoon_domain::rate_limit::Quota;

    /// The Redis the tests use: `TAHOON_TEST_REDIS_URL`, else the local one `.ci/run` starts.
    fn redis_url() -> String {
        std::env::var("TAHOON_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
    }

    #[tokio::test]
    async fn the_script_decides_as_the_domain_does() {
        let prefix = format!("tahoon-test:{}:", uuid::Uuid::new_v4().simple());
        let shared = SharedLimits::new(&redis_url(), &prefix).unwrap();
        let quotas = [
            Quota::per_minute(1).unwrap(),
            Quota::per_minute(7).unwrap(),
            Quota::per_minute(100).unwrap(),
            Quota::new(3, jiff::SignedDuration::from_secs(1)).unwrap(),
            Quota::new(1_000_000, jiff::SignedDuration::from_hours(24)).unwrap(),
        ];
        // Arrivals at pseudo-random gaps, from bursts (0) to pauses beyond a period.
        let mut seed: u64 = 0x5eed;
        let mut gap = move |period: i64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let pick = (seed >> 33) % 10;
            match pick {
                0..=3 => 0,
                4..=7 => (seed >> 20) as i64 % (period / 10).max(1),
                8 => (seed >> 20) as i64 % period.max(1),
                _ => period + (seed >> 40) as i64 % 1_000,
            }
        };
        let (mut allowed, mut refused) = (0, 0);
        for (n, quota) in quotas.into_iter().enumerate() {
            let key = format!("quota-{n}");
            let mut now = 1_764_000_000_000_000i64;
            let mut tat = None;
            for _ in 0..300 {
                now += gap(quota.period_micros());
                let want = decide(quota, tat, now);
                let got = shared.run(&key, quota, Some(now)).await.expect("Redis answers");
                assert_eq!(got, want, "quota {n} at {now}");
                if want.allowed {
                    tat = Some(want.tat);
                    allowed += 1;
                } else {
                    refused += 1;
                }
            }
        }
        assert!(allowed > 100 && refused > 100, "the arrivals exercise both verdicts ({allowed}, {refused})");
    }
}
