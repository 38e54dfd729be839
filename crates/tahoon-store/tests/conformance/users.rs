//! Registration, erasure, instruments, assessments and the outbox.

use super::*;
use tahoon_domain::ids::OrganizationId;
use tahoon_domain::screening::{ScoredAnswer, gad7};

fn user(organization_id: OrganizationId, reference: &str) -> NewUser {
    NewUser {
        organization_id,
        reference_id: reference.into(),
        name: "Layla".into(),
        dob: "1991-02-03".into(),
        gender: 0,
        now: us(5),
    }
}

pub async fn concurrent_registrations_create_one_user(backend: Backend) {
    let f = fixture(backend).await;
    let org = f.store.create_organization(new_org("Acme", "d1")).await.unwrap();
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let store = f.store.clone();
            tokio::spawn(async move { store.register_user(user(org.id, "REF-1")).await })
        })
        .collect();
    let mut created = 0;
    let mut ids = std::collections::HashSet::new();
    for task in tasks {
        match task.await.unwrap().unwrap() {
            Registration::Created(u) => {
                created += 1;
                ids.insert(u.id);
            }
            Registration::Existing(u) => {
                ids.insert(u.id);
            }
        }
    }
    assert_eq!((created, ids.len()), (1, 1));
}

pub async fn erasure_keeps_scores_and_frees_the_reference(backend: Backend) {
    let f = fixture(backend).await;
    let org = f.store.create_organization(new_org("Acme", "d1")).await.unwrap();
    let Registration::Created(u) = f.store.register_user(user(org.id, "REF-1")).await.unwrap() else { panic!() };
    assert_eq!(f.store.user(org.id, u.id).await.unwrap().unwrap().name.as_deref(), Some("Layla"));
    assert!(f.store.user(Id::new(org.id.get() + 1), u.id).await.unwrap().is_none());
    let answers = vec![
        ScoredAnswer { question_id: 2001, option_id: Some(20011), value: Some(1), text: None },
        ScoredAnswer { question_id: 100_009, option_id: None, value: None, text: Some("private words".into()) },
    ];
    let event = NewEvent {
        organization_id: Some(org.id),
        event_type: "assessment.risk_flagged".into(),
        payload: serde_json::json!({"a": 1}),
    };
    let assessment = NewAssessment {
        organization_id: org.id,
        user_id: u.id,
        instrument_id: 2,
        instrument_code: "GAD-7".into(),
        total: 1,
        max_total: 21,
        band_code: "minimal".into(),
        risk_flags: vec![],
        answers,
        now: us(10),
    };
    f.store.record_assessment(assessment, vec![event]).await.unwrap();
    let pending = f.store.pending_events(10).await.unwrap();
    let types: Vec<&str> = pending.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(types, [USER_REGISTERED_EVENT, ASSESSMENT_SUBMITTED_EVENT, "assessment.risk_flagged"]);

    let erased_event =
        NewEvent { organization_id: Some(org.id), event_type: "user.erased".into(), payload: serde_json::json!({}) };
    assert!(f.store.erase_user(org.id, u.id, erased_event.clone(), us(20)).await.unwrap());
    assert!(!f.store.erase_user(org.id, u.id, erased_event, us(21)).await.unwrap(), "once");
    assert!(f.store.user(org.id, u.id).await.unwrap().is_none());
    assert!(!f.store.user_in_organization(org.id, u.id).await.unwrap());
    let kept = f.store.assessments(org.id, u.id).await.unwrap();
    assert_eq!((kept.len(), kept[0].total), (1, 1), "scores stay");
    assert!(kept[0].answers.iter().all(|a| a.text.is_none()), "free text is gone");
    assert_eq!(kept[0].answers[0].option_id, Some(20011));
    let after = f.store.pending_events(10).await.unwrap();
    assert_eq!((after.len(), after[3].event_type.as_str()), (4, "user.erased"));
    // The reference id is free again.
    assert!(matches!(f.store.register_user(user(org.id, "REF-1")).await.unwrap(), Registration::Created(_)));
}

pub async fn instruments_get_ids_and_unique_codes(backend: Backend) {
    let f = fixture(backend).await;
    let mut def = gad7().definition;
    def.code = "GAD-7-X".into();
    let first = f.store.add_instrument(&def, us(1)).await.unwrap().unwrap();
    assert_eq!(first.id, 100);
    assert!(f.store.add_instrument(&def, us(2)).await.unwrap().is_none(), "code taken");
    def.code = "OTHER".into();
    assert_eq!(f.store.add_instrument(&def, us(3)).await.unwrap().unwrap().id, 101);
    let all = f.store.custom_instruments().await.unwrap();
    assert_eq!(all.iter().map(|i| i.id).collect::<Vec<_>>(), vec![100, 101]);
    assert_eq!(all[1].definition, def);
}
