//! Reference ids: the ids a partner stored from the reference system, kept as aliases of the
//! records imported from it (issue 14, `docs/switching.md`).
//!
//! In: every id a request carries — in the body, the path or the query, under `userId`,
//! `careProviderId`, `bookingId` or `organizationId` (the operator's routes) — that is not one of this API's ids of that kind is looked up
//! as an alias and replaced by the id it names, before the request is parsed; so every route
//! accepts both, for every organization, and nothing downstream knows aliases exist. An unknown
//! alias is left as it was and answered as any unknown id is.
//!
//! Out: for an organization in compatibility mode, every id in an answer that has an alias is
//! replaced by it, so the partner sees the id it already knows (`middleware::reference_answers`).

use crate::state::AppState;
use serde_json::Value;
use std::collections::HashMap;
use tahoon_domain::ids::{Id, OrganizationId, kind};
use tahoon_store::AliasKind;

/// The request fields (and path and query parameters) that name records, by kind.
fn kind_of_field(name: &str) -> Option<AliasKind> {
    [
        ("userId", AliasKind::User),
        ("careProviderId", AliasKind::CareProvider),
        ("bookingId", AliasKind::Booking),
        ("organizationId", AliasKind::Organization),
    ]
    .into_iter()
    .find(|(field, _)| field.eq_ignore_ascii_case(name))
    .map(|(_, kind)| kind)
}

/// Whether `text` is already this API's id of `kind`.
fn is_public_id(state: &AppState, kind: AliasKind, text: &str) -> bool {
    let text = text.trim();
    match kind {
        AliasKind::User => state.ids.decode::<kind::User>(text).is_ok(),
        AliasKind::CareProvider => state.ids.decode::<kind::CareProvider>(text).is_ok(),
        AliasKind::Booking => state.ids.decode::<kind::Booking>(text).is_ok(),
        AliasKind::Organization => state.ids.decode::<kind::Organization>(text).is_ok(),
    }
}

fn encode(state: &AppState, kind: AliasKind, row: i64) -> String {
    match kind {
        AliasKind::User => state.ids.encode(Id::<kind::User>::new(row)),
        AliasKind::CareProvider => state.ids.encode(Id::<kind::CareProvider>::new(row)),
        AliasKind::Booking => state.ids.encode(Id::<kind::Booking>::new(row)),
        AliasKind::Organization => state.ids.encode(Id::<kind::Organization>::new(row)),
    }
}

/// The public id an alias in field `name` stands for, when it is one. Users and bookings are
/// looked up in `organization` only (none: not at all); providers anywhere.
pub async fn resolve(state: &AppState, organization: Option<OrganizationId>, name: &str, text: &str) -> Option<String> {
    let kind = kind_of_field(name)?;
    let alias = text.trim();
    if alias.is_empty() || alias.len() > 200 || is_public_id(state, kind, alias) {
        return None;
    }
    let scope = match (kind, organization) {
        // Providers and organizations are looked up anywhere (an organization's alias names it).
        (AliasKind::CareProvider | AliasKind::Organization, organization) => organization.unwrap_or(Id::new(0)),
        (_, Some(organization)) => organization,
        (_, None) => return None,
    };
    match state.store.resolve_alias(kind, scope, alias).await {
        Ok(row) => row.map(|row| encode(state, kind, row)),
        Err(e) => {
            tracing::warn!(error = %e, "a reference id could not be looked up");
            None
        }
    }
}

/// The most distinct aliases one request body may have looked up: far above any route's ids (a
/// bulk booking's included), so a body stuffed with fake ids costs at most this many lookups.
const MAX_LOOKUPS: usize = 256;

