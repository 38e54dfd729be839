//! The kinds of notification the provider apps know: the reference's sixteen (§7.1, with the
//! numbers its list gives them), and the reschedule Tahoon adds.

/// A notification's kind, sent as `notificationType` (its code) and `notificationTypeName`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotificationType {
    ProfileUpdate,
    NewBooking,
    PayslipGenerated,
    HomeWorkAssigned,
    ReserveSlot,
    Referral,
    CancelRefundBooking,
    PsyterSupportNotification,
    SchfsExpiry,
    RefundByAdmin,
    CommonNotification,
    ReminderNotification,
    OtherPartyJoined,
    ProviderSignedContract,
    NewMessage,
    AccountDeleted,
    /// Not in the reference, which never moved a booking: Tahoon's reschedule (code 17).
    BookingRescheduled,
}

impl NotificationType {
    /// Every kind, in code order.
    pub const ALL: [NotificationType; 17] = [
        NotificationType::ProfileUpdate,
        NotificationType::NewBooking,
        NotificationType::PayslipGenerated,
        NotificationType::HomeWorkAssigned,
        NotificationType::ReserveSlot,
        NotificationType::Referral,
        NotificationType::CancelRefundBooking,
        NotificationType::PsyterSupportNotification,
        NotificationType::SchfsExpiry,
        NotificationType::RefundByAdmin,
        NotificationType::CommonNotification,
        NotificationType::ReminderNotification,
        NotificationType::OtherPartyJoined,
        NotificationType::ProviderSignedContract,
        NotificationType::NewMessage,
        NotificationType::AccountDeleted,
        NotificationType::BookingRescheduled,
    ];

    /// The number the reference's list gives the kind (1–16); 17 for the reschedule.
    pub fn code(self) -> u8 {
        NotificationType::ALL.iter().position(|t| *t == self).map_or(0, |i| i as u8 + 1)
    }

    pub fn from_code(code: u8) -> Option<NotificationType> {
        NotificationType::ALL.get(usize::from(code).checked_sub(1)?).copied()
    }

    /// The reference's name (`SCHFSExpiry` keeps its spelling).
    pub fn name(self) -> &'static str {
        match self {
            NotificationType::ProfileUpdate => "ProfileUpdate",
            NotificationType::NewBooking => "NewBooking",
            NotificationType::PayslipGenerated => "PayslipGenerated",
            NotificationType::HomeWorkAssigned => "HomeWorkAssigned",
            NotificationType::ReserveSlot => "ReserveSlot",
            NotificationType::Referral => "Referral",
            NotificationType::CancelRefundBooking => "CancelRefundBooking",
            NotificationType::PsyterSupportNotification => "PsyterSupportNotification",
            NotificationType::SchfsExpiry => "SCHFSExpiry",
            NotificationType::RefundByAdmin => "RefundByAdmin",
            NotificationType::CommonNotification => "CommonNotification",
            NotificationType::ReminderNotification => "ReminderNotification",
            NotificationType::OtherPartyJoined => "OtherPartyJoined",
            NotificationType::ProviderSignedContract => "ProviderSignedContract",
            NotificationType::NewMessage => "NewMessage",
            NotificationType::AccountDeleted => "AccountDeleted",
            NotificationType::BookingRescheduled => "BookingRescheduled",
        }
    }

    /// Whether Tahoon sends this kind: a new booking, a cancellation, a reschedule, a reminder.
    pub fn is_sent(self) -> bool {
        matches!(
            self,
            NotificationType::NewBooking
                | NotificationType::CancelRefundBooking
                | NotificationType::BookingRescheduled
                | NotificationType::ReminderNotification
        )
    }

    /// The kind that announces an outbox event, for the events that are pushed to the provider.
    pub fn for_event(event_type: &str) -> Option<NotificationType> {
        match event_type {
            "booking.confirmed" => Some(NotificationType::NewBooking),
            "booking.cancelled" => Some(NotificationType::CancelRefundBooking),
            "booking.rescheduled" => Some(NotificationType::BookingRescheduled),
            "booking.reminder" => Some(NotificationType::ReminderNotification),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_the_reference_list() {
        let names: Vec<(u8, &str)> = NotificationType::ALL.iter().map(|t| (t.code(), t.name())).collect();
        assert_eq!(names[0], (1, "ProfileUpdate"));
        assert_eq!(names[1], (2, "NewBooking"));
        assert_eq!(names[6], (7, "CancelRefundBooking"));
        assert_eq!(names[8], (9, "SCHFSExpiry"));
        assert_eq!(names[15], (16, "AccountDeleted"));
        assert_eq!(names[16], (17, "BookingRescheduled"));
        for t in NotificationType::ALL {
            assert_eq!(NotificationType::from_code(t.code()), Some(t));
        }
        assert_eq!(NotificationType::from_code(0), None);
        assert_eq!(NotificationType::from_code(18), None);
    }

    #[test]
    fn only_bookings_moves_cancellations_and_reminders_are_sent() {
        let sent: Vec<_> = NotificationType::ALL.into_iter().filter(|t| t.is_sent()).collect();
        assert_eq!(
            sent,
            [
                NotificationType::NewBooking,
                NotificationType::CancelRefundBooking,
                NotificationType::ReminderNotification,
                NotificationType::BookingRescheduled
            ]
        );
        assert_eq!(NotificationType::for_event("booking.reminder"), Some(NotificationType::ReminderNotification));
        assert_eq!(NotificationType::for_event("booking.confirmed"), Some(NotificationType::NewBooking));
        assert_eq!(NotificationType::for_event("booking.failed"), None);
        assert!(NotificationType::for_event("booking.rescheduled").is_some_and(|t| t.is_sent()));
    }
}
