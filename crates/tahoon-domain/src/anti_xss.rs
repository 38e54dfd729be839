//! Free-text validation that refuses markup and script (the reference's anti-XSS filter).
//!
//! Refused: HTML tags and comments (`<b>`, `</x>`, `<!--`), event-handler attributes
//! (`onerror=`), script-capable URL schemes (`javascript:`, `vbscript:`, `data:<type>/`, also when split by
//! whitespace or control characters), numeric character references (`&#106;`, used to hide the
//! above), and CSS `expression(`. Ordinary names in any script, with apostrophes, hyphens, dots and
//! diacritics, pass; so does a lone `<` not followed by a tag-like character (`I <3 it`).

use regex::Regex;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MarkupError {
    #[error("must not contain HTML tags")]
    HtmlTag,
    #[error("must not contain event-handler attributes")]
    EventHandler,
    #[error("must not contain script URLs (javascript:, vbscript:, data:)")]
    ScriptUrl,
    #[error("must not contain character references or CSS expressions")]
    Obfuscation,
}

static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<[/!?]?[A-Za-z!]").unwrap());
static EVENT_HANDLER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)(^|[^\p{L}\p{N}_])on[a-z]+\s*=").unwrap());
static SCRIPT_URL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)(javascript|vbscript):|data:[a-z]+/").unwrap());
static OBFUSCATION: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)&#x?[0-9a-f]+;?|expression\s*\(").unwrap());

/// Checks one free-text value. The caller names the field in its error.
pub fn check_free_text(text: &str) -> Result<(), MarkupError> {
    if TAG.is_match(text) {
        return Err(MarkupError::HtmlTag);
    }
    if EVENT_HANDLER.is_match(text) {
        return Err(MarkupError::EventHandler);
    }
    // Browsers ignore whitespace and control characters inside a scheme ("java\tscript:").
    let squeezed: String = text.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect();
    if SCRIPT_URL.is_match(&squeezed) {
        return Err(MarkupError::ScriptUrl);
    }
    if OBFUSCATION.is_match(text) {
        return Err(MarkupError::Obfuscation);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
        use MarkupError::*;
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
            ("vbscript:msgbox", ScriptUrl),
            ("data:text/html;base64,PHNjcmlwdD4=", ScriptUrl),
            ("&#106;avascript", Obfuscation),
            ("&#x6A;", Obfuscation),
            ("width: expression(alert(1))", Obfuscation),
        ] {
            assert_eq!(check_free_text(text), Err(err), "{text}");
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
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Names made of letters of any script, spaces, apostrophes, hyphens and dots pass.
        #[test]
        fn plain_names_pass(name in "[\\p{L}][\\p{L}\\p{M} '.-]{0,40}") {
            prop_assert_eq!(check_free_text(&name), Ok(()));
        }

        /// Whatever surrounds it, a script tag is refused.
        #[test]
        fn script_tags_are_refused(before in "[\\p{L} ]{0,10}", after in "[\\p{L} ]{0,10}") {
            let text = format!("{before}<script>alert(1)</script>{after}");
            prop_assert_eq!(check_free_text(&text), Err(MarkupError::HtmlTag));
        }
    }
}
