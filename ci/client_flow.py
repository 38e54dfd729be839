"""A partner's journey through a Python client generated from the served OpenAPI document.

Run by `ci/openapi-check.sh` (from `.ci/run`) after `openapi-python-client` generated the
package `tahoon_api_client` from `/api/v1/openapi.json`:

    python ci/client_flow.py BASE_URL ACCESS_KEY SHARED_KEY

token -> register -> search -> book -> get -> cancel -> get, asserting what each answers. It
signs as docs/signing.md says, both ways: `register` and `cancelbooking` carry the reference's
`secureHash` in the body (computed from the generated model's JSON), `booksession` is signed with
the `X-Tahoon-Signature` header by an httpx request hook over the exact bytes the client sends.
Exits non-zero, naming the step, on any mismatch.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import re
import sys
import time
import uuid

import httpx
from tahoon_api_client import AuthenticatedClient, Client
from tahoon_api_client.api.auth import issue_token
from tahoon_api_client.api.careprovider import search_providers
from tahoon_api_client.api.sessionbooking import book_session, cancel_booking, get_booking
from tahoon_api_client.api.user import register_user
from tahoon_api_client.models import (
    BookRequest,
    CancelRequest,
    ErrorEnvelope,
    GenderType,
    RegisterRequest,
    SearchRequest,
    TokenGrant,
    TokenRequest,
)

BASE_URL, ACCESS_KEY, SHARED_KEY = sys.argv[1], sys.argv[2], sys.argv[3].encode()

# The operations whose OpenAPI entry has `x-tahoon-signature` with `signs: body`, as used here.
SIGNED_BODY_PATHS = {
    "/api/v1/user/register",
    "/api/v1/sessionbooking/booksession",
    "/api/v1/sessionbooking/cancelbooking",
}


def check(condition: bool, what: str, got: object) -> None:
    if not condition:
        print(f"client flow FAILED: {what}; got {got!r}", file=sys.stderr)
        sys.exit(1)
    print(f"ok: {what}")


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace("&", "%26").replace("=", "%3D")


def secure_hash(body: dict) -> str:
    """docs/signing.md, form 1: the reference's canonical string of the top-level scalars."""

    def text(value: object) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        return value if isinstance(value, str) else json.dumps(value)

    fields = [
        (name, text(value))
        for name, value in body.items()
        if name != "secureHash" and isinstance(value, (str, int, float, bool))
    ]
    fields.sort(key=lambda field: field[0].encode())
    canonical = "&".join(f"{_escape(name)}={_escape(value)}" for name, value in fields)
    return hmac.new(SHARED_KEY, canonical.encode(), hashlib.sha256).hexdigest()


