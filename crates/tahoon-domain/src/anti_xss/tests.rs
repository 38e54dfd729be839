//! Tests of the free-text rule: examples, the `FreeText` type, and properties over generated text.

use super::*;
use MarkupError::*;

#[test]
fn ordinary_names_pass() {
    for name in [
        "John Doe",
        "O'Brien",
        "Anne-Marie Dupont",
        "José Álvarez Núñez",
        "Zoë Ångström",
        "محمد عبد الله",
        "فاطمة الزهراء",
        "Dr. Sarah Ahmed",
        "Simon=King",
        "Ron on-call",
        "I <3 therapy",
        "a < b and c > d",
        "Data: none",
    ] {
        assert_eq!(check_free_text(name), Ok(()), "{name}");
    }
}

#[test]
fn markup_and_script_are_refused() {
    for (text, err) in [
        ("<script>alert(1)</script>", HtmlTag),
        ("<img src=x onerror=alert(1)>", HtmlTag),
        ("</b>", HtmlTag),
        ("<!-- x -->", HtmlTag),
        ("< svg/onload=alert(1)>", EventHandler),
        ("x\" onmouseover=\"alert(1)", EventHandler),
        ("ONLOAD = go()", EventHandler),
        ("javascript:alert(1)", ScriptUrl),
        ("JaVaScRiPt:alert(1)", ScriptUrl),
        ("java\tscript:alert(1)", ScriptUrl),
        ("java\r\nscript:alert(1)", ScriptUrl),
        ("vbscript:msgbox", ScriptUrl),
        ("data:text/html;base64,PHNjcmlwdD4=", ScriptUrl),
        ("&#106;avascript", CharacterReference),
        ("&#x6A;", CharacterReference),
        ("&#X6a", CharacterReference),
        ("&#58", CharacterReference),
        ("width: expression(alert(1))", CssExpression),
    ] {
        assert_eq!(check_free_text(text), Err(err), "{text}");
    }
}

/// The black-box test's findings, and their relatives.
#[test]
fn named_references_to_markup_are_refused() {
    for text in [
        "javascript&colon;alert(1)",
        "x&quot; autofocus onfocus&equals;alert(1)",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "&ltscript&gt",
        "&LT;b&GT;",
        "Tom &amp; Jerry",
        "Tom &amp Jerry",
        "&AMP;",
        "&QUOT",
        "it&apos;s",
        "a&nbsp;b",
        "a&nbspb",
        "a&NonBreakingSpace;b",
        "&lpar;&rpar;",
        "&lsqb;&lbrack;&rsqb;&rbrack;",
        "&lcub;&lbrace;&rcub;&rbrace;",
        "&verbar;&vert;&VerticalLine;",
        "&grave;&DiacriticalGrave;&Hat;",
        "&lowbar;&UnderBar;",
        "&Tab;&NewLine;",
        "&sol;&bsol;",
        "&excl;&quest;&num;&dollar;&percnt;",
        "&ast;&midast;&plus;&comma;&period;&semi;&commat;",
        "&nvlt;&nvgt;&bne;",
    ] {
        assert_eq!(check_free_text(text), Err(CharacterReference), "{text}");
    }
    // Every entry of the table, alone and inside a word.
    for (name, _) in MARKUP_REFERENCES {
        assert_eq!(check_free_text(name), Err(CharacterReference), "{name}");
        assert_eq!(check_free_text(&format!("ab{name}cd")), Err(CharacterReference), "{name}");
    }
}

#[test]
fn the_table_holds_only_markup_significant_references() {
    let significant = |c: char| (c.is_ascii() && !c.is_ascii_alphanumeric()) || c == '\u{A0}';
    let mut names = std::collections::HashSet::new();
    for (name, decoded) in MARKUP_REFERENCES {
        assert!(names.insert(name), "{name} twice");
        let bare = name.strip_prefix('&').unwrap().trim_end_matches(';');
        assert!(!bare.is_empty() && bare.chars().all(|c| c.is_ascii_alphanumeric()), "{name}");
        assert!(decoded.chars().any(significant), "{name}");
    }
    assert_eq!(names.len(), 59);
}

#[test]
fn ampersands_that_start_no_markup_reference_pass() {
    for text in [
        "Tom & Jerry",
        "R&D; then",
        "AT&T",
        "Ren&eacute;e",
        "&copy; 2024",
        "&Colon;",
        "&COLON;",
        "&Amp;",
        "&hyphen;&dash;",
        "&fjlig;ord",
        "&",
        "&&",
        "&;",
        "a &b c",
    ] {
        assert_eq!(check_free_text(text), Ok(()), "{text}");
    }
}

#[test]
fn references_are_decoded_before_a_second_look() {
    assert_eq!(decode_references("javascript&colon;x"), "javascript:x");
    assert_eq!(decode_references("&ltb&gt &#106;&#x61 &amp; &eacute; AT&T"), "<b> ja & &eacute; AT&T");
    assert_eq!(decode_references("&#x110000;&#99999999999;"), "\u{FFFD}\u{FFFD}");
    // Only `&fjlig;` is left to decode once markup references are refused; it spells letters.
    assert_eq!(check_free_text("on&fjlig;x=1"), Err(EventHandler));
    assert_eq!(check_free_text("&fjlig;avascript:x"), Err(ScriptUrl));
}

