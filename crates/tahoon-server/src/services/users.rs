//! The one ownership check for every route that takes a `userId`.

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use tahoon_domain::public_id::kind;
use tahoon_domain::reason::Reason;

/// The user named by `user_id` if it belongs to `organization_id`. A malformed id, another
/// kind's id, an unknown user and another organization's user all get the same answer:
/// UserNotFound (18).
pub async fn owned_user(state: &AppState, organization_id: i64, user_id: &str) -> ApiResult<i64> {
    let not_found = || ApiError::field(Reason::UserNotFound, "userId", "no such user in this organization");
    let id = state.ids.decode::<kind::User>(user_id.trim()).map_err(|_| not_found())?.id();
    if state.store.user_in_organization(organization_id, id).await? { Ok(id) } else { Err(not_found()) }
}
