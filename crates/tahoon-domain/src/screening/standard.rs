//! The standard instruments, PHQ-9 and GAD-7: published items in English and Arabic, and their
//! published scoring bands and risk rules.

use super::*;

fn frequency_options() -> Vec<OptionDefinition> {
    [
        ("Not at all", "أبداً"),
        ("Several days", "عدة أيام"),
        ("More than half the days", "أكثر من نصف الأيام"),
        ("Nearly every day", "كل يوم تقريباً"),
    ]
    .iter()
    .enumerate()
    .map(|(v, (en, ar))| OptionDefinition { text_plang: (*en).into(), text_slang: (*ar).into(), value: v as i64 })
    .collect()
}

fn difficulty_question() -> QuestionDefinition {
    QuestionDefinition {
        text_plang: "If you checked off any problems, how difficult have these problems made it for you to do your work, take care of things at home, or get along with other people?".into(),
        text_slang: "إذا كنت قد أشرت إلى أي من هذه المشكلات، فما مدى الصعوبة التي سببتها لك في أداء عملك أو الاعتناء بأمور المنزل أو التعامل مع الآخرين؟".into(),
        kind: QuestionType::Choice,
        required: false,
        scored: false,
        options: [("Not difficult at all", "ليست صعبة على الإطلاق"), ("Somewhat difficult", "صعبة إلى حد ما"), ("Very difficult", "صعبة جداً"), ("Extremely difficult", "صعبة للغاية")]
            .iter()
            .enumerate()
            .map(|(v, (en, ar))| OptionDefinition { text_plang: (*en).into(), text_slang: (*ar).into(), value: v as i64 })
            .collect(),
    }
}

fn band(min: i64, max: i64, code: &str, en: &str, ar: &str) -> Band {
    Band { min, max, code: code.into(), name_plang: en.into(), name_slang: ar.into() }
}

fn items(texts: &[(&str, &str)]) -> Vec<QuestionDefinition> {
    texts
        .iter()
        .map(|(en, ar)| QuestionDefinition {
            text_plang: (*en).into(),
            text_slang: (*ar).into(),
            kind: QuestionType::Choice,
            required: true,
            scored: true,
            options: frequency_options(),
        })
        .chain(std::iter::once(difficulty_question()))
        .collect()
}

const OVER_TWO_WEEKS: (&str, &str) = (
    "Over the last 2 weeks, how often have you been bothered by any of the following problems?",
    "خلال الأسبوعين الماضيين، كم مرة انزعجت من أي من المشكلات التالية؟",
);

/// PHQ-9 (Kroenke, Spitzer & Williams, 2001), with its published scoring.
pub fn phq9() -> Instrument {
    Instrument {
        id: PHQ9_ID,
        definition: InstrumentDefinition {
            code: "PHQ-9".into(),
            name_plang: "Patient Health Questionnaire (PHQ-9)".into(),
            name_slang: "استبيان صحة المريض (PHQ-9)".into(),
            instructions_plang: OVER_TWO_WEEKS.0.into(),
            instructions_slang: OVER_TWO_WEEKS.1.into(),
            questions: items(&[
                ("Little interest or pleasure in doing things", "قلة الاهتمام أو المتعة في القيام بالأشياء"),
                ("Feeling down, depressed, or hopeless", "الشعور بالحزن أو الاكتئاب أو اليأس"),
                (
                    "Trouble falling or staying asleep, or sleeping too much",
                    "صعوبة في النوم أو الاستمرار فيه، أو النوم أكثر من اللازم",
                ),
                ("Feeling tired or having little energy", "الشعور بالتعب أو قلة الطاقة"),
                ("Poor appetite or overeating", "ضعف الشهية أو الإفراط في الأكل"),
                (
                    "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
                    "الشعور بعدم الرضا عن نفسك، أو أنك فاشل أو خذلت نفسك أو عائلتك",
                ),
                (
                    "Trouble concentrating on things, such as reading the newspaper or watching television",
                    "صعوبة في التركيز على الأشياء، مثل قراءة الصحيفة أو مشاهدة التلفاز",
                ),
                (
                    "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so fidgety or restless that you have been moving around a lot more than usual",
                    "التحرك أو التحدث ببطء شديد لدرجة أن الآخرين قد لاحظوا ذلك، أو العكس: التململ أو عدم الاستقرار لدرجة أنك تتحرك أكثر من المعتاد",
                ),
                (
                    "Thoughts that you would be better off dead or of hurting yourself in some way",
                    "أفكار بأنك ستكون أفضل حالاً لو كنت ميتاً، أو أفكار بإيذاء نفسك بطريقة ما",
                ),
            ]),
            bands: vec![
                band(0, 4, "minimal", "Minimal depression", "اكتئاب ضئيل"),
                band(5, 9, "mild", "Mild depression", "اكتئاب خفيف"),
                band(10, 14, "moderate", "Moderate depression", "اكتئاب متوسط"),
                band(15, 19, "moderately_severe", "Moderately severe depression", "اكتئاب متوسط الشدة"),
                band(20, 27, "severe", "Severe depression", "اكتئاب شديد"),
            ],
            risk_rules: vec![RiskRule { question: 9, min_value: 1, flag: "self_harm".into() }],
        },
    }
}

/// GAD-7 (Spitzer, Kroenke, Williams & Löwe, 2006), with its published scoring.
pub fn gad7() -> Instrument {
    Instrument {
        id: GAD7_ID,
        definition: InstrumentDefinition {
            code: "GAD-7".into(),
            name_plang: "Generalized Anxiety Disorder scale (GAD-7)".into(),
            name_slang: "مقياس اضطراب القلق العام (GAD-7)".into(),
            instructions_plang: OVER_TWO_WEEKS.0.into(),
            instructions_slang: OVER_TWO_WEEKS.1.into(),
            questions: items(&[
                ("Feeling nervous, anxious, or on edge", "الشعور بالتوتر أو القلق أو العصبية"),
                ("Not being able to stop or control worrying", "عدم القدرة على التوقف عن القلق أو التحكم فيه"),
                ("Worrying too much about different things", "القلق الزائد حيال أمور مختلفة"),
                ("Trouble relaxing", "صعوبة في الاسترخاء"),
                ("Being so restless that it is hard to sit still", "التململ الشديد لدرجة صعوبة البقاء جالساً بهدوء"),
                ("Becoming easily annoyed or irritable", "سرعة الانزعاج أو الاستثارة"),
                ("Feeling afraid, as if something awful might happen", "الشعور بالخوف كأن شيئاً فظيعاً قد يحدث"),
            ]),
            bands: vec![
                band(0, 4, "minimal", "Minimal anxiety", "قلق ضئيل"),
                band(5, 9, "mild", "Mild anxiety", "قلق خفيف"),
                band(10, 14, "moderate", "Moderate anxiety", "قلق متوسط"),
                band(15, 21, "severe", "Severe anxiety", "قلق شديد"),
            ],
            risk_rules: vec![],
        },
    }
}

pub fn built_in() -> Vec<Instrument> {
    vec![phq9(), gad7()]
}
