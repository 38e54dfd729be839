//! 5.1 POST /api/sessionbooking/booksession (as a user and as a guest, and the error table),
//! 5.2 …/cancelbooking, and CharityOrganizationBalanceOut.

use super::search::check_day;
use super::*;

const BOOK: &str = "/sessionbooking/booksession";
const CANCEL: &str = "/sessionbooking/cancelbooking";
const SCHEDULE: &str = "/careprovider/getcareproviderschedule";

/// A booking's answer: the inventory's `meetingId` and `bookingId`, for `user` with the
/// partner's provider from local hour `hour`, Confirmed.
fn check_booked(data: &Value, user: Option<&str>, provider: &str, day: &Day, hour: i8) {
    assert!(data["meetingId"].as_str().is_some_and(|m| !m.is_empty()), "{data}");
    assert!(data["bookingId"].as_str().is_some_and(|b| b.starts_with("bkg_")), "{data}");
    if let Some(user) = user {
        assert_eq!(data["userId"], user);
    }
    assert_eq!(
        (&data["careProviderId"], &data["status"], &data["statusName"]),
        (&json!(provider), &json!(1), &json!("Confirmed"))
    );
    let slot = &data["slot"];
    assert_eq!(
        (&slot["slotDate"], &slot["slotStartTime"], &slot["slotEndTime"], &slot["startUtc"]),
        (&json!(day.date()), &json!(clock(hour)), &json!(clock(hour + 1)), &json!(day.utc(hour))),
        "{data}"
    );
}

