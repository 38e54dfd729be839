//! How a request body is read: strictly (the default, what the docs teach), or as the reference
//! system's ASP.NET Core binder read it, for an organization in compatibility mode (issue 14,
//! `docs/switching.md`).
//!
//! The reference dialect differs in what it forgives, never in what a value means:
//! - property names match case-insensitively (`ReferenceId`, `referenceid`); an exact match wins;
//! - unknown properties are ignored, as the binder ignored them;
//! - a number may come as a string (`"genderType": "1"`), as ASP.NET Core's web defaults allow;
//! - a date (`dob`, `slotDate`, `scheduleDate`) may come with a midnight time part
//!   (`1990-05-15T00:00:00`, `…T00:00:00.000Z`), as a .NET `DateTime` is written; any other time
//!   part is still refused, and no other field is touched.
//!
//! It is one deserializer over the parsed JSON that hands the target type's own field names to
//! the renaming, so each struct is matched against exactly the names it declares.

use super::named::{decode, deserialize_named};
use crate::error::ApiError;
use crate::services::tokens::Authenticated;
use axum::http::Extensions;
use serde::de::value::StringDeserializer;
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};
use serde::forward_to_deserialize_any;
use serde_json::{Map, Value};
use tahoon_domain::organization::{CompatMode, Organization};

/// The dialect a request is read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    #[default]
    Strict,
    Reference,
}

impl Dialect {
    pub fn of(organization: &Organization) -> Dialect {
        match organization.compat_mode {
            CompatMode::Strict => Dialect::Strict,
            CompatMode::Reference => Dialect::Reference,
        }
    }

    /// The authenticated organization's dialect (strict before authentication).
    pub fn of_request(extensions: &Extensions) -> Dialect {
        extensions.get::<Authenticated>().map(|a| Dialect::of(&a.organization)).unwrap_or_default()
    }

    pub fn is_reference(self) -> bool {
        self == Dialect::Reference
    }

    /// Decodes a parsed body into `T` in this dialect, naming the field of the first error.
    pub fn decode<T: DeserializeOwned>(self, value: Value) -> Result<T, ApiError> {
        match self {
            Dialect::Strict => decode(value),
            Dialect::Reference => deserialize_named(Lenient(value, false), "body"),
        }
    }

    /// Whether a body's media type is JSON: `application/json` and `application/*+json`, and for
    /// the reference dialect also `text/json`, which .NET's clients send.
    pub fn accepts_media_type(self, mime: &str) -> bool {
        let mime = mime.trim().to_ascii_lowercase();
        mime == "application/json"
            || (mime.starts_with("application/") && mime.ends_with("+json"))
            || (self.is_reference() && mime == "text/json")
    }

    /// The body's field named `name`, matched as this dialect matches names.
    pub fn field<'a>(self, body: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
        body.get(name).or_else(|| {
            self.is_reference().then(|| body.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v))?
        })
    }

    /// Removes the field named `name` (every spelling of it, in the reference dialect).
    pub fn remove_field(self, body: &mut Map<String, Value>, name: &str) {
        body.remove(name);
        if self.is_reference() {
            body.retain(|k, _| !k.eq_ignore_ascii_case(name));
        }
    }
}

/// `YYYY-MM-DD` of a `YYYY-MM-DDT00:00:00[.000…][Z]`, as .NET writes a date.
fn midnight_date(text: &str) -> Option<&str> {
    let (date, time) = text.split_once('T')?;
    let shape = date.len() == 10
        && date.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    if !shape {
        return None;
    }
    let time = time.strip_suffix('Z').unwrap_or(time);
    let (clock, fraction) = time.split_once('.').map_or((time, None), |(c, f)| (c, Some(f)));
    let zero_fraction = fraction.is_none_or(|f| !f.is_empty() && f.len() <= 9 && f.bytes().all(|b| b == b'0'));
    (clock == "00:00:00" && zero_fraction).then_some(date)
}

/// A string that is a number, for a number-typed target.
fn numeric(text: &str) -> Option<Value> {
    let text = text.trim();
    if text.is_empty() || text.len() > 40 {
        return None;
    }
    serde_json::from_str::<serde_json::Number>(text).ok().map(Value::Number)
}

/// The entries of `object` that `fields` names, renamed to the declared spelling; the rest is
/// dropped. An exact spelling wins over another case of the same name.
fn matched(object: Map<String, Value>, fields: &'static [&'static str]) -> Vec<(String, Value)> {
    let (exact, other): (Vec<_>, Vec<_>) = object.into_iter().partition(|(k, _)| fields.contains(&k.as_str()));
    let mut out = exact;
    for (key, value) in other {
        if let Some(field) = fields.iter().find(|f| f.eq_ignore_ascii_case(&key))
            && !out.iter().any(|(name, _)| name == field)
        {
            out.push(((*field).to_string(), value));
        }
    }
    out
}

/// The date fields of the reference's requests, where a .NET `DateTime` may stand for a date.
const DATE_FIELDS: [&str; 3] = ["dob", "slotDate", "scheduleDate"];

/// A JSON value read in the reference dialect; `date` when it is the value of a date field.
struct Lenient(Value, bool);

type Error = serde_json::Error;

impl Lenient {
    fn number_or_self(self) -> Value {
        match self.0 {
            Value::String(s) => numeric(&s).unwrap_or(Value::String(s)),
            other => other,
        }
    }
}

macro_rules! numbers {
    ($($method:ident),*) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            self.number_or_self().$method(visitor)
        })*
    };
}

