//! Booking as a saga: validate the user and the slot, hold it (debiting a charity's balance), create
//! the video room at the vendor the settings choose (`room`), confirm. A failed step leaves the
//! booking Failed, the slot free and the balance as it was. Cancel and reschedule follow the
//! organization's cancellation policy; a reschedule checks the room first. Holds that wait too
//! long are failed by `expiry`.

pub mod expiry;
mod outcome;
mod room;

pub use outcome::record_outcome;

use crate::services::audit::AuditEvent;
use crate::services::directory;
use crate::services::error::{Refusal, ServiceError, ServiceResult};
use crate::services::users::NewRegistration;
use crate::services::video::sessions::{Names, ensure_room};
use crate::state::AppState;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::json;
use tahoon_domain::audit::AuditContent;
use tahoon_domain::availability::{Interval, SlotRequest, slots};
use tahoon_domain::booking::{Booking, BookingStatus, CancelDecision, StatusChange, can_reschedule, cancel_decision};
use tahoon_domain::ids::{BookingId, CareProviderId, OrganizationId, UserId};
use tahoon_domain::organization::{Organization, OrganizationKind};
use tahoon_domain::provider::CareProvider;
use tahoon_domain::reason::Reason;
use tahoon_store::{
    BookingUser, HoldOutcome, NewBooking, NewEvent, NewUser, Reschedule, RescheduleOutcome, Transition,
};

/// Whom a session is booked for.
#[derive(Debug, Clone)]
pub enum BookingFor {
    /// A registered user of the organization.
    User(UserId),
    /// A guest, registered together with the booking (an existing reference id reuses its user).
    Guest(NewRegistration),
}

/// A requested session time, already resolved to instants.
#[derive(Debug, Clone, Copy)]
pub struct RequestedSlot {
    pub provider_id: CareProviderId,
    pub interval: Interval,
}

#[derive(Debug, Clone)]
pub struct BookingOptions {
    pub communication_type: i64,
    pub from_mobile: bool,
    pub platform_id: Option<i64>,
}

/// Whether the provider's availability offers exactly this session now (bookings aside: a slot
/// that is only taken is "already booked", not "not available").
fn offered(provider: &CareProvider, slot: Interval, now: Timestamp) -> bool {
    let Ok(zone) = TimeZone::get(&provider.time_zone) else { return false };
    let Some(schedule) = provider.schedule(&zone) else { return false };
    let utc = TimeZone::UTC;
    let date = utc.to_datetime(slot.start).date();
    let request = SlotRequest { date, caller_zone: &utc, now, provider_busy: &[], caller_busy: &[] };
    slots(&schedule, &request).contains(&slot)
}

pub(crate) fn event(organization_id: OrganizationId, kind: &str, state: &AppState, b: &Booking) -> NewEvent {
    NewEvent {
        organization_id: Some(organization_id),
        event_type: kind.into(),
        payload: json!({
            "bookingId": state.ids.encode(b.id),
            "userId": state.ids.encode(b.user_id),
            "careProviderId": state.ids.encode(b.provider_id),
            "startUtc": b.starts_at.to_string(),
            "endUtc": b.ends_at.to_string(),
        }),
    }
}

/// The audit entry of a booking's change to `status`, written with the change.
pub(crate) fn audit(
    state: &AppState,
    b: &Booking,
    action: &'static str,
    status: BookingStatus,
    actor: &str,
) -> AuditContent {
    state.audit.content(
        AuditEvent::success(action, Some(b.organization_id), actor)
            .details(json!({ "booking": b.id.get(), "status": status.name() })),
    )
}

/// The usual change of `b` to `to`: from Pending (callers override `from` and what else
/// differs), announced as `booking.<status>` and audited under the same name, in one transaction.
pub(crate) fn change(state: &AppState, b: &Booking, to: BookingStatus, actor: &str, reason: &str) -> Transition {
    let name = match to {
        BookingStatus::Pending => "booking.pending",
        BookingStatus::Confirmed => "booking.confirmed",
        BookingStatus::Cancelled => "booking.cancelled",
        BookingStatus::Failed => "booking.failed",
        BookingStatus::Completed => "booking.completed",
        BookingStatus::NoShow => "booking.no_show",
    };
    Transition {
        booking_id: b.id,
        from: vec![BookingStatus::Pending],
        to,
        actor: actor.into(),
        reason: reason.into(),
        restore_balance: false,
        meeting: None,
        event: Some(event(b.organization_id, name, state, b)),
        withdraw_guest: None,
        audit: Some(audit(state, b, name, to, actor)),
        now: state.clock.now(),
    }
}

/// Until when a session holds its provider's calendar (its end and the provider's buffer).
fn blocks_until(provider: &CareProvider, session: Interval) -> ServiceResult<Timestamp> {
    let held = provider.policy.held(session).ok_or_else(|| Refusal::new(Reason::NotAllowed))?;
    Ok(held.end)
}

