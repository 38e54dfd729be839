//! Free-text validation that refuses markup and script (the reference's anti-XSS filter), and the
//! invisible characters that hide them or break storage.
//!
//! Refused:
//! - C0 control characters (U+0000–U+001F) other than tab, line feed and a carriage return
//!   followed by a line feed; DEL (U+007F) and C1 controls (U+0080–U+009F). NUL above all: a
//!   PostgreSQL text value cannot hold it.
//! - Bidirectional embeddings and overrides (U+202A–U+202E) and isolates (U+2066–U+2069), which
//!   make text display in another order than it is stored. The marks LRM and RLM (U+200E, U+200F)
//!   and the joiners ZWJ and ZWNJ stay allowed: Arabic and Persian text use them.
//! - HTML tags and comments (`<b>`, `</x>`, `<!--`), event-handler attributes (`onerror=`),
//!   script-capable URL schemes (`javascript:`, `vbscript:`, `data:<type>/`, also when split by
//!   whitespace), and CSS `expression(`.
//! - Character references that a browser would decode into markup: every numeric reference
//!   (`&#106;`, `&#x6A;`, with or without `;`), and every named reference of HTML whose characters
//!   are markup-significant (see [`MARKUP_REFERENCES`]).
//! - Text that, with its character references decoded, holds an event handler or a script URL.
//!
//! Ordinary names in any script, with apostrophes, hyphens, dots and diacritics, pass; so do a lone
//! `<` not followed by a tag-like character (`I <3 it`) and an `&` that starts no such reference
//! (`Tom & Jerry`, `AT&T`, `R&D; then`, `&eacute;`).

use regex::Regex;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MarkupError {
    #[error("must not contain control characters (only tab and line breaks are allowed)")]
    ControlCharacter,
    #[error("must not contain bidirectional override characters (U+202A–U+202E, U+2066–U+2069)")]
    BidiOverride,
    #[error("must not contain HTML tags")]
    HtmlTag,
    #[error("must not contain event-handler attributes")]
    EventHandler,
    #[error("must not contain script URLs (javascript:, vbscript:, data:)")]
    ScriptUrl,
    #[error("must not contain HTML character references (such as &#58; or &colon;)")]
    CharacterReference,
    #[error("must not contain CSS expressions")]
    CssExpression,
}

/// The named character references of HTML whose decoded characters include a markup-significant
/// one: an ASCII character that is not a letter or digit (punctuation, space, tab, line feed) or
/// U+00A0 NO-BREAK SPACE; with what each decodes to. Names are case-sensitive, as in HTML. Entries
/// without `;` are the legacy forms HTML also decodes without one (`&lt`, and so `&ltscript`).
///
/// Taken from the WHATWG table (<https://html.spec.whatwg.org/entities.json>, all 2231 entries),
/// as copied into html5ever's `web_atoms/entities.rs` (commit 10f53d900e2b): every entry whose
/// code points include such a character. The table has no name for `-`, `~` or space; `&hyphen;`
/// and `&dash;` are U+2010 HYPHEN, not `-`.
#[rustfmt::skip]
pub const MARKUP_REFERENCES: &[(&str, &str)] = &[
    ("&Tab;", "\t"),
    ("&NewLine;", "\n"),
    ("&excl;", "!"),
    ("&QUOT", "\""), ("&quot", "\""), ("&QUOT;", "\""), ("&quot;", "\""),
    ("&num;", "#"),
    ("&dollar;", "$"),
    ("&percnt;", "%"),
    ("&AMP", "&"), ("&amp", "&"), ("&AMP;", "&"), ("&amp;", "&"),
    ("&apos;", "'"),
    ("&lpar;", "("),
    ("&rpar;", ")"),
    ("&ast;", "*"), ("&midast;", "*"),
    ("&plus;", "+"),
    ("&comma;", ","),
    ("&period;", "."),
    ("&sol;", "/"),
    ("&colon;", ":"),
    ("&semi;", ";"),
    ("&LT", "<"), ("&lt", "<"), ("&LT;", "<"), ("&lt;", "<"),
    ("&nvlt;", "<\u{20D2}"),
    ("&equals;", "="),
    ("&bne;", "=\u{20E5}"),
    ("&GT", ">"), ("&gt", ">"), ("&GT;", ">"), ("&gt;", ">"),
    ("&nvgt;", ">\u{20D2}"),
    ("&quest;", "?"),
    ("&commat;", "@"),
    ("&lbrack;", "["), ("&lsqb;", "["),
    ("&bsol;", "\\"),
    ("&rbrack;", "]"), ("&rsqb;", "]"),
    ("&Hat;", "^"),
    ("&lowbar;", "_"), ("&UnderBar;", "_"),
    ("&DiacriticalGrave;", "`"), ("&grave;", "`"),
    ("&lbrace;", "{"), ("&lcub;", "{"),
    ("&verbar;", "|"), ("&vert;", "|"), ("&VerticalLine;", "|"),
    ("&rbrace;", "}"), ("&rcub;", "}"),
    ("&nbsp", "\u{A0}"), ("&nbsp;", "\u{A0}"), ("&NonBreakingSpace;", "\u{A0}"),
];

