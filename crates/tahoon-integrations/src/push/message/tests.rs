use super::*;

fn notice(kind: NotificationType, name: Option<&str>) -> BookingNotice {
    BookingNotice {
        notification_type: kind,
        provider_id: ProviderTopicId::new("cp_AbC-12_x").unwrap(),
        booking_id: "bkg_Zx9".into(),
        starts_at: "2026-03-05T11:00:00Z".parse().unwrap(),
        ends_at: "2026-03-05T11:50:00Z".parse().unwrap(),
        time_zone: "Asia/Riyadh".into(),
        meeting_id: Some("abc-1234-efgh".into()),
        user_display_name: name.map(str::to_owned),
        language: Language::English,
    }
}

#[test]
fn android_is_data_only_and_ios_has_a_notification() {
    let m = booking_messages(&notice(NotificationType::NewBooking, Some("Sara Ahmed"))).unwrap();
    let android = serde_json::to_value(&m.android).unwrap();
    assert_eq!(android["topic"], "android_doctor_cp_AbC-12_x~");
    assert!(android.get("notification").is_none());
    assert_eq!(android["android"]["priority"], "HIGH");
    let ios = serde_json::to_value(&m.ios).unwrap();
    assert_eq!(ios["topic"], "ios_doctor_cp_AbC-12_x~");
    assert_eq!(ios["notification"]["title"], "New session booked");
    assert_eq!(ios["notification"]["body"], "Sara Ahmed booked a session on 2026-03-05 at 14:00 (Asia/Riyadh).");
    assert!(ios.get("android").is_none());
    for message in [&android, &ios] {
        let data = message["data"].as_object().unwrap();
        assert!(data.values().all(|v| v.is_string()), "FCM takes strings only");
        assert_eq!(data["notificationType"], "2");
        assert_eq!(data["notificationTypeName"], "NewBooking");
        assert_eq!(data["bookingId"], "bkg_Zx9");
        assert_eq!(data["meetingId"], "abc-1234-efgh");
        assert_eq!(data["slotDate"], "2026-03-05");
        assert_eq!(data["slotStartTime"], "14:00:00");
        assert_eq!(data["slotEndTime"], "14:50:00");
        assert_eq!(data["startUtc"], "2026-03-05T11:00:00Z");
        assert_eq!(data["endUtc"], "2026-03-05T11:50:00Z");
        assert_eq!(data["timeZone"], "Asia/Riyadh");
        assert_eq!(data["utcOffset"], "+03:00");
        assert_eq!(data["clientName"], "Sara Ahmed");
        assert_eq!(data["titleAr"], "حجز جلسة جديدة");
        assert!(data["bodyAr"].as_str().unwrap().contains("Sara Ahmed"));
        assert!(data["bodyEn"].as_str().unwrap().starts_with("Sara Ahmed booked"));
    }
    assert_eq!(m.android.data, m.ios.data);
}

#[test]
fn the_name_is_nowhere_when_not_allowed() {
    for kind in
        [NotificationType::NewBooking, NotificationType::CancelRefundBooking, NotificationType::BookingRescheduled]
    {
        let m = booking_messages(&notice(kind, None)).unwrap();
        for message in m.both() {
            let json = serde_json::to_string(message).unwrap();
            assert!(!json.contains("clientName") && !json.contains("Sara"), "{json}");
        }
    }
}

#[test]
fn arabic_notification_when_the_provider_reads_arabic() {
    let mut n = notice(NotificationType::CancelRefundBooking, None);
    n.language = Language::Arabic;
    let m = booking_messages(&n).unwrap();
    let shown = m.ios.notification.as_ref().unwrap();
    assert_eq!(shown.title, "إلغاء جلسة");
    assert_eq!(shown.body, "أُلغيت الجلسة بتاريخ 2026-03-05 الساعة 14:00 (Asia/Riyadh).");
    assert_eq!(m.ios.data["titleEn"], "Session cancelled");
    assert_eq!(m.ios.data["notificationType"], "7");
}

#[test]
fn local_times_follow_the_zone_and_its_dst() {
    let mut n = notice(NotificationType::BookingRescheduled, None);
    n.time_zone = "America/New_York".into();
    n.starts_at = "2026-07-01T03:30:00Z".parse().unwrap();
    n.ends_at = "2026-07-01T04:20:00Z".parse().unwrap();
    let m = booking_messages(&n).unwrap();
    assert_eq!(m.android.data["slotDate"], "2026-06-30");
    assert_eq!(m.android.data["slotStartTime"], "23:30:00");
    assert_eq!(m.android.data["utcOffset"], "-04:00");
    assert_eq!(m.android.data["notificationType"], "17");
}

#[test]
fn refusals() {
    assert_eq!(
        booking_messages(&notice(NotificationType::PayslipGenerated, None)),
        Err(MessageError::NotSent(NotificationType::PayslipGenerated))
    );
    let mut n = notice(NotificationType::NewBooking, None);
    n.time_zone = "Mars/Olympus".into();
    assert_eq!(booking_messages(&n), Err(MessageError::TimeZone));
    for bad in ["", "cp/1", "cp 1", "cp_١", &"x".repeat(201)] {
        assert_eq!(ProviderTopicId::new(bad), Err(MessageError::ProviderId), "{bad:?}");
    }
}

#[test]
fn the_longest_name_stays_within_the_topic_limit() {
    let long = "ش".repeat(500);
    let mut n = notice(NotificationType::BookingRescheduled, Some(&long));
    n.language = Language::Arabic;
    n.booking_id = "bkg_".to_owned() + &"x".repeat(60);
    n.time_zone = "America/Argentina/ComodRivadavia".into();
    let m = booking_messages(&n).unwrap();
    for message in m.both() {
        assert!(message.payload_size() <= TOPIC_PAYLOAD_LIMIT, "{}", message.payload_size());
        assert_eq!(message.data["clientName"].chars().count(), 64);
    }
}

#[test]
fn debug_shows_no_personal_data() {
    let n = notice(NotificationType::NewBooking, Some("Sara Ahmed"));
    let m = booking_messages(&n).unwrap();
    for shown in [format!("{n:?}"), format!("{m:?}")] {
        assert!(!shown.contains("Sara"), "{shown}");
    }
}