impl<'de> Deserializer<'de> for Lenient {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Array(items) => visitor.visit_seq(Items(items.into_iter())),
            Value::Object(object) => {
                visitor.visit_map(Entries { entries: object.into_iter().collect::<Vec<_>>().into_iter(), value: None })
            }
            Value::String(s) => match midnight_date(&s).filter(|_| self.1) {
                Some(date) => visitor.visit_string(date.to_string()),
                None => visitor.visit_string(s),
            },
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Value::Object(object) => {
                visitor.visit_map(Entries { entries: matched(object, fields).into_iter(), value: None })
            }
            other => Lenient(other, self.1).deserialize_any(visitor),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.0.deserialize_enum(name, variants, visitor)
    }

    numbers!(
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_i128,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64,
        deserialize_u128,
        deserialize_f32,
        deserialize_f64
    );

    forward_to_deserialize_any! {
        bool char str string bytes byte_buf unit unit_struct seq tuple tuple_struct map identifier ignored_any
    }
}

struct Entries {
    entries: std::vec::IntoIter<(String, Value)>,
    /// The value of the key just read, and whether that key is a date field.
    value: Option<(Value, bool)>,
}

impl<'de> MapAccess<'de> for Entries {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some((value, DATE_FIELDS.iter().any(|f| f.eq_ignore_ascii_case(&key))));
        let key: StringDeserializer<Error> = key.into_deserializer();
        seed.deserialize(key).map(Some)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, Error> {
        let (value, date) = self.value.take().ok_or_else(|| de::Error::custom("a value is missing"))?;
        seed.deserialize(Lenient(value, date))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

struct Items(std::vec::IntoIter<Value>);

impl<'de> SeqAccess<'de> for Items {
    type Error = Error;

    fn next_element_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<Option<S::Value>, Error> {
        self.0.next().map(|value| seed.deserialize(Lenient(value, false))).transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;
    use tahoon_domain::reason::Reason;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    struct Inner {
        question_id: i64,
        answer_text: Option<String>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    struct Outer {
        user_id: String,
        dob: Option<String>,
        gmt_time_diffrence_hours: Option<f64>,
        #[serde(default)]
        apply_filter: bool,
        answers: Vec<Inner>,
    }

    #[test]
    fn names_match_case_insensitively_and_unknown_fields_are_ignored() {
        let body = json!({
            "UserId": "usr_1", "DOB": "1990-05-15T00:00:00", "GmtTimeDiffrenceHours": "3",
            "APPLYFILTER": true, "SlotAvailabilityId": "x",
            "answers": [{"QuestionId": "7", "answerText": "ok", "Extra": 1}]
        });
        let outer: Outer = Dialect::Reference.decode(body.clone()).unwrap();
        assert_eq!(
            outer,
            Outer {
                user_id: "usr_1".into(),
                dob: Some("1990-05-15".into()),
                gmt_time_diffrence_hours: Some(3.0),
                apply_filter: true,
                answers: vec![Inner { question_id: 7, answer_text: Some("ok".into()) }],
            }
        );
        // Only date fields lose a midnight time part.
        let id: Outer = Dialect::Reference.decode(json!({"userId": "2020-01-01T00:00:00", "answers": []})).unwrap();
        assert_eq!(id.user_id, "2020-01-01T00:00:00");
        // The strict dialect refuses the same body.
        let e = Dialect::Strict.decode::<Outer>(body).unwrap_err();
        assert_eq!(e.reason(), Reason::ValidationFailed);
    }

    #[test]
    fn an_exact_spelling_wins_and_errors_still_name_the_field() {
        let outer: Outer = Dialect::Reference.decode(json!({"USERID": "b", "userId": "a", "answers": []})).unwrap();
        assert_eq!(outer.user_id, "a");
        let e = Dialect::Reference.decode::<Outer>(json!({"answers": []})).unwrap_err();
        assert_eq!((e.reason(), e.field_name()), (Reason::EmptyParameter, Some("userId")));
        let e = Dialect::Reference.decode::<Outer>(json!({"userId": 5, "answers": []})).unwrap_err();
        assert_eq!((e.reason(), e.field_name()), (Reason::ValidationFailed, Some("userId")));
        let e = Dialect::Reference
            .decode::<Outer>(json!({"userId": "u", "answers": [{"questionId": "seven"}]}))
            .unwrap_err();
        assert_eq!(e.field_name(), Some("answers[0].questionId"));
    }

    #[test]
    fn only_midnight_is_read_as_a_date() {
        for (text, date) in [
            ("1990-05-15T00:00:00", Some("1990-05-15")),
            ("1990-05-15T00:00:00Z", Some("1990-05-15")),
            ("1990-05-15T00:00:00.000", Some("1990-05-15")),
            ("1990-05-15T00:00:00.0000000Z", Some("1990-05-15")),
            ("1990-05-15T00:00:01", None),
            ("1990-05-15T12:00:00", None),
            ("1990-05-15T00:00:00.", None),
            ("1990-05-15T00:00:00+03:00", None),
            ("1990-5-15T00:00:00", None),
            ("ORG-T00:00:00", None),
        ] {
            assert_eq!(midnight_date(text), date, "{text}");
        }
    }

    #[test]
    fn media_types() {
        assert!(Dialect::Strict.accepts_media_type("application/json"));
        assert!(Dialect::Strict.accepts_media_type("application/problem+json"));
        assert!(!Dialect::Strict.accepts_media_type("text/json"));
        assert!(Dialect::Reference.accepts_media_type("Text/JSON"));
        assert!(!Dialect::Reference.accepts_media_type("text/plain"));
    }
}
