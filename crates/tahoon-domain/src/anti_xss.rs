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
mod tests;
