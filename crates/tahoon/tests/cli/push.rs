//! `tahoon push list`: the operator's view of push jobs, such as the ones that failed for good.

use super::*;
use jiff::Timestamp;
use tahoon_domain::organization::{OrganizationKind, Role};
use tahoon_store::{
    ClaimPush, EnqueuePush, FinishPush, NewAssessment, NewEvent, NewOrganization, NewUser, PushEnd, PushParts,
    Registration,
};

/// One pushed event whose push FCM refused for good, written behind the CLI's back.
async fn a_failed_push(cli: &Cli) {
    let store = tahoon_store::open(&cli.db.url).await.unwrap();
    let now = Timestamp::now();
    let org = store
        .create_organization(NewOrganization {
            name: "Acme".into(),
            kind: OrganizationKind::Standard,
            balance: 0,
            rate_limit_per_minute: 100,
            max_active_bookings_per_user: None,
            require_signature_header: false,
            shared_key_sealed: "v1.sealed".into(),
            access_key_digest: "d1".into(),
            role: Role::FullAccess,
            now,
        })
        .await
        .unwrap();
    let new = NewUser {
        organization_id: org.id,
        reference_id: "R1".into(),
        name: "Layla".into(),
        dob: "1991-02-03".into(),
        gender: 0,
        now,
    };
    let (Registration::Created(user) | Registration::Existing(user)) = store.register_user(new).await.unwrap();
    let event = NewEvent {
        organization_id: Some(org.id),
        event_type: "booking.confirmed".into(),
        payload: serde_json::json!({"bookingId": "bkg_cli"}),
    };
    let assessment = NewAssessment {
        organization_id: org.id,
        user_id: user.id,
        instrument_id: 2,
        instrument_code: "GAD-7".into(),
        total: 0,
        max_total: 21,
        band_code: "minimal".into(),
        risk_flags: vec![],
        answers: vec![],
        now,
    };
    store.record_assessment(assessment, vec![event]).await.unwrap();
    assert_eq!(store.enqueue_push_jobs(EnqueuePush { now, settled_before: now }).await.unwrap(), 1);
    let claim = ClaimPush { now, lease_until: now, limit: 1 };
    let job = store.claim_push_jobs(claim).await.unwrap().remove(0);
    let end = PushEnd::Failed { error: "UNREGISTERED".into() };
    let finish = FinishPush { id: job.id, attempt: job.attempts, sent_parts: PushParts::NONE, end, now };
    assert!(store.finish_push_job(finish).await.unwrap());
}

pub async fn push_jobs_from_the_cli(backend: Backend) {
    let cli = Cli::new(backend).await;
    let output = cli.run(&["push", "list"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no push jobs"));
    let output = cli.run(&["push", "list", "--status", "lost"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("pending, sending, sent, failed, skipped"));

    a_failed_push(&cli).await;
    let failed = cli.json(&["push", "list", "--status", "failed", "--json"]);
    let job = &failed[0];
    assert_eq!((job["event"].as_str(), job["bookingId"].as_str()), (Some("booking.confirmed"), Some("bkg_cli")));
    assert_eq!((job["status"].as_str(), job["lastError"].as_str()), (Some("failed"), Some("UNREGISTERED")));
    assert!(job["id"].as_str().is_some_and(|id| id.starts_with("psh_")), "{job}");
    assert_eq!(cli.json(&["push", "list", "--status", "sent", "--json"]), serde_json::json!([]));
    let listed = String::from_utf8(cli.run(&["push", "list"]).stdout).unwrap();
    assert!(listed.contains("failed") && listed.contains("bkg_cli") && listed.contains("(UNREGISTERED)"), "{listed}");
}
