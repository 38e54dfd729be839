//! What every partner request pays before its own work (issue 12, micro-benchmarks): the bearer
//! token's verification (`TokenService::verify`: header, HS256 signature, claims, subject id),
//! the `X-Tahoon-Signature` check over a typical body, and one public id's decoding; and the three
//! together, whose target is at most 10 µs.

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use jiff::Timestamp;
use tahoon_domain::ids::{UserId, kind};
use tahoon_domain::organization::Role;
use tahoon_domain::secrets::MasterKey;
use tahoon_domain::signing::{SignatureHeader, header_value};
use tahoon_server::services::tokens::AccessClaims;
use tahoon_server::{AppState, Clock, Secrets, ServerConfig};

const SHARED_KEY: &str = "thn_sk_bench_0123456789abcdef0123456789abcdef";

struct Fixture {
    state: AppState,
    token: String,
    header: String,
    body: Vec<u8>,
    user: String,
    now: i64,
}

fn fixture(runtime: &tokio::runtime::Runtime) -> Fixture {
    let secrets = Secrets {
        master_key: MasterKey::new([7u8; 32]),
        token_signing_key: [9u8; 32],
        operator_token: "thn_op_bench-operator-token-0123456789abcdef".into(),
    };
    let config = ServerConfig::new(secrets);
    let store = runtime.block_on(tahoon_store::open("sqlite::memory:")).expect("an in-memory store");
    let now = Timestamp::now();
    let state = AppState::with_clock(store, config.clone(), Clock::manual(now));
    let claims = AccessClaims {
        iss: config.token_issuer.clone(),
        aud: config.token_audience.clone(),
        sub: state.ids.encode(tahoon_domain::ids::OrganizationId::new(42)),
        exp: now.as_second() + 3600,
        iat: now.as_second(),
        nbf: now.as_second(),
        jti: "jti_bench".into(),
        role: Role::FullAccess,
        fam: "fam_bench".into(),
        ver: 1,
    };
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    header.kid = Some(state.tokens.kid().to_string());
    let token = state.tokens.sign(&header, &claims);
    let user = state.ids.encode(UserId::new(1_234_567));
    let body = format!(
        r#"{{"userId":"{user}","careProviderId":"cp_x","applicationMultiSlotId":"slot_y","catCommunicationTypeId":1,"timeZone":"Asia/Riyadh"}}"#
    )
    .into_bytes();
    let header = header_value(SHARED_KEY, now.as_second(), &body);
    Fixture { state, token, header, body, user, now: now.as_second() }
}

fn per_request(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let f = fixture(&runtime);
    assert!(f.state.tokens.verify(&f.token).is_ok());
    c.bench_function("auth/token verification", |b| b.iter(|| f.state.tokens.verify(black_box(&f.token)).unwrap()));
    c.bench_function("auth/signature check", |b| {
        b.iter(|| {
            let parsed = SignatureHeader::parse(black_box(&f.header)).unwrap();
            parsed.verify(SHARED_KEY, black_box(&f.body), f.now).unwrap();
        })
    });
    c.bench_function("auth/id decode", |b| b.iter(|| f.state.ids.decode::<kind::User>(black_box(&f.user)).unwrap()));
    c.bench_function("auth/all three (one request)", |b| {
        b.iter(|| {
            f.state.tokens.verify(black_box(&f.token)).unwrap();
            SignatureHeader::parse(black_box(&f.header))
                .unwrap()
                .verify(SHARED_KEY, black_box(&f.body), f.now)
                .unwrap();
            f.state.ids.decode::<kind::User>(black_box(&f.user)).unwrap()
        })
    });
}

criterion_group!(benches, per_request);
criterion_main!(benches);