/// Who acts for an organization, as audit entries and status history name it.
fn actor(organization: &Organization) -> String {
    format!("org:{}", organization.id.get())
}

/// Runs a change to bookings, then lets the availability index hear of it whatever the outcome
/// (a refusal can follow a committed change, such as a failed saga's).
pub(crate) async fn synced<T>(state: &AppState, change: impl Future<Output = ServiceResult<T>>) -> ServiceResult<T> {
    let result = change.await;
    state.directory.changed().await;
    result
}

/// Books `slot` for a user or a guest. Errors follow the reference's table; a refused booking
/// registers no guest.
pub async fn book(
    state: &AppState,
    organization: &Organization,
    who: BookingFor,
    slot: RequestedSlot,
    options: BookingOptions,
) -> ServiceResult<Booking> {
    synced(state, book_unsynced(state, organization, who, slot, options)).await
}

/// `book` before the availability index hears of it.
async fn book_unsynced(
    state: &AppState,
    organization: &Organization,
    who: BookingFor,
    slot: RequestedSlot,
    options: BookingOptions,
) -> ServiceResult<Booking> {
    // An unknown or inactive provider is the reference's NotAllowed; a database failure stays one.
    let provider = match directory::active_provider(state, slot.provider_id).await {
        Err(ServiceError::Refused(_)) => {
            return Err(Refusal::field(Reason::NotAllowed, "careProviderId", "no such care provider").into());
        }
        other => other?,
    };
    let now = state.clock.now();
    if !offered(&provider, slot.interval, now) {
        return Err(Refusal::new(Reason::NotAllowed)
            .with_detail("this slot is not in the provider's availability")
            .into());
    }
    let rate = provider.primary_rate().cloned().ok_or_else(|| Refusal::new(Reason::NotAllowed))?;
    let actor = actor(organization);
    // Read before the hold, so a database failure here holds nothing: the video settings, and the
    // user's name only if the organization shares it with providers.
    let video = state.settings.video().await?;
    let share = state.settings.privacy().await?.share_user_name_with_providers;
    let client_name = match (&who, share) {
        (_, false) => None,
        (BookingFor::User(id), true) => state.store.user(organization.id, *id).await?.and_then(|u| u.name),
        (BookingFor::Guest(guest), true) => Some(guest.name.clone()),
    };
    let names = Names { client: client_name, provider: provider.names.full_name() };
    let user = match who {
        BookingFor::User(id) => BookingUser::Existing(id),
        BookingFor::Guest(guest) => BookingUser::Guest(NewUser {
            organization_id: organization.id,
            reference_id: guest.reference_id,
            name: guest.name,
            dob: guest.dob.to_string(),
            gender: guest.gender.code(),
            now,
        }),
    };
    let guest_audit = matches!(user, BookingUser::Guest(_)).then(|| {
        state.audit.content(
            AuditEvent::success("user.registered", Some(organization.id), actor.clone())
                .details(json!({ "created": true, "by": "booking" })),
        )
    });
    let new = NewBooking {
        organization_id: organization.id,
        user,
        provider_id: provider.id,
        starts_at: slot.interval.start,
        ends_at: slot.interval.end,
        blocks_until: blocks_until(&provider, slot.interval)?,
        price_minor: rate.price_minor,
        currency: rate.currency.clone(),
        communication_type: options.communication_type,
        from_mobile: options.from_mobile,
        platform_id: options.platform_id,
        debit_balance: organization.kind == OrganizationKind::Charity,
        guest_audit,
        actor: actor.clone(),
        now,
    };
    let (held, guest_created) = match expiry::hold_past_stale(state, new).await? {
        HoldOutcome::Held { booking, guest_created } => (booking, guest_created),
        HoldOutcome::Taken => {
            return Err(Refusal::new(Reason::RecordAlreadyExist)
                .with_detail("this time is already booked, or closer to a booked session than the provider's buffer")
                .into());
        }
        HoldOutcome::BalanceOut => return Err(Refusal::new(Reason::CharityOrganizationBalanceOut).into()),
        HoldOutcome::UserLimitReached { limit } => {
            return Err(Refusal::new(Reason::ActiveBookingLimitReached)
                .with_detail(format!("at most {limit} upcoming sessions per user"))
                .with_data(json!({ "maxActiveBookingsPerUser": limit }))
                .into());
        }
    };
    let meeting = room::make(state, &video, &held, &names, guest_created, &actor).await?;
    let confirm = Transition {
        meeting: Some(meeting),
        ..change(state, &held, BookingStatus::Confirmed, &actor, "video room created")
    };
    match state.store.transition_booking(confirm).await? {
        Some(confirmed) => Ok(confirmed),
        // The hold waited longer than its time to live and was failed meanwhile: nothing is booked.
        None => Err(Refusal::new(Reason::VendorUnavailable)
            .with_detail("the video room took too long; the hold expired and nothing was booked")
            .into()),
    }
}

