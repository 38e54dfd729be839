use super::*;
use proptest::prelude::*;

/// Answers to every scored item of `instrument` adding up to `total` (filled from the first item).
fn answers_for(instrument: &Instrument, total: i64) -> Vec<Answer> {
    let mut left = total;
    instrument
        .definition
        .questions
        .iter()
        .enumerate()
        .filter(|(_, q)| q.scored)
        .map(|(i, _)| {
            let value = left.min(3);
            left -= value;
            Answer {
                question_id: instrument.question_id(i + 1),
                option_id: Some(instrument.option_id(i + 1, value as usize)),
                text: None,
            }
        })
        .collect()
}

#[test]
fn built_ins_are_valid() {
    for instrument in built_in() {
        assert_eq!(instrument.definition.validate(), Ok(()), "{}", instrument.definition.code);
    }
    assert_eq!(phq9().definition.max_total(), 27);
    assert_eq!(gad7().definition.max_total(), 21);
    assert_eq!(phq9().definition.questions.len(), 10, "nine items and the difficulty question");
}

#[test]
fn phq9_band_boundaries() {
    let phq9 = phq9();
    for (total, code) in [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately_severe"),
        (19, "moderately_severe"),
        (20, "severe"),
        (27, "severe"),
    ] {
        let scored = score(&phq9, &answers_for(&phq9, total)).unwrap();
        assert_eq!((scored.total, scored.band.code.as_str()), (total, code), "total {total}");
        assert_eq!(scored.max_total, 27);
    }
}

#[test]
fn gad7_band_boundaries() {
    let gad7 = gad7();
    for (total, code) in [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ] {
        let scored = score(&gad7, &answers_for(&gad7, total)).unwrap();
        assert_eq!((scored.total, scored.band.code.as_str()), (total, code), "total {total}");
        assert!(scored.risk_flags.is_empty());
    }
}

#[test]
fn item_nine_flags_self_harm_at_any_total() {
    let phq9 = phq9();
    let mut answers = answers_for(&phq9, 0);
    answers[8].option_id = Some(phq9.option_id(9, 1)); // "Several days" on item 9
    let scored = score(&phq9, &answers).unwrap();
    assert_eq!((scored.total, scored.band.code.as_str()), (1, "minimal"));
    assert_eq!(scored.risk_flags, ["self_harm"]);
    let scored = score(&phq9, &answers_for(&phq9, 24)).unwrap();
    assert!(scored.risk_flags.is_empty(), "24 points without item 9 raise no flag");
}

#[test]
fn invalid_submissions() {
    let phq9 = phq9();
    let base = answers_for(&phq9, 3);
    let mut missing = base.clone();
    missing.remove(4);
    assert_eq!(score(&phq9, &missing), Err(AnswerError::Missing { question_id: 1005 }));
    let mut foreign = base.clone();
    foreign[0].option_id = Some(phq9.option_id(2, 1));
    assert!(matches!(score(&phq9, &foreign), Err(AnswerError::ForeignOption { index: 0, .. })));
    let mut out_of_range = base.clone();
    out_of_range[0].option_id = Some(phq9.option_id(1, 7));
    assert!(matches!(score(&phq9, &out_of_range), Err(AnswerError::ForeignOption { .. })));
    let mut duplicate = base.clone();
    duplicate.push(base[0].clone());
    assert!(matches!(score(&phq9, &duplicate), Err(AnswerError::Duplicate { index: 9, .. })));
    let mut unknown = base.clone();
    unknown[1].question_id = 1099;
    assert!(matches!(score(&phq9, &unknown), Err(AnswerError::UnknownQuestion { index: 1, .. })));
    let mut other_instrument = base.clone();
    other_instrument[1].question_id = 2001;
    assert!(matches!(score(&phq9, &other_instrument), Err(AnswerError::UnknownQuestion { .. })));
    let mut no_option = base.clone();
    no_option[2].option_id = None;
    assert!(matches!(score(&phq9, &no_option), Err(AnswerError::NeedsOption { index: 2, .. })));
    // The optional difficulty question may be answered, unscored.
    let mut with_difficulty = base.clone();
    with_difficulty.push(Answer { question_id: 1010, option_id: Some(phq9.option_id(10, 3)), text: None });
    assert_eq!(score(&phq9, &with_difficulty).unwrap().total, 3);
}