/// The one named reference of the same table that decodes to ASCII letters (allowed, but decoded
/// before the second look for event handlers and script URLs).
const LETTER_REFERENCES: &[(&str, &str)] = &[("&fjlig;", "fj")];

static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<[/!?]?[A-Za-z!]").unwrap());
static EVENT_HANDLER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)(^|[^\p{L}\p{N}_])on[a-z]+\s*=").unwrap());
static SCRIPT_URL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)(javascript|vbscript):|data:[a-z]+/").unwrap());
/// Broader than HTML's syntax on purpose (`&#a` too): nobody writes `&#` in a name or a note.
static NUMERIC_REFERENCE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)&#x?[0-9a-f]+;?").unwrap());
/// A numeric reference as HTML decodes it.
static NUMERIC_DECODABLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));?").unwrap());
static CSS_EXPRESSION: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)expression\s*\(").unwrap());

/// Whether `c` is refused as a control character (a CR is judged with the character after it).
fn is_refused_control(c: char, next: Option<char>) -> bool {
    match c {
        '\t' | '\n' => false,
        '\r' => next != Some('\n'),
        '\u{0}'..='\u{1F}' | '\u{7F}'..='\u{9F}' => true,
        _ => false,
    }
}

/// Whether `c` is a bidirectional embedding, override or isolate.
fn is_bidi_override(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn check_characters(text: &str) -> Result<(), MarkupError> {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if is_refused_control(c, chars.peek().copied()) {
            return Err(MarkupError::ControlCharacter);
        }
        if is_bidi_override(c) {
            return Err(MarkupError::BidiOverride);
        }
    }
    Ok(())
}

/// The longest named reference of `table` that `rest` starts with.
fn named_at<'t>(rest: &str, table: &'t [(&'t str, &'t str)]) -> Option<&'t (&'t str, &'t str)> {
    table.iter().filter(|(name, _)| rest.starts_with(name)).max_by_key(|(name, _)| name.len())
}

fn has_markup_reference(text: &str) -> bool {
    text.match_indices('&').any(|(at, _)| named_at(&text[at..], MARKUP_REFERENCES).is_some())
}

/// `text` with the character references this module knows decoded (numeric ones, and the named
/// ones of [`MARKUP_REFERENCES`] and `&fjlig;`); any other `&` is kept as it is.
fn decode_references(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if let Some(found) = NUMERIC_DECODABLE.captures(rest) {
            let value = match (found.get(1), found.get(2)) {
                (Some(hex), _) => u32::from_str_radix(hex.as_str(), 16).ok(),
                (_, Some(decimal)) => decimal.as_str().parse::<u32>().ok(),
                _ => None,
            };
            out.push(value.and_then(char::from_u32).unwrap_or('\u{FFFD}'));
            rest = &rest[found.get(0).map_or(1, |m| m.end())..];
        } else if let Some((name, decoded)) =
            named_at(rest, MARKUP_REFERENCES).or_else(|| named_at(rest, LETTER_REFERENCES))
        {
            out.push_str(decoded);
            rest = &rest[name.len()..];
        } else {
            out.push('&');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
}

/// Browsers ignore whitespace and control characters inside a scheme ("java\tscript:").
fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect()
}

fn check_script(text: &str) -> Result<(), MarkupError> {
    if EVENT_HANDLER.is_match(text) {
        return Err(MarkupError::EventHandler);
    }
    if SCRIPT_URL.is_match(&squeezed(text)) {
        return Err(MarkupError::ScriptUrl);
    }
    Ok(())
}

/// Checks one free-text value. The caller names the field in its error.
pub fn check_free_text(text: &str) -> Result<(), MarkupError> {
    check_characters(text)?;
    if TAG.is_match(text) {
        return Err(MarkupError::HtmlTag);
    }
    check_script(text)?;
    if NUMERIC_REFERENCE.is_match(text) || has_markup_reference(text) {
        return Err(MarkupError::CharacterReference);
    }
    if CSS_EXPRESSION.is_match(text) {
        return Err(MarkupError::CssExpression);
    }
    // Whatever references are left decode to letters; decoded, they must not spell script either.
    if text.contains('&') {
        check_script(&decode_references(text))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
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
}

/// Free text that passed `check_free_text`; built once at the edge (deserialization names the
/// field of a refused value).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct FreeText(String);

impl FreeText {
    pub fn parse(text: impl Into<String>) -> Result<FreeText, MarkupError> {
        let text = text.into();
        check_free_text(&text)?;
        Ok(FreeText(text))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl<'de> serde::Deserialize<'de> for FreeText {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        FreeText::parse(text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod free_text_tests {
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

#[cfg(test)]
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