/// The organization's booking, checked against the user and provider the caller names.
pub async fn owned_booking(
    state: &AppState,
    organization_id: OrganizationId,
    booking_id: BookingId,
    user_id: Option<UserId>,
    provider_id: Option<CareProviderId>,
) -> ServiceResult<Booking> {
    let not_found = || Refusal::field(Reason::NotFound, "bookingId", "no such booking");
    let b = state.store.booking(organization_id, booking_id).await?.ok_or_else(not_found)?;
    if user_id.is_some_and(|u| u != b.user_id) || provider_id.is_some_and(|p| p != b.provider_id) {
        return Err(not_found().into());
    }
    Ok(b)
}

/// Cancels under the policy; returns the booking and whether a charity session was restored.
pub async fn cancel(
    state: &AppState,
    organization: &Organization,
    b: Booking,
    reason: String,
) -> ServiceResult<(Booking, bool)> {
    synced(state, cancel_unsynced(state, organization, b, reason)).await
}

/// `cancel` before the availability index hears of it.
async fn cancel_unsynced(
    state: &AppState,
    organization: &Organization,
    b: Booking,
    reason: String,
) -> ServiceResult<(Booking, bool)> {
    if !b.status.is_active() {
        return Err(Refusal::new(Reason::NotAllowed).with_detail(format!("the booking is {}", b.status.name())).into());
    }
    let cutoff = organization.cancellation_cutoff_hours;
    let decision = cancel_decision(state.clock.now(), b.starts_at, cutoff);
    if decision == CancelDecision::TooLate {
        return Err(Refusal::new(Reason::NotAllowed).with_detail("the session has already started").into());
    }
    let refund = decision == CancelDecision::WithRefund;
    let actor = actor(organization);
    let cancelled = state
        .store
        .transition_booking(Transition {
            from: vec![BookingStatus::Pending, BookingStatus::Confirmed],
            restore_balance: refund,
            ..change(
                state,
                &b,
                BookingStatus::Cancelled,
                &actor,
                if reason.is_empty() { "cancelled by the organization" } else { &reason },
            )
        })
        .await?
        .ok_or_else(|| {
            Refusal::new(Reason::NotAllowed).with_detail("the booking changed meanwhile; it is no longer active")
        })?;
    Ok((cancelled, refund && b.charity_debited))
}

/// Moves a confirmed booking to another offered slot of the same provider, atomically.
pub async fn reschedule(
    state: &AppState,
    organization: &Organization,
    b: Booking,
    to: Interval,
) -> ServiceResult<Booking> {
    synced(state, reschedule_unsynced(state, organization, b, to)).await
}

/// `reschedule` before the availability index hears of it.
async fn reschedule_unsynced(
    state: &AppState,
    organization: &Organization,
    b: Booking,
    to: Interval,
) -> ServiceResult<Booking> {
    if b.status != BookingStatus::Confirmed {
        return Err(Refusal::new(Reason::NotAllowed)
            .with_detail(format!("only a Confirmed booking moves; this one is {}", b.status.name()))
            .into());
    }
    let cutoff = organization.cancellation_cutoff_hours;
    if !can_reschedule(state.clock.now(), b.starts_at, cutoff) {
        return Err(Refusal::new(Reason::NotAllowed)
            .with_detail(format!("sessions move only up to {cutoff} hours before they start"))
            .into());
    }
    let provider = directory::active_provider(state, b.provider_id).await?;
    if !offered(&provider, to, state.clock.now()) {
        return Err(Refusal::new(Reason::NotAllowed)
            .with_detail("the new slot is not in the provider's availability")
            .into());
    }
    let moved = Booking { starts_at: to.start, ends_at: to.end, ..b.clone() };
    // The room is checked (and made again if the vendor lost it) before anything moves.
    let meeting = ensure_room(state, &moved).await?;
    let actor = actor(organization);
    let outcome = state
        .store
        .reschedule_booking(Reschedule {
            booking_id: b.id,
            starts_at: to.start,
            ends_at: to.end,
            blocks_until: blocks_until(&provider, to)?,
            event: event(organization.id, "booking.rescheduled", state, &moved),
            audit: Some(audit(state, &b, "booking.rescheduled", BookingStatus::Confirmed, &actor)),
            meeting,
            actor,
            now: state.clock.now(),
        })
        .await?;
    match outcome {
        RescheduleOutcome::Moved(m) => Ok(m),
        RescheduleOutcome::Taken => Err(Refusal::new(Reason::RecordAlreadyExist)
            .with_detail("the new time is already booked, or closer to a booked session than the provider's buffer")
            .into()),
        RescheduleOutcome::NotMovable => {
            Err(Refusal::new(Reason::NotAllowed).with_detail("the booking is no longer Confirmed").into())
        }
    }
}

/// A booking's status changes, oldest first.
pub async fn history(state: &AppState, booking: &Booking) -> ServiceResult<Vec<StatusChange>> {
    Ok(state.store.booking_history(booking.id).await?)
}