#[test]
fn text_questions() {
    let mut def = gad7().definition;
    def.code = "GAD-7-NOTE".into();
    def.questions.push(QuestionDefinition {
        text_plang: "Anything else?".into(),
        text_slang: "هل من شيء آخر؟".into(),
        kind: QuestionType::Text,
        required: true,
        scored: false,
        options: vec![],
    });
    assert_eq!(def.validate(), Ok(()));
    let instrument = Instrument { id: 100, definition: def };
    let mut answers: Vec<Answer> = (1..=7)
        .map(|p| Answer {
            question_id: instrument.question_id(p),
            option_id: Some(instrument.option_id(p, 1)),
            text: None,
        })
        .collect();
    assert!(matches!(score(&instrument, &answers), Err(AnswerError::Missing { question_id: 100_009 })));
    answers.push(Answer { question_id: 100_009, option_id: None, text: Some("  ".into()) });
    assert!(matches!(score(&instrument, &answers), Err(AnswerError::NeedsText { .. })));
    answers[7].text = Some("Sleeping badly".into());
    let scored = score(&instrument, &answers).unwrap();
    assert_eq!(scored.total, 7);
    assert_eq!(scored.answers[7].text.as_deref(), Some("Sleeping badly"));
}

#[test]
fn definitions_are_checked() {
    let mut def = phq9().definition;
    def.bands[1].min = 6;
    assert_eq!(def.validate().unwrap_err().0, "bands[1].min");
    let mut def = phq9().definition;
    def.bands.pop();
    assert_eq!(def.validate().unwrap_err().0, "bands");
    let mut def = phq9().definition;
    def.questions[0].options.truncate(1);
    assert_eq!(def.validate().unwrap_err().0, "questions[0].options");
    let mut def = phq9().definition;
    def.risk_rules[0].question = 42;
    assert_eq!(def.validate().unwrap_err().0, "riskRules[0].question");
    let mut def = phq9().definition;
    def.code = "phq 9".into();
    assert_eq!(def.validate().unwrap_err().0, "code");
}

#[test]
fn every_text_of_a_definition_is_free_text() {
    type Edit = fn(&mut InstrumentDefinition, String);
    let edits: [(&str, Edit); 7] = [
        ("nameSLang", |d, t| d.name_slang = t),
        ("instructionsPLang", |d, t| d.instructions_plang = t),
        ("questions[2].textSLang", |d, t| d.questions[2].text_slang = t),
        ("questions[0].options[3].textPLang", |d, t| d.questions[0].options[3].text_plang = t),
        ("bands[1].code", |d, t| d.bands[1].code = t),
        ("bands[4].namePLang", |d, t| d.bands[4].name_plang = t),
        ("bands[0].nameSLang", |d, t| d.bands[0].name_slang = t),
    ];
    for (field, edit) in edits {
        for (text, problem) in [
            ("Nul\u{0000}", "control characters"),
            ("a\u{202E}b", "bidirectional"),
            ("javascript&colon;x", "character references"),
            ("<b>x</b>", "HTML tags"),
        ] {
            let mut def = phq9().definition;
            edit(&mut def, text.to_string());
            let (got, message) = def.validate().unwrap_err();
            assert_eq!(got, field, "{text:?}");
            assert!(message.contains(problem), "{message}");
        }
    }
}

proptest! {
    #[test]
    fn total_is_the_sum_and_lies_in_its_band(values in proptest::collection::vec(0usize..4, 9)) {
        let phq9 = phq9();
        let answers: Vec<Answer> = values
            .iter()
            .enumerate()
            .map(|(i, v)| Answer { question_id: phq9.question_id(i + 1), option_id: Some(phq9.option_id(i + 1, *v)), text: None })
            .collect();
        let scored = score(&phq9, &answers).unwrap();
        prop_assert_eq!(scored.total, values.iter().sum::<usize>() as i64);
        prop_assert!(scored.band.min <= scored.total && scored.total <= scored.band.max);
        prop_assert_eq!(scored.risk_flags.is_empty(), values[8] == 0);
    }

    /// Whatever ids a client sends, an answer is scored or refused by name — never an overflow.
    #[test]
    fn any_ids_are_refused_not_overflowed(question_id in any::<i64>(), option_id in any::<i64>()) {
        let phq9 = phq9();
        let answers = [Answer { question_id, option_id: Some(option_id), text: None }];
        match score(&phq9, &answers) {
            Ok(_) => {}
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
        for edge in [i64::MIN, i64::MIN + 1, i64::MAX, -1, 0] {
            let answers = [Answer { question_id: edge, option_id: Some(edge), text: None }];
            prop_assert!(score(&phq9, &answers).is_err());
            let answers = [Answer { question_id: phq9.question_id(1), option_id: Some(edge), text: None }];
            prop_assert!(score(&phq9, &answers).is_err());
        }
    }
}
