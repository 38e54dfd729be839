//! A partner's API keys: rotating them shows the new pair once. The rotation ends every session
//! of the organization, this one included (the keys it was opened with are gone).

use super::forms::{FormFields, check_change};
use super::page::Frame;
use super::session::SignedIn;
use crate::services::organizations::{self, IssuedCredentials};
use crate::state::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use tahoon_domain::texts::Text;

pub async fn page(State(state): State<AppState>, signed_in: SignedIn) -> Response {
    let Some(organization) = &signed_in.organization else { return Redirect::to("/console").into_response() };
    let frame = signed_in.frame("/console/keys");
    let body = html! {
        div class="card" {
            dl class="facts" {
                dt { (frame.t(Text::OrganizationId)) } dd { code { (state.ids.encode(organization.id)) } }
                dt { (frame.t(Text::Name)) } dd { (organization.name) }
            }
        }
        @if signed_in.can_change() {
            section class="card" aria-labelledby="rotate-heading" {
                h2 id="rotate-heading" { (frame.t(Text::RotateKeys)) }
                p { (frame.t(Text::RotateWarning)) }
                (frame.confirmed_form("/console/keys/rotate", "rotate", Text::ConfirmRotate, Text::RotateKeys, true, html! {}))
            }
        }
    };
    frame.page(Text::Keys, body)
}

/// The new credentials, shown this once.
pub fn credentials(frame: &Frame<'_>, issued: &IssuedCredentials) -> Markup {
    html! {
        div class="card" id="new-keys" {
            p class="notice ok" role="status" { (frame.t(Text::NewKeysOnce)) }
            dl class="facts" {
                dt { (frame.t(Text::OrganizationId)) } dd { code id="new-organization-id" { (issued.organization_id) } }
                dt { (frame.t(Text::AccessKey)) } dd { code class="secret" id="new-access-key" { (issued.access_key) } }
                dt { (frame.t(Text::SharedKey)) } dd { code class="secret" id="new-shared-key" { (issued.shared_api_key) } }
            }
        }
    }
}

pub async fn rotate(State(state): State<AppState>, signed_in: SignedIn, fields: FormFields) -> Response {
    let Some(organization) = signed_in.organization.clone() else { return Redirect::to("/console").into_response() };
    let frame = signed_in.frame("/console/keys");
    if let Err(refused) = check_change(&signed_in, &fields) {
        return frame.refused(refused);
    }
    if !fields.ticked("confirm") {
        return Redirect::to("/console/keys").into_response();
    }
    let issued = match organizations::rotate_keys(&state, organization.id, "console").await {
        Ok(Some(issued)) => issued,
        Ok(None) => return Redirect::to("/console").into_response(),
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    // This session was opened with the keys just replaced: it ends here, and the page below is
    // the last it shows (without the navigation of a session that no longer exists).
    let _ = state.store.delete_console_session(&signed_in.id_digest).await;
    let closing = Frame { language: signed_in.language, signed_in: None, path: "/console/keys" };
    closing.page(
        Text::Keys,
        html! {
            (credentials(&closing, &issued))
            p { a href="/console/sign-in" { (closing.t(Text::SignIn)) } }
        },
    )
}
