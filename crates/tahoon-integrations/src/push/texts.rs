//! What a provider reads: the title and body of each sent kind, in English and Arabic. Dates and
//! times are the provider's local ones, written as numbers (`2026-03-05`, `14:00`) in both languages.

use super::notification::NotificationType;

/// A language of the texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Language {
    /// The reference's primary language (PLang).
    #[default]
    English,
    /// The reference's secondary language (SLang).
    Arabic,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::Arabic => "ar",
        }
    }
}

/// When the session is, as the texts say it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct When {
    /// `YYYY-MM-DD` in the provider's zone.
    pub date: String,
    /// `HH:MM` in the provider's zone.
    pub time: String,
    /// The zone's IANA name.
    pub zone: String,
}

/// A title and a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub title: String,
    pub body: String,
}

/// The text of `kind` in `language`; `name` is the client's name, only when the organization lets
/// providers see it. `None` for a kind Tahoon does not send.
pub fn text(kind: NotificationType, language: Language, name: Option<&str>, when: &When) -> Option<Text> {
    let When { date, time, zone } = when;
    let (title, body) = match (language, kind) {
        (Language::English, NotificationType::NewBooking) => (
            "New session booked",
            match name {
                Some(name) => format!("{name} booked a session on {date} at {time} ({zone})."),
                None => format!("A session was booked on {date} at {time} ({zone})."),
            },
        ),
        (Language::English, NotificationType::CancelRefundBooking) => (
            "Session cancelled",
            match name {
                Some(name) => format!("The session with {name} on {date} at {time} ({zone}) was cancelled."),
                None => format!("The session on {date} at {time} ({zone}) was cancelled."),
            },
        ),
        (Language::English, NotificationType::BookingRescheduled) => (
            "Session rescheduled",
            match name {
                Some(name) => format!("The session with {name} moved to {date} at {time} ({zone})."),
                None => format!("A session moved to {date} at {time} ({zone})."),
            },
        ),
        (Language::English, NotificationType::ReminderNotification) => (
            "Upcoming session",
            match name {
                Some(name) => format!("Your session with {name} is on {date} at {time} ({zone})."),
                None => format!("You have a session on {date} at {time} ({zone})."),
            },
        ),
        (Language::Arabic, NotificationType::NewBooking) => (
            "حجز جلسة جديدة",
            match name {
                Some(name) => format!("حجز {name} جلسة بتاريخ {date} الساعة {time} ({zone})."),
                None => format!("تم حجز جلسة بتاريخ {date} الساعة {time} ({zone})."),
            },
        ),
        (Language::Arabic, NotificationType::CancelRefundBooking) => (
            "إلغاء جلسة",
            match name {
                Some(name) => format!("أُلغيت الجلسة مع {name} بتاريخ {date} الساعة {time} ({zone})."),
                None => format!("أُلغيت الجلسة بتاريخ {date} الساعة {time} ({zone})."),
            },
        ),
        (Language::Arabic, NotificationType::BookingRescheduled) => (
            "تغيير موعد جلسة",
            match name {
                Some(name) => format!("تغيّر موعد الجلسة مع {name} إلى {date} الساعة {time} ({zone})."),
                None => format!("تغيّر موعد جلسة إلى {date} الساعة {time} ({zone})."),
            },
        ),
        (Language::Arabic, NotificationType::ReminderNotification) => (
            "تذكير بجلسة قادمة",
            match name {
                Some(name) => format!("جلستك مع {name} بتاريخ {date} الساعة {time} ({zone})."),
                None => format!("لديك جلسة بتاريخ {date} الساعة {time} ({zone})."),
            },
        ),
        _ => return None,
    };
    Some(Text { title: title.to_owned(), body })
}

/// A client's name as a notification may show it: control and bidirectional-override characters
/// removed (they could disguise the text around the name), spaces collapsed, at most 64 characters.
pub fn display_name(name: &str) -> Option<String> {
    let is_bidi_control =
        |c: char| matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    let cleaned: String = name.chars().map(|c| if c.is_control() || is_bidi_control(c) { ' ' } else { c }).collect();
    let collapsed = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    let capped: String = collapsed.chars().take(64).collect();
    let capped = capped.trim_end().to_owned();
    (!capped.is_empty()).then_some(capped)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn when() -> When {
        When { date: "2026-03-05".into(), time: "14:00".into(), zone: "Asia/Riyadh".into() }
    }

    #[test]
    fn every_sent_kind_has_both_languages_and_no_other_kind_has_any() {
        for kind in NotificationType::ALL {
            for language in [Language::English, Language::Arabic] {
                let t = text(kind, language, Some("Sara"), &when());
                assert_eq!(t.is_some(), kind.is_sent(), "{kind:?} {language:?}");
                if let Some(t) = t {
                    assert!(t.body.contains("Sara") && t.body.contains("2026-03-05") && t.body.contains("14:00"));
                    let anonymous = text(kind, language, None, &when()).unwrap();
                    assert!(!anonymous.body.contains("Sara") && anonymous.body.contains("Asia/Riyadh"));
                }
            }
        }
        let ar = text(NotificationType::NewBooking, Language::Arabic, None, &when()).unwrap();
        assert!(ar.title.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)));
    }

    #[test]
    fn names_are_cleaned_and_capped() {
        assert_eq!(display_name("  Sara \n Ahmed\u{202E} "), Some("Sara Ahmed".into()));
        assert_eq!(display_name("\u{0007}\t "), None);
        assert_eq!(display_name(&"ن".repeat(100)).map(|n| n.chars().count()), Some(64));
    }
}