pub(crate) async fn book_and_cancel(client: &Client<'_>, partner: &ContractPartner, user: &str, day: &Day) {
    let p = &partner.provider;
    let date = day.date();
    let (first, second, third) = (p.opens + 1, p.opens + 2, p.opens + 3);

    // As a user: the inventory's request in PascalCase and text/json, every property of the
    // .NET model sent (null ones too), by date and times in the organization's zone (no zone
    // named), with the reference's extra fields; its slotAvailabilityId is not one of ours.
    let mut request = json!({"UserId": user, "CareProviderId": p.id, "SlotDate": format!("{date}T00:00:00"),
        "SlotStartTime": clock(first), "SlotEndTime": clock(first + 1), "ApplicationMultiSlotId": null,
        "SlotAvailabilityId": "U2xvdEF2YWlsLTQ0", "CareProviderSlotDurationId": "RHVyYXRpb24tNjA",
        "CatCommunicationTypeId": 1, "IsBookingFromMobile": false, "BookingPlatformId": 3,
        "ReferenceId": "ORG-USER-123", "Name": "John Doe", "Dob": "1990-05-15T00:00:00", "GenderType": 1});
    let data = client.post(BOOK, DOTNET, &client.signed(request.clone(), "SecureHash")).await.ok().clone();
    check_booked(&data, Some(user), &p.id, day, first);
    let booking = data["bookingId"].as_str().unwrap().to_string();
    let slot_id = data["slot"]["applicationMultiSlotId"].clone();
    assert_eq!((&data["catCommunicationTypeId"], data["price"].as_f64()), (&json!(1), Some(p.price)));

    // The same slot again, by another user and by its id: RecordAlreadyExist, HTTP 200.
    let other = client
        .post(
            "/user/register",
            JSON,
            &client.signed(
                json!({"referenceId": "ORG-USER-777", "name": "Omar Saleh",
            "dob": "1979-01-31", "genderType": 1}),
                "secureHash",
            ),
        )
        .await
        .ok()["userId"]
        .as_str()
        .unwrap()
        .to_string();
    let taken = json!({"userId": other, "applicationMultiSlotId": slot_id, "catCommunicationTypeId": 1});
    client.post(BOOK, JSON, &client.signed(taken, "secureHash")).await.refused(200, 4, None);

    // As a guest (the inventory's 13.2): no userId; the reference's slotAvailabilityId is the
    // slot id of our schedule, so it books that slot. The guest is registered for later.
    let schedule = json!({"careProviderId": p.id, "scheduleDate": date, "gmtTimeDiffrenceHours": 3});
    let slots = client.post(SCHEDULE, JSON, &schedule).await.ok()["availableSlotsList"].clone();
    let at = |hour: i8| slots.as_array().unwrap().iter().find(|s| s["slotStartTime"] == clock(hour)).cloned();
    assert!(at(first).is_none(), "the booked hour is no longer offered: {slots}");
    let guest = json!({"userId": null, "applicationMultiSlotId": null, "careProviderId": p.id, "slotAvailabilityId": at(second).unwrap()["applicationMultiSlotId"],
        "careProviderSlotDurationId": "RHVyYXRpb24tNjA", "catCommunicationTypeId": 1, "isBookingFromMobile": true,
        "bookingPlatformId": 3, "referenceId": "ORG-GUEST-1", "name": "Noura Ali", "dob": "1995-02-14T00:00:00.000Z",
        "genderType": 0});
    let data = client.post(BOOK, JSON, &client.signed(guest, "secureHash")).await.ok().clone();
    check_booked(&data, None, &p.id, day, second);
    let guest_id = data["userId"].as_str().unwrap().to_string();
    assert!(guest_id.starts_with("usr_") && guest_id != user && guest_id != other, "{data}");
    let again = json!({"referenceId": "ORG-GUEST-1", "name": "Noura Ali", "dob": "1995-02-14", "genderType": 0});
    let data = client.post("/user/register", JSON, &client.signed(again, "secureHash")).await;
    assert_eq!(data.refused(200, 4, None)["userId"], guest_id.as_str(), "the guest's id for future use");

    // The error table: a slot outside the provider's hours, an unknown user, a missing time.
    request["SlotStartTime"] = clock(p.closes + 2).into();
    request["SlotEndTime"] = clock(p.closes + 3).into();
    client.post(BOOK, DOTNET, &client.signed(request.clone(), "SecureHash")).await.refused(404, 16, None);
    request["SlotStartTime"] = clock(third).into();
    request["SlotEndTime"] = clock(third + 1).into();
    request["UserId"] = "VXNlckxvZ2luLTk5OTk5".into();
    client.post(BOOK, DOTNET, &client.signed(request.clone(), "SecureHash")).await.refused(400, 18, Some("userId"));
    let missing = json!({"UserId": user, "CareProviderId": p.id, "SlotDate": date, "SlotEndTime": clock(third + 1)});
    client.post(BOOK, DOTNET, &client.signed(missing, "SecureHash")).await.refused(400, 1, Some("slotStartTime"));
    // An unsigned booking is the error table's InvalidSignature.
    request["UserId"] = user.into();
    client.post(BOOK, DOTNET, &request).await.refused(401, 102, Some("secureHash"));

    // A user's search no longer offers the two booked hours.
    let free: Vec<i8> = (p.opens..p.closes).filter(|h| *h != first && *h != second).collect();
    let mine = json!({"UserId": user, "CareProviderId": p.id, "ScheduleDate": date});
    let data = client.post(SCHEDULE, DOTNET, &mine).await.ok().clone();
    check_day(&data["availableSlotsList"], &data["availableScheduleHoursList"], day, &free);

    // Cancel the user's booking (PascalCase, SecureHash): Cancelled, and the hour is free again.
    let cancel = json!({"BookingId": booking, "UserId": user, "CareProviderId": p.id, "CancellationReason": "Travel"});
    let data = client.post(CANCEL, DOTNET, &client.signed(cancel.clone(), "SecureHash")).await.ok().clone();
    assert_eq!(
        (&data["bookingId"], &data["userId"], &data["status"], &data["statusName"]),
        (&json!(booking), &json!(user), &json!(3), &json!("Cancelled")),
        "{data}"
    );
    assert_eq!(data["balanceRestored"], false, "a standard organization has no balance");
    let data = client.post(SCHEDULE, DOTNET, &mine).await.ok().clone();
    let free: Vec<i8> = (p.opens..p.closes).filter(|h| *h != second).collect();
    check_day(&data["availableSlotsList"], &data["availableScheduleHoursList"], day, &free);
    // Once cancelled, a booking cannot be cancelled again.
    client.post(CANCEL, DOTNET, &client.signed(cancel, "SecureHash")).await.refused(404, 16, None);
    // Another user's booking is not this user's to cancel.
    let foreign = json!({"bookingId": booking, "userId": other, "careProviderId": p.id});
    client.post(CANCEL, JSON, &client.signed(foreign, "secureHash")).await.refused(404, 104, Some("bookingId"));

    // The inventory's cancel request for the booking the partner already had, by its ids.
    if let Some(known) = &partner.existing_booking {
        let example =
            json!({"bookingId": known.booking_id, "userId": known.user_id, "careProviderId": known.care_provider_id});
        let data = client.post(CANCEL, JSON, &client.signed(example, "secureHash")).await.ok().clone();
        assert_eq!(
            (&data["bookingId"], &data["userId"], &data["careProviderId"], &data["meetingId"]),
            (&json!(known.booking_id), &json!(known.user_id), &json!(known.care_provider_id), &json!(known.meeting_id)),
            "{data}"
        );
        assert_eq!((&data["status"], &data["statusName"]), (&json!(3), &json!("Cancelled")));
    }
}

/// A charity organization whose balance is spent: a booking answers the error table's
/// CharityOrganizationBalanceOut (HTTP 200) and registers no one.
pub async fn charity_balance_out(
    http: &reqwest::Client,
    base: &str,
    access_key: &str,
    shared_key: &str,
    provider: &str,
) {
    let grant: Value = http
        .post(format!("{base}/auth/token"))
        .form(&[("grant_type", "password"), ("access_key", access_key)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = grant["access_token"].as_str().unwrap().to_string();
    let client = Client { http, base, token, shared_key };
    let day = Day::ahead();
    let guest = json!({"CareProviderId": provider, "SlotDate": format!("{}T00:00:00", day.date()),
        "SlotStartTime": "13:00:00", "SlotEndTime": "14:00:00", "ReferenceId": "CH-0099", "Name": "Huda Karim",
        "Dob": "2000-06-01T00:00:00", "GenderType": 0, "CatCommunicationTypeId": 1});
    client.post(BOOK, DOTNET, &client.signed(guest, "SecureHash")).await.refused(200, 50, None);
    let register = json!({"referenceId": "CH-0099", "name": "Huda Karim", "dob": "2000-06-01", "genderType": 0});
    let data = client.post("/user/register", JSON, &client.signed(register, "secureHash")).await.ok().clone();
    assert!(data["userId"].as_str().is_some_and(|u| u.starts_with("usr_")), "the refused booking registered no one");
}