/// Replaces the aliases in a request body (at any depth) by the ids they name.
pub async fn resolve_in_body(state: &AppState, organization: Option<OrganizationId>, body: &mut Value) {
    let mut looked_up: HashMap<(AliasKind, String), Option<String>> = HashMap::new();
    // Iterative, so a deeply nested body cannot grow the stack.
    let mut pending = vec![body];
    while let Some(value) = pending.pop() {
        match value {
            Value::Object(fields) => {
                for (name, field) in fields.iter_mut() {
                    if let Value::String(text) = field {
                        let Some(kind) = kind_of_field(name) else { continue };
                        if is_public_id(state, kind, text) {
                            continue;
                        }
                        let key = (kind, text.clone());
                        let found = match looked_up.get(&key) {
                            Some(found) => found.clone(),
                            None if looked_up.len() >= MAX_LOOKUPS => None,
                            None => {
                                let found = resolve(state, organization, name, text).await;
                                looked_up.insert(key, found.clone());
                                found
                            }
                        };
                        if let Some(id) = found {
                            *text = id;
                        }
                    } else {
                        pending.push(field);
                    }
                }
            }
            Value::Array(items) => pending.extend(items.iter_mut()),
            _ => {}
        }
    }
}

/// Replaces the aliases among `pairs` (path or query parameters) by the ids they name.
pub async fn resolve_in_pairs(state: &AppState, organization: Option<OrganizationId>, pairs: &mut [(String, String)]) {
    for (name, value) in pairs.iter_mut() {
        if let Some(id) = resolve(state, organization, name, value).await {
            *value = id;
        }
    }
}

/// The kind and row of a public id of a record that can have an alias.
fn decode_any(state: &AppState, text: &str) -> Option<(AliasKind, i64)> {
    let (prefix, _) = text.split_once('_')?;
    if prefix.len() > 4 {
        return None;
    }
    [AliasKind::User, AliasKind::CareProvider, AliasKind::Booking].into_iter().find_map(|kind| {
        let row = match kind {
            AliasKind::User => state.ids.decode::<kind::User>(text).ok()?.get(),
            AliasKind::CareProvider => state.ids.decode::<kind::CareProvider>(text).ok()?.get(),
            AliasKind::Booking => state.ids.decode::<kind::Booking>(text).ok()?.get(),
            AliasKind::Organization => return None,
        };
        Some((kind, row))
    })
}

/// The id fields of an answer: names ending in `Id` (`userId`, `careProviderId`, `bookingId`,
/// `userLoginInfoId`).
fn is_id_field(name: &str) -> bool {
    name.ends_with("Id") || name.ends_with("ID")
}

/// Replaces every id in an answer that has an alias by the alias (compatibility mode). Returns
/// whether anything changed.
pub async fn answer_with_aliases(state: &AppState, organization: OrganizationId, answer: &mut Value) -> bool {
    let mut wanted: HashMap<AliasKind, Vec<i64>> = HashMap::new();
    visit_ids(answer, &mut |text| {
        if let Some((kind, row)) = decode_any(state, text) {
            wanted.entry(kind).or_default().push(row);
        }
    });
    let mut aliases: HashMap<String, String> = HashMap::new();
    for (kind, mut rows) in wanted {
        rows.sort_unstable();
        rows.dedup();
        match state.store.aliases_of(kind, organization, &rows).await {
            Ok(found) => {
                aliases.extend(found.into_iter().map(|(row, alias)| (encode(state, kind, row), alias)));
            }
            Err(e) => tracing::warn!(error = %e, "reference ids of an answer could not be read"),
        }
    }
    if aliases.is_empty() {
        return false;
    }
    replace_ids(answer, &aliases);
    true
}

fn visit_ids(value: &Value, found: &mut impl FnMut(&str)) {
    let mut pending = vec![value];
    while let Some(value) = pending.pop() {
        match value {
            Value::Object(fields) => {
                for (name, field) in fields {
                    match field {
                        Value::String(text) if is_id_field(name) => found(text),
                        Value::Object(_) | Value::Array(_) => pending.push(field),
                        _ => {}
                    }
                }
            }
            Value::Array(items) => pending.extend(items.iter()),
            _ => {}
        }
    }
}

fn replace_ids(value: &mut Value, aliases: &HashMap<String, String>) {
    let mut pending = vec![value];
    while let Some(value) = pending.pop() {
        match value {
            Value::Object(fields) => {
                for (name, field) in fields.iter_mut() {
                    match field {
                        Value::String(text) if is_id_field(name) => {
                            if let Some(alias) = aliases.get(text.as_str()) {
                                *text = alias.clone();
                            }
                        }
                        Value::Object(_) | Value::Array(_) => pending.push(field),
                        _ => {}
                    }
                }
            }
            Value::Array(items) => pending.extend(items.iter_mut()),
            _ => {}
        }
    }
}
