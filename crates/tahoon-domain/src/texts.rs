//! The console's words in English and Arabic: one catalogue beside the API's messages
//! (`reason::Reason::message`), in the same `Language`, so a page and the API speak alike.

pub use crate::reason::Language;

impl Language {
    /// The `lang` attribute of a page.
    pub fn tag(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::Arabic => "ar",
        }
    }

    /// The writing direction of a page.
    pub fn direction(self) -> &'static str {
        match self {
            Language::English => "ltr",
            Language::Arabic => "rtl",
        }
    }

    /// `en` or `ar` (a preference cookie's value or a switch link's), nothing else.
    pub fn from_tag(tag: &str) -> Option<Language> {
        match tag {
            "en" => Some(Language::English),
            "ar" => Some(Language::Arabic),
            _ => None,
        }
    }
}

macro_rules! texts {
    ($( $name:ident => $en:literal, $ar:literal; )*) => {
        /// A string of the console.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Text { $( $name, )* }

        impl Text {
            pub const ALL: &'static [Text] = &[ $( Text::$name, )* ];

            pub fn get(self, language: Language) -> &'static str {
                match (self, language) {
                    $( (Text::$name, Language::English) => $en,
                       (Text::$name, Language::Arabic) => $ar, )*
                }
            }
        }
    };
}