def sign_header(request: httpx.Request) -> None:
    """docs/signing.md, form 2, over the bytes httpx is about to send (unless `secureHash` signs)."""
    if request.url.path not in SIGNED_BODY_PATHS:
        return
    body = request.read()
    if b'"secureHash"' in body:
        return
    t = int(time.time())
    mac = hmac.new(SHARED_KEY, f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    request.headers["X-Tahoon-Signature"] = f"t={t},v1={mac}"


def with_secure_hash(model):
    body = model.to_dict()
    model.secure_hash = secure_hash(body)
    return model


def data_of(answer, step: str):
    check(answer is not None and not isinstance(answer, ErrorEnvelope), f"{step} answers its envelope", answer)
    return answer


# 1. token
grant = issue_token.sync(client=Client(base_url=BASE_URL), body=TokenRequest(grant_type="password", access_key=ACCESS_KEY))
check(isinstance(grant, TokenGrant) and grant.token_type == "bearer", "token issued", grant)
client = AuthenticatedClient(
    base_url=BASE_URL, token=grant.access_token, httpx_args={"event_hooks": {"request": [sign_header]}}
)

# 2. register (secureHash)
reference = f"CI-CLIENT-{uuid.uuid4().hex[:10]}"
registered = data_of(
    register_user.sync(
        client=client,
        body=with_secure_hash(
            RegisterRequest(reference_id=reference, name="Client Flow", dob=datetime.date(1990, 5, 15), gender_type=GenderType(1))
        ),
    ),
    "register",
)
check(registered.reason == 0 and registered.data is not None, "register reason 0 with data", registered.to_dict())
user_id = registered.data.user_id
check(re.fullmatch(r"usr_[A-Za-z0-9_-]{27}", user_id) is not None, "registered user id is a usr_ id", user_id)
again = data_of(
    register_user.sync(
        client=client,
        body=with_secure_hash(
            RegisterRequest(reference_id=reference, name="Client Flow", dob=datetime.date(1990, 5, 15), gender_type=GenderType(1))
        ),
    ),
    "register again",
)
check(again.reason == 4 and again.data.user_id == user_id, "registering again answers 4 with the same user", again.to_dict())

# 3. search: the first provider with a free slot over the coming days
provider_id = slot = None
for days in range(2, 15):
    day = datetime.date.today() + datetime.timedelta(days=days)
    found = data_of(
        search_providers.sync(
            client=client,
            body=SearchRequest(user_id=user_id, schedule_date=day, time_zone="Asia/Riyadh", page_size=5),
        ),
        "search",
    )
    check(found.reason == 0 and found.data.schedule_date == day, f"search for {day} answers that day", found.reason)
    for provider in found.data.care_providers_list:
        if provider.available_slots_list:
            provider_id, slot = provider.care_provider_id, provider.available_slots_list[0]
            break
    if slot is not None:
        break
check(slot is not None, "search found a provider with a free slot", provider_id)

# 4. book (X-Tahoon-Signature header)
booked = data_of(
    book_session.sync(
        client=client,
        body=BookRequest(
            user_id=user_id,
            care_provider_id=provider_id,
            application_multi_slot_id=slot.application_multi_slot_id,
            time_zone="Asia/Riyadh",
        ),
        idempotency_key=f"ci-book-{uuid.uuid4().hex}",
    ),
    "book",
)
check(booked.reason == 0 and booked.data is not None, "booking reason 0 with data", booked.to_dict())
booking = booked.data
booking_id = booking.booking_id
check(re.fullmatch(r"bkg_[A-Za-z0-9_-]{27}", booking_id) is not None, "booking id is a bkg_ id", booking_id)
check(booking.status == 1 and booking.status_name == "Confirmed", "the booking is Confirmed", booking.status_name)
check(booking.user_id == user_id and booking.care_provider_id == provider_id, "booked for the user and provider", booking.to_dict())
check(booking.slot.start_utc == slot.start_utc, "booked the slot searched", booking.slot.start_utc)

fetched = data_of(get_booking.sync(booking_id, client=client, time_zone="Asia/Riyadh"), "get booking")
check(fetched.data.status_name == "Confirmed", "the booking reads back Confirmed", fetched.data.status_name)

# 5. cancel (secureHash)
cancelled = data_of(
    cancel_booking.sync(
        client=client,
        body=with_secure_hash(
            CancelRequest(booking_id=booking_id, user_id=user_id, care_provider_id=provider_id, cancellation_reason="CI client flow")
        ),
    ),
    "cancel",
)
check(cancelled.reason == 0 and cancelled.data is not None, "cancel reason 0 with data", cancelled.to_dict())
check(cancelled.data.status == 3 and cancelled.data.status_name == "Cancelled", "the booking is Cancelled", cancelled.data.status_name)
after = data_of(get_booking.sync(booking_id, client=client), "get booking after cancel")
check(after.data.status_name == "Cancelled", "the booking reads back Cancelled", after.data.status_name)
check(
    [change.to_status for change in after.data.status_history][-1] == "Cancelled",
    "its history ends Cancelled",
    [change.to_status for change in after.data.status_history],
)
print("client flow: token -> register -> search -> book -> cancel passed")