#[test]
fn control_characters_are_refused() {
    for text in [
        "Nul\u{0000}Byte",
        "\u{001b}[31m",
        "bell\u{0007}",
        "back\u{0008}space",
        "vertical\u{000B}tab",
        "form\u{000C}feed",
        "lone\rcarriage return",
        "ends with CR\r",
        "\r\r\n",
        "unit\u{001F}separator",
        "del\u{007F}",
        "c1\u{0080}",
        "next line\u{0085}",
        "csi\u{009B}31m",
        "c1\u{009F}",
    ] {
        assert_eq!(check_free_text(text), Err(ControlCharacter), "{text:?}");
    }
    for text in ["tab\there", "two\nlines", "windows\r\nlines\r\n", "\u{00A0}nbsp kept", "\u{00A9} 2024"] {
        assert_eq!(check_free_text(text), Ok(()), "{text:?}");
    }
}

#[test]
fn bidi_overrides_are_refused_and_marks_kept() {
    for c in
        ['\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}']
    {
        let text = format!("a{c}b");
        assert_eq!(check_free_text(&text), Err(BidiOverride), "{text:?}");
    }
    for text in
        ["محمد\u{200F} عبد الله", "\u{200E}John\u{200E}", "می\u{200C}خواهم", "क्\u{200D}ष", "👩\u{200D}⚕️ Dr. Noura"]
    {
        assert_eq!(check_free_text(text), Ok(()), "{text:?}");
    }
}

mod free_text {
    use super::*;

    #[test]
    fn deserializes_only_clean_text() {
        assert_eq!(serde_json::from_str::<FreeText>("\"O'Brien\"").unwrap().as_str(), "O'Brien");
        let err = serde_json::from_str::<FreeText>("\"<b>x</b>\"").unwrap_err();
        assert!(err.to_string().contains("must not contain HTML tags"));
        let err = serde_json::from_str::<FreeText>("\"Nul\\u0000Byte\"").unwrap_err();
        assert!(err.to_string().contains("must not contain control characters"), "{err}");
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Letters of any script, marks, spaces, apostrophes, hyphens, dots and commas.
    const CLEAN: &str = "[\\p{L}][\\p{L}\\p{M} '.,-]{0,40}";

    /// Every refused control character (a CR is refused unless a LF follows; clean text has none).
    fn refused_control() -> impl Strategy<Value = char> {
        prop_oneof![
            (0u32..=0x1F).prop_filter("tab and LF are allowed", |c| *c != 0x09 && *c != 0x0A),
            Just(0x7Fu32),
            0x80u32..=0x9F,
        ]
        .prop_map(|c| char::from_u32(c).unwrap())
    }

    fn bidi_override() -> impl Strategy<Value = char> {
        prop_oneof![0x202Au32..=0x202E, 0x2066u32..=0x2069].prop_map(|c| char::from_u32(c).unwrap())
    }

    /// `insert` at the `at`-th character boundary of `text` (modulo its length).
    fn insert_at(text: &str, at: usize, insert: &str) -> String {
        let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
        let at = boundaries[at % boundaries.len()];
        format!("{}{insert}{}", &text[..at], &text[at..])
    }

    proptest! {
        /// Names made of letters of any script, marks, spaces, apostrophes, hyphens, dots and
        /// commas pass.
        #[test]
        fn plain_names_pass(name in CLEAN) {
            prop_assert_eq!(check_free_text(&name), Ok(()));
        }

        /// Arabic words with right-to-left marks pass.
        #[test]
        fn arabic_with_rlm_passes(
            words in prop::collection::vec("[\\p{Arabic}&&\\p{L}][\\p{Arabic}&&[\\p{L}\\p{M}]]{0,8}", 1..5),
            marks in prop::collection::vec(any::<bool>(), 5),
        ) {
            let text: Vec<String> = words
                .iter()
                .zip(&marks)
                .map(|(w, rlm)| if *rlm { format!("{w}\u{200F}") } else { w.clone() })
                .collect();
            prop_assert_eq!(check_free_text(&text.join(" ")), Ok(()));
        }

        /// A refused control character anywhere in clean text is refused.
        #[test]
        fn a_control_character_anywhere_is_refused(name in CLEAN, at in any::<usize>(), c in refused_control()) {
            let text = insert_at(&name, at, &c.to_string());
            prop_assert_eq!(check_free_text(&text), Err(MarkupError::ControlCharacter), "{:?}", text);
        }

        /// A bidirectional override anywhere in clean text is refused.
        #[test]
        fn a_bidi_override_anywhere_is_refused(name in CLEAN, at in any::<usize>(), c in bidi_override()) {
            let text = insert_at(&name, at, &c.to_string());
            prop_assert_eq!(check_free_text(&text), Err(MarkupError::BidiOverride), "{:?}", text);
        }

        /// Any markup reference of the table anywhere in clean text is refused.
        #[test]
        fn a_markup_reference_anywhere_is_refused(
            name in CLEAN,
            at in any::<usize>(),
            reference in prop::sample::select(MARKUP_REFERENCES),
        ) {
            let text = insert_at(&name, at, reference.0);
            prop_assert_eq!(check_free_text(&text), Err(MarkupError::CharacterReference), "{:?}", text);
        }

        /// Clean text passes whatever `&word` without a known name it contains.
        #[test]
        fn unknown_references_pass(
            before in CLEAN,
            word in "[A-Za-z][A-Za-z0-9]{0,10};?",
            after in CLEAN,
        ) {
            let reference = format!("&{word}");
            prop_assume!(!MARKUP_REFERENCES.iter().any(|(name, _)| reference.starts_with(name)));
            let text = format!("{before} {reference} {after}");
            prop_assert_eq!(check_free_text(&text), Ok(()), "{:?}", text);
        }

        /// Whatever surrounds it, a script tag is refused.
        #[test]
        fn script_tags_are_refused(before in "[\\p{L} ]{0,10}", after in "[\\p{L} ]{0,10}") {
            let text = format!("{before}<script>alert(1)</script>{after}");
            prop_assert_eq!(check_free_text(&text), Err(MarkupError::HtmlTag));
        }
    }
}