texts! {
    Console => "Tahoon console", "لوحة طاهون";
    SkipToContent => "Skip to content", "انتقل إلى المحتوى";
    MainNavigation => "Main", "الرئيسية";
    LanguageName => "English", "العربية";
    OtherLanguage => "العربية", "English";
    SignIn => "Sign in", "تسجيل الدخول";
    SignInPartner => "Partner sign-in", "دخول الشريك";
    SignInOperator => "Operator sign-in", "دخول المشغّل";
    AccessKey => "Access key", "مفتاح الوصول";
    OperatorToken => "Operator token", "رمز المشغّل";
    SignOut => "Sign out", "تسجيل الخروج";
    SignedInAs => "Signed in as", "مسجّل الدخول باسم";
    Operator => "Operator", "المشغّل";
    ReadOnly => "Read-only access: you can look but not change.", "صلاحية قراءة فقط: يمكنك الاطلاع دون التعديل.";
    WrongCredentials => "These credentials are not accepted.", "بيانات الدخول هذه غير مقبولة.";
    TooManyAttempts => "Too many attempts; wait a minute and try again.", "محاولات كثيرة؛ انتظر دقيقة ثم أعد المحاولة.";
    FormExpired => "This form has expired; please try again.", "انتهت صلاحية هذا النموذج؛ يرجى المحاولة مجددًا.";
    SessionEnded => "Your session has ended; please sign in again.", "انتهت جلستك؛ يرجى تسجيل الدخول مجددًا.";
    Forbidden => "Your access key cannot make changes.", "مفتاح الوصول الخاص بك لا يسمح بإجراء تغييرات.";
    Overview => "Overview", "نظرة عامة";
    SessionsToday => "Sessions today", "جلسات اليوم";
    SessionsThisWeek => "Sessions in the next 7 days", "جلسات الأيام السبعة القادمة";
    BillableThisMonth => "Billable sessions this month", "الجلسات المحتسبة هذا الشهر";
    BookingsPerDay => "Sessions per day, next two weeks", "الجلسات يوميًا خلال الأسبوعين القادمين";
    ChartNote => "Confirmed and pending sessions, by day in the organization's time zone.", "الجلسات المؤكدة وقيد الانتظار، حسب اليوم بتوقيت المنظمة.";
    AuditTrail => "Audit trail", "سجل التدقيق";
    Action => "Action", "الإجراء";
    Outcome => "Outcome", "النتيجة";
    RequestId => "Request id", "معرّف الطلب";
    Pages => "Pages", "الصفحات";
    Previous => "Previous", "السابق";
    Next => "Next", "التالي";
    Bookings => "Bookings", "الحجوزات";
    Booking => "Booking", "الحجز";
    NoBookings => "No bookings match.", "لا توجد حجوزات مطابقة.";
    Status => "Status", "الحالة";
    AnyStatus => "Any status", "أي حالة";
    From => "From", "من";
    To => "To", "إلى";
    Filter => "Filter", "تصفية";
    Session => "Session", "الجلسة";
    Provider => "Care provider", "مقدّم الرعاية";
    User => "User", "المستخدم";
    Meeting => "Meeting", "الاجتماع";
    Price => "Price", "السعر";
    History => "Status history", "سجل الحالات";
    When => "When", "الوقت";
    Change => "Change", "التغيير";
    By => "By", "بواسطة";
    Note => "Note", "ملاحظة";
    YourOrganization => "Your organization", "منظمتك";
    System => "Tahoon", "طاهون";
    CancelBooking => "Cancel this booking", "إلغاء هذا الحجز";
    CancellationReason => "Reason (optional)", "السبب (اختياري)";
    ConfirmCancel => "Yes, cancel it", "نعم، ألغِه";
    Cancelled => "The booking is cancelled.", "تم إلغاء الحجز.";
    Back => "Back", "رجوع";
    Keys => "API keys", "مفاتيح الواجهة";
    Providers => "Care providers", "مقدّمو الرعاية";
    ImportProviders => "Import care providers", "استيراد مقدّمي الرعاية";
    ImportNote => "A JSON file in the operator's import format (docs/providers.md); existing externalIds are updated.", "ملف JSON بصيغة الاستيراد الخاصة بالمشغّل (docs/providers.md)؛ تُحدَّث المعرّفات الخارجية الموجودة.";
    File => "File", "الملف";
    Import => "Import", "استيراد";
    NoSuchImport => "No such import (imports are kept for an hour).", "لا توجد عملية استيراد بهذا المعرّف (تُحفظ لمدة ساعة).";
    Imported => "Imported", "تم استيراد";
    ImportRunning => "The import is running; this page follows it.", "الاستيراد جارٍ؛ هذه الصفحة تتابعه.";
    ImportDone => "Done: created + updated =", "اكتمل: المُنشأ + المُحدَّث =";
    Availability => "Availability", "أوقات التوفر";
    AvailabilityJson => "Availability (JSON, as tahoon provider availability show prints it)", "أوقات التوفر (JSON كما يطبعها tahoon provider availability show)";
    FreeSlots => "Free sessions that day", "الجلسات المتاحة ذلك اليوم";
    TimeZone => "Time zone", "المنطقة الزمنية";
    NoSuchProvider => "No such care provider.", "لا يوجد مقدّم رعاية بهذا المعرّف.";
    NoFreeSlots => "No free time.", "لا وقت متاحًا.";
    Booked => "your session", "جلستكم";
    Users => "Users", "المستخدمون";
    ReferenceId => "Reference id", "المعرّف المرجعي";
    Registered => "Registered", "تاريخ التسجيل";
    NoSuchUser => "No such user.", "لا يوجد مستخدم بهذا المعرّف.";
    Export => "Export the user's data", "تصدير بيانات المستخدم";
    ExportNote => "A JSON file with everything kept about this person, including screening answers.", "ملف JSON بكل ما يُحفظ عن هذا الشخص، بما في ذلك إجابات الفحص.";
    ConfirmExport => "I need this person's data and will keep the file safe", "أحتاج بيانات هذا الشخص وسأحفظ الملف بأمان";
    Erase => "Erase the user", "محو المستخدم";
    EraseNote => "Name, date of birth, reference id and free-text answers are erased for good; scores and bookings stay, anonymous.", "يُمحى الاسم وتاريخ الميلاد والمعرّف المرجعي والإجابات النصية نهائيًا؛ وتبقى الدرجات والحجوزات دون هوية.";
    ConfirmErase => "Yes, erase this person's data", "نعم، امحُ بيانات هذا الشخص";
    Erased => "The user's data is erased.", "تم محو بيانات المستخدم.";
    Screening => "Screening", "الفحص";
    ScreeningNote => "Submissions by instrument and severity band; no one's answers are shown here.", "عدد الإجابات حسب الأداة ودرجة الشدة؛ لا تُعرض هنا إجابات أي شخص.";
    Instrument => "Instrument", "الأداة";
    Band => "Severity band", "درجة الشدة";
    Submissions => "Submissions", "عدد الإجابات";
    Webhooks => "Webhooks", "خطافات الويب";
    NoEndpoints => "No webhook endpoints.", "لا توجد نقاط استقبال لخطافات الويب.";
    Url => "Address", "العنوان";
    Events => "Events", "الأحداث";
    Event => "Event", "الحدث";
    Deliveries => "Deliveries", "عمليات التسليم";
    Attempts => "Attempts", "المحاولات";
    LastAnswer => "Last answer", "آخر رد";
    SendTest => "Send a test event", "أرسل حدثًا تجريبيًا";
    TestSent => "A test event is on its way.", "الحدث التجريبي في طريقه.";
    Redeliver => "Deliver again", "أعد التسليم";
    RedeliveryScheduled => "The delivery will be attempted again now.", "ستُعاد محاولة التسليم الآن.";
    RotateKeys => "Rotate keys", "تدوير المفاتيح";
    RotateWarning => "New keys replace the current ones at once: every current key and token stops working.", "تحل المفاتيح الجديدة محل الحالية فورًا: يتوقف كل مفتاح ورمز حالي عن العمل.";
    ConfirmRotate => "Yes, issue new keys", "نعم، أصدر مفاتيح جديدة";
    NewKeysOnce => "Store these keys now: they are shown this once only.", "احفظ هذه المفاتيح الآن: لن تظهر إلا هذه المرة.";
    SharedKey => "Shared API key", "مفتاح التوقيع المشترك";
    OrganizationId => "Organization id", "معرّف المنظمة";
    Organizations => "Organizations", "المنظمات";
    NoSuchOrganization => "No such organization.", "لا توجد منظمة بهذا المعرّف.";
    CutoffHours => "Cancellation cut-off (hours)", "مهلة الإلغاء (بالساعات)";
    Save => "Save", "حفظ";
    Saved => "Saved.", "تم الحفظ.";
    OutOfBounds => "A value is outside its bounds; nothing was changed.", "إحدى القيم خارج حدودها؛ لم يُغيَّر شيء.";
    Settings => "Settings", "الإعدادات";
    SettingsNote => "The settings held in the database, in force now; secrets are masked. Change them with tahoon settings or the admin routes.", "الإعدادات المحفوظة في قاعدة البيانات والسارية الآن؛ الأسرار مخفية. غيّرها عبر tahoon settings أو مسارات الإدارة.";
    Value => "Value", "القيمة";
    SystemPage => "System", "النظام";
    Version => "Version", "الإصدار";
    Database => "Database", "قاعدة البيانات";
    Migrations => "Migrations applied (latest)", "الترحيلات المطبّقة (الأحدث)";
    PushWaiting => "Push notifications waiting", "الإشعارات المنتظرة";
    OutboxLag => "Oldest overdue push notification", "أقدم إشعار متأخر";
    RecentRefusals => "Recent refusals (audit)", "أحدث حالات الرفض (التدقيق)";
    CreateOrganization => "Create an organization", "إنشاء منظمة";
    Name => "Name", "الاسم";
    Kind => "Kind", "النوع";
    Standard => "Standard", "عادية";
    Charity => "Charity", "خيرية";
    Balance => "Balance", "الرصيد";
    RateLimit => "Requests a minute", "الطلبات في الدقيقة";
    Compatibility => "Compatibility mode", "وضع التوافق";
    State => "State", "الحالة التشغيلية";
    Enabled => "Enabled", "مفعّلة";
    Disabled => "Disabled", "معطّلة";
    Create => "Create", "إنشاء";
    Created => "Created", "أُنشئت";
    Disable => "Disable", "تعطيل";
    Enable => "Enable", "تفعيل";
    Pending => "Pending", "قيد الانتظار";
    Confirmed => "Confirmed", "مؤكد";
    CancelledStatus => "Cancelled", "ملغى";
    Failed => "Failed", "فشل";
    Completed => "Completed", "مكتمل";
    NoShow => "No-show", "لم يحضر";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_has_both_languages_and_arabic_is_arabic() {
        for text in Text::ALL {
            let (en, ar) = (text.get(Language::English), text.get(Language::Arabic));
            assert!(!en.trim().is_empty() && !ar.trim().is_empty(), "{text:?}");
            let arabic_letters = ar.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c));
            assert!(arabic_letters || *text == Text::OtherLanguage, "{text:?} is not written in Arabic: {ar}");
        }
        assert_eq!((Language::Arabic.direction(), Language::Arabic.tag()), ("rtl", "ar"));
        assert_eq!(Language::from_tag("fr"), None);
    }
}
