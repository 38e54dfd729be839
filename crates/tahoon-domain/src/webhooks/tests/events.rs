use crate::webhooks::events::*;
use proptest::prelude::*;

fn strings(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

#[test]
fn every_catalogue_entry_round_trips() {
    let mut all = EventType::ALL_SUBSCRIBABLE.to_vec();
    all.push(EventType::WebhookTest);
    for t in &all {
        assert_eq!(EventType::parse(t.name()), Some(*t), "{t:?}");
        assert_eq!(t.to_string(), t.name());
        assert_eq!(t.is_subscribable(), *t != EventType::WebhookTest);
    }
    let mut names: Vec<&str> = all.iter().map(|t| t.name()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), 12);
    assert_eq!(EventType::ALL_SUBSCRIBABLE.len(), 11);
    assert!(!EventType::ALL_SUBSCRIBABLE.contains(&EventType::WebhookTest));
}

#[test]
fn the_names_are_the_contract() {
    use EventType::*;
    let expected = [
        (BookingConfirmed, "booking.confirmed"),
        (BookingFailed, "booking.failed"),
        (BookingCancelled, "booking.cancelled"),
        (BookingRescheduled, "booking.rescheduled"),
        (BookingCompleted, "booking.completed"),
        (BookingNoShow, "booking.no_show"),
        (BookingReminder, "booking.reminder"),
        (UserRegistered, "user.registered"),
        (UserErased, "user.erased"),
        (AssessmentSubmitted, "assessment.submitted"),
        (AssessmentRiskFlagged, "assessment.risk_flagged"),
        (WebhookTest, "webhook.test"),
    ];
    for (t, name) in expected {
        assert_eq!(t.name(), name);
    }
}

#[test]
fn parsing_is_exact() {
    for bad in ["Booking.Confirmed", "booking.confirmed ", " booking.confirmed", "booking.*", "booking", "", "*"] {
        assert_eq!(EventType::parse(bad), None, "{bad:?}");
    }
}

#[test]
fn filters_parse_and_normalize() {
    let filter = EventFilter::parse(&strings(&["user.erased", "booking.confirmed", "user.erased"])).unwrap();
    assert_eq!(filter.names(), ["booking.confirmed", "user.erased"]);
    assert!(filter.matches("booking.confirmed"));
    assert!(filter.matches("user.erased"));
    assert!(!filter.matches("booking.cancelled"));
    assert!(!filter.matches("webhook.test"));
    assert!(!filter.matches("nonsense"));

    let all = EventFilter::parse(&strings(&["booking.confirmed", "*"])).unwrap();
    assert_eq!(all, EventFilter::all());
    assert_eq!(all.names(), ["*"]);
    assert!(EventType::ALL_SUBSCRIBABLE.iter().all(|t| all.matches(t.name())));
    assert!(!all.matches("webhook.test"));
    assert!(!all.matches("booking.unknown"));
    assert!(!all.matches("*"));
    assert_eq!(EventFilter::parse(&strings(&["*", "*"])).unwrap().names(), ["*"]);
}

#[test]
fn filter_errors_name_the_entry() {
    let err = EventFilter::parse(&strings(&["booking.confirmed", "*", "booking.confirmd"])).unwrap_err();
    assert_eq!(err, EventFilterError::Unknown { index: 2, value: "booking.confirmd".into() });
    assert_eq!(err.to_string(), r#"events[2]: "booking.confirmd" is not an event type"#);
    let err = EventFilter::parse(&strings(&["webhook.test"])).unwrap_err();
    assert_eq!(err, EventFilterError::NotSubscribable { index: 0, value: "webhook.test".into() });
    assert_eq!(EventFilter::parse(&[]).unwrap_err(), EventFilterError::Empty);
    assert_eq!(
        EventFilter::parse(&strings(&[""])).unwrap_err(),
        EventFilterError::Unknown { index: 0, value: "".into() }
    );
    let many = vec!["*".to_string(); 33];
    assert_eq!(EventFilter::parse(&many).unwrap_err(), EventFilterError::TooMany(33));
    assert!(EventFilter::parse(&many[..32]).is_ok());
    // Control characters in the echoed value are escaped.
    let err = EventFilter::parse(&strings(&["a\nb"])).unwrap_err();
    assert_eq!(err.to_string(), r#"events[0]: "a\nb" is not an event type"#);
}

fn subscribable() -> impl Strategy<Value = EventType> {
    proptest::sample::select(EventType::ALL_SUBSCRIBABLE)
}

proptest! {
    /// The stored form parses back to the same filter, and matches exactly the types listed.
    #[test]
    fn names_round_trip(types in proptest::collection::vec(subscribable(), 1..=32), star in any::<bool>()) {
        let mut names: Vec<String> = types.iter().map(|t| t.name().to_string()).collect();
        if star {
            names[0] = "*".to_string();
        }
        let filter = EventFilter::parse(&names).unwrap();
        prop_assert_eq!(EventFilter::parse(&filter.names()).unwrap(), filter.clone());
        let stored = filter.names();
        prop_assert!(stored.windows(2).all(|w| w[0] < w[1]));
        for t in EventType::ALL_SUBSCRIBABLE {
            prop_assert_eq!(filter.matches(t.name()), star || names.iter().any(|n| n == t.name()));
        }
    }
}
