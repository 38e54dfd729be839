//! Two `tahoon serve` processes on one PostgreSQL and one Redis, as behind a load balancer: the
//! rate limit is one (the 200s across both add up to the quota), 64 concurrent bookings of one
//! slot spread over both make exactly one booking, and a token revoked on one is refused by the
//! other.

use super::*;
use serde_json::json;

const OPERATOR: &str = "thn_op_cli-scale-out-operator-token-012345";

struct Instance {
    process: std::process::Child,
    base: String,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

fn start(cli: &Cli, config: &std::path::Path, redis: &str) -> Instance {
    let mut process = cli
        .command()
        .args(["serve", "--listen", "127.0.0.1:0", "--operator-token", OPERATOR])
        .env("TAHOON_CONFIG", config)
        .env("TAHOON_REDIS_URL", redis)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let address = wait_for_address(process.stderr.take().unwrap());
    Instance { process, base: format!("http://{address}/api/v1") }
}

async fn token(http: &reqwest::Client, base: &str, access_key: &str) -> Value {
    let response = http
        .post(format!("{base}/auth/token"))
        .form(&[("grant_type", "password"), ("access_key", access_key)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn two_processes_share_one_database_and_one_redis() {
    let cli = Cli::new(Backend::Postgres).await;
    let redis = std::env::var("TAHOON_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let config = cli.dir.join("tahoon.toml");
    // This test's own keys in the shared Redis.
    let unique = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    std::fs::write(&config, format!("redis_key_prefix = \"tahoon-test:{}-{unique}:\"\n", std::process::id())).unwrap();
    let limited = cli.json(&["org", "create", "--name", "Limited", "--rate-limit", "10", "--json"]);
    let busy = cli.json(&["org", "create", "--name", "Busy", "--rate-limit", "1000", "--json"]);
    let provider_id = cli.provider_open_all_week("s-1");

    let instances = [start(&cli, &config, &redis), start(&cli, &config, &redis)];
    let http = reqwest::Client::new();

    // One quota: twenty requests at once, alternating between the instances, get ten 200s.
    let grant = token(&http, &instances[0].base, limited["accessKey"].as_str().unwrap()).await;
    let access = grant["access_token"].as_str().unwrap().to_string();
    let mut requests = tokio::task::JoinSet::new();
    for n in 0..20 {
        let request = http.get(format!("{}/organization/usage", instances[n % 2].base)).bearer_auth(&access);
        requests.spawn(async move { request.send().await.unwrap().status().as_u16() });
    }
    let statuses = requests.join_all().await;
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 10, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 10, "{statuses:?}");

    // A token revoked on one instance is refused by the other.
    let grant = token(&http, &instances[1].base, busy["accessKey"].as_str().unwrap()).await;
    let revocable = grant["access_token"].as_str().unwrap().to_string();
    let usage =
        |n: usize, token: &str| http.get(format!("{}/organization/usage", instances[n].base)).bearer_auth(token);
    assert_eq!(usage(0, &revocable).send().await.unwrap().status(), 200);
    let revoked = http.post(format!("{}/auth/revoke", instances[1].base)).form(&[("token", revocable.as_str())]);
    assert_eq!(revoked.send().await.unwrap().status(), 200);
    assert_eq!(usage(0, &revocable).send().await.unwrap().status(), 401);
    assert_eq!(usage(1, &revocable).send().await.unwrap().status(), 401);

    // 64 users book one slot at once, half through each instance: one booking.
    let shared_key = busy["sharedApiKey"].as_str().unwrap().to_string();
    let grant = token(&http, &instances[0].base, busy["accessKey"].as_str().unwrap()).await;
    let access = grant["access_token"].as_str().unwrap().to_string();
    let post = |n: usize, path: &str, body: Value| {
        http.post(format!("{}{path}", instances[n % 2].base)).bearer_auth(&access).json(&signed(&shared_key, body))
    };
    let mut users = Vec::new();
    for n in 0..64 {
        let body = json!({"referenceId": format!("SCALE-{n}"), "name": "Guest", "dob": "1990-01-01", "genderType": 1});
        let answer: Value = post(n, "/user/register", body).send().await.unwrap().json().await.unwrap();
        users.push(answer["data"]["userId"].as_str().unwrap_or_else(|| panic!("{answer}")).to_string());
    }
    let date = jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date().tomorrow().unwrap();
    let schedule: Value = http
        .post(format!("{}/careprovider/getcareproviderschedule", instances[1].base))
        .bearer_auth(&access)
        .json(&json!({"careProviderId": provider_id, "scheduleDate": date.to_string(), "timeZone": "UTC"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let slot = schedule["data"]["availableSlotsList"][0]["applicationMultiSlotId"].clone();
    let mut bookings = tokio::task::JoinSet::new();
    for (n, user) in users.iter().enumerate() {
        let request = post(n, "/sessionbooking/booksession", json!({"userId": user, "applicationMultiSlotId": slot}));
        bookings.spawn(async move { request.send().await.unwrap().json::<Value>().await.unwrap() });
    }
    let answers = bookings.join_all().await;
    let booked = answers.iter().filter(|a| a["reason"] == 0).count();
    let taken = answers.iter().filter(|a| a["reason"] == 4).count();
    assert_eq!((booked, taken), (1, 63), "{answers:?}");
}
