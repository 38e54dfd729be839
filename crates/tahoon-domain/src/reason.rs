//! The one enum of reason codes carried by every response envelope.
//!
//! Codes 0–99 are the reference system's (kept as they were); 100 and up are Tahoon's own.

use serde::Serialize;

/// Languages a response message can be written in (`Accept-Language`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    #[default]
    English,
    Arabic,
}

impl Language {
    /// Picks the first supported language of an `Accept-Language` header, honouring q-values.
    pub fn from_accept_language(header: &str) -> Language {
        let mut best: Option<(f32, Language)> = None;
        for part in header.split(',') {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = pieces.find_map(|p| p.trim().strip_prefix("q=").and_then(|v| v.parse::<f32>().ok())).unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            let lang = match primary {
                "ar" => Language::Arabic,
                "en" => Language::English,
                _ => continue,
            };
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }
}

macro_rules! reasons {
    ($( $name:ident = $code:literal, $status:literal, $en:literal, $ar:literal; )*) => {
        /// Why a response is what it is. `code()` and `name()` are the wire contract.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        pub enum Reason { $( $name, )* }

        impl Reason {
            pub const ALL: &'static [Reason] = &[ $( Reason::$name, )* ];

            pub fn code(self) -> u16 { match self { $( Reason::$name => $code, )* } }
            pub fn name(self) -> &'static str { match self { $( Reason::$name => stringify!($name), )* } }
            /// The HTTP status this reason is answered with.
            pub fn http_status(self) -> u16 { match self { $( Reason::$name => $status, )* } }
            pub fn message(self, language: Language) -> &'static str {
                match (self, language) {
                    $( (Reason::$name, Language::English) => $en,
                       (Reason::$name, Language::Arabic) => $ar, )*
                }
            }
        }
    };
}

reasons! {
    Success = 0, 200, "Success.", "تمت العملية بنجاح.";
    EmptyParameter = 1, 400, "A required parameter is missing or malformed.", "إحدى المعاملات المطلوبة مفقودة أو غير صالحة.";
    RecordAlreadyExist = 4, 200, "The record already exists.", "السجل موجود بالفعل.";
    NotAllowed = 16, 404, "The requested slot is not available.", "الموعد المطلوب غير متاح.";
    UserNotFound = 18, 400, "The user was not found.", "لم يتم العثور على المستخدم.";
    CharityOrganizationBalanceOut = 50, 200, "The organization's session balance is exhausted.", "نفد رصيد الجلسات الخاص بالجهة.";
    InvalidToken = 101, 401, "The access token is missing, invalid, expired or revoked.", "رمز الوصول مفقود أو غير صالح أو منتهي الصلاحية أو ملغى.";
    InvalidSignature = 102, 401, "The request signature is missing or does not match.", "توقيع الطلب مفقود أو غير مطابق.";
    Forbidden = 103, 403, "This access key's role does not allow this operation.", "صلاحية مفتاح الوصول هذا لا تسمح بهذه العملية.";
    NotFound = 104, 404, "The resource was not found.", "لم يتم العثور على المورد.";
    ValidationFailed = 105, 400, "A field failed validation.", "فشل التحقق من أحد الحقول.";
    RateLimited = 106, 429, "Too many requests; retry after the indicated time.", "طلبات كثيرة جدًا؛ أعد المحاولة بعد الوقت المحدد.";
    IdempotencyConflict = 107, 409, "This Idempotency-Key was already used with a different request.", "تم استخدام مفتاح عدم التكرار هذا مع طلب مختلف.";
    VendorUnavailable = 108, 503, "A partner service is unavailable; retry later.", "إحدى الخدمات الشريكة غير متاحة؛ أعد المحاولة لاحقًا.";
    VendorFailed = 109, 502, "A partner service answered with an error.", "أجابت إحدى الخدمات الشريكة بخطأ.";
    PayloadTooLarge = 110, 413, "The request body is too large.", "حجم جسم الطلب كبير جدًا.";
    UnsupportedMediaType = 111, 415, "The request body must be JSON (application/json).", "يجب أن يكون جسم الطلب بصيغة JSON.";
    MethodNotAllowed = 112, 405, "This method is not allowed on this path.", "هذه الطريقة غير مسموح بها على هذا المسار.";
    InternalError = 113, 500, "An internal error occurred; quote the requestId to support.", "حدث خطأ داخلي؛ اذكر requestId عند التواصل مع الدعم.";
    ServiceUnavailable = 114, 503, "The service is temporarily unavailable.", "الخدمة غير متاحة مؤقتًا.";
    ActiveBookingLimitReached = 115, 409, "The user already holds as many upcoming sessions as the organization allows.", "لدى المستخدم بالفعل الحد الأقصى من الجلسات القادمة الذي تسمح به الجهة.";
    RecordingNotSupported = 116, 404, "This booking's video service does not record sessions.", "خدمة الفيديو الخاصة بهذا الحجز لا تسجّل الجلسات.";
    WebhookEndpointLimitReached = 117, 409, "The organization already has as many webhook endpoints as allowed.", "لدى الجهة بالفعل الحد الأقصى المسموح به من نقاط استقبال الويب هوك.";
    WebhookEndpointDisabled = 118, 409, "The webhook endpoint is disabled.", "نقطة استقبال الويب هوك معطّلة.";
    WebhookDeliveryInFlight = 119, 409, "This webhook delivery is being attempted now; retry when the attempt ends.", "تجري الآن محاولة إرسال هذا الويب هوك؛ أعد المحاولة عند انتهائها.";
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn reference_codes_are_kept() {
        assert_eq!((Reason::EmptyParameter.code(), Reason::EmptyParameter.http_status()), (1, 400));
        assert_eq!((Reason::RecordAlreadyExist.code(), Reason::RecordAlreadyExist.http_status()), (4, 200));
        assert_eq!((Reason::NotAllowed.code(), Reason::NotAllowed.http_status()), (16, 404));
        assert_eq!((Reason::UserNotFound.code(), Reason::UserNotFound.http_status()), (18, 400));
        assert_eq!(
            (Reason::CharityOrganizationBalanceOut.code(), Reason::CharityOrganizationBalanceOut.http_status()),
            (50, 200)
        );
        assert_eq!(Reason::Success.code(), 0);
    }

    #[test]
    fn codes_and_names_are_unique() {
        let codes: HashSet<_> = Reason::ALL.iter().map(|r| r.code()).collect();
        let names: HashSet<_> = Reason::ALL.iter().map(|r| r.name()).collect();
        assert_eq!(codes.len(), Reason::ALL.len());
        assert_eq!(names.len(), Reason::ALL.len());
    }

    #[test]
    fn accept_language_picks_arabic_by_q() {
        assert_eq!(Language::from_accept_language("ar"), Language::Arabic);
        assert_eq!(Language::from_accept_language("ar-SA,en;q=0.5"), Language::Arabic);
        assert_eq!(Language::from_accept_language("en;q=0.4, ar;q=0.9"), Language::Arabic);
        assert_eq!(Language::from_accept_language("fr, en-GB;q=0.8"), Language::English);
        assert_eq!(Language::from_accept_language("de"), Language::English);
        assert_eq!(Language::from_accept_language(""), Language::English);
    }
}
