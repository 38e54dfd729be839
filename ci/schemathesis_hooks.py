"""Schemathesis hooks: send every generated request as a partner or the operator would.

Loaded through SCHEMATHESIS_HOOKS by `ci/openapi-check.sh` (run by `.ci/run`). Reads from the
environment:

  TAHOON_ST_BASE_URL         the server, such as http://127.0.0.1:8080
  TAHOON_ST_ACCESS_KEY       a partner organization's access key (FullAccess)
  TAHOON_ST_SHARED_KEY       its shared key, to sign as docs/signing.md says
  TAHOON_ST_OPERATOR_TOKEN   the operator token (/api/v1/admin/...)
  TAHOON_ST_DECOY_ORGANIZATION_ID  another organization, which operator calls may change

Signing. Every operation whose OpenAPI entry carries `x-tahoon-signature` is signed with the
`X-Tahoon-Signature` header, over the exact bytes sent (the raw body, or `<METHOD> <path?query>`
for a request without a body). The signature is computed by a `requests` auth hook, which runs
after the body is serialized, so it covers what goes on the wire. Header signatures are accepted
once: a request whose signed bytes were already signed in this second gets an earlier timestamp
(the server accepts +-300 s), so no signature repeats.

Idempotency keys. A partner uses one `Idempotency-Key` for one request and its retries.
Generated keys repeat across unrelated requests (Hypothesis favours short values), which the
server rightly refuses with 409 IdempotencyConflict, so nearly every request would test only
that. Each generated key becomes the partner's key for its request: the generated value, then `.`
and a digest of the method, path and body (still 1-255 visible ASCII characters, and the same for
a retry of the same request, whose stored answer the server replays).

Test data. Ids are opaque and bound to records of this server, so before the run the hook creates
what a partner would have: a registered user with a screening result, a booking, and a free slot
(see `fixtures`). Their ids become the `examples` of the document's id schemas, which the examples
and coverage phases start from; later phases also reuse ids the API answered during the run, and
the stateful phase follows the document's links. Nothing else in the document is changed.

Zones. The document describes a zone as an IANA name known to the server's time zone database,
with a pattern; it cannot list the database. A valid request (a positive case) naming a zone that
is not in this machine's database (the one the server reads) gets one of its names instead.

Slots. A slot can be booked once, and a booked session also blocks the provider's buffer
around it, so a slot id taken from a response is soon stale and random ones never name a slot.
A valid request to book or reschedule by slot id (a positive case) is therefore given a slot that
is free now, found as a partner finds one (the provider's schedule); a valid request to move a
booking that can no longer move (ids from earlier answers often name one cancelled since) moves
the fixture booking instead. Everything else in the request stays as generated, and invalid
requests (negative cases) are sent as generated.

What a fuzzer must not break. The run signs as one organization and uses one bearer token:
- the operator may disable an organization or rotate its keys; calls naming the partner
  organization are sent to the decoy organization instead;
- erasing the fixture user, or cancelling the fixture booking, would leave every later request
  about them refused; such a call erases a user registered, or cancels a booking made, for the
  purpose instead;
- token operations get their own token family, never the one whose access token the run uses;
- the video vendor must stay one that books without a vendor account (Jitsi, the default, with
  its default settings): a successful change of any setting is reset as soon as its answer
  arrives, since bookings with VideoSDK or LiveKit would call that vendor's real service, and a
  Jitsi with only one of `jitsi.app_id` and `jitsi.app_secret` is not configured (its bookings
  answer 503, as the document says, but the run's later bookings need a working vendor).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
import threading
import time
import uuid
import zoneinfo
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

import requests
import schemathesis

BASE_URL = os.environ["TAHOON_ST_BASE_URL"].rstrip("/")
ACCESS_KEY = os.environ["TAHOON_ST_ACCESS_KEY"]
SHARED_KEY = os.environ["TAHOON_ST_SHARED_KEY"].encode()
OPERATOR_TOKEN = os.environ["TAHOON_ST_OPERATOR_TOKEN"]
DECOY_ORGANIZATION = os.environ["TAHOON_ST_DECOY_ORGANIZATION_ID"]

SIGNATURE_WINDOW_SECONDS = 290


class _Timestamps:
    """Unix seconds for signatures such that no (timestamp, signed bytes) pair repeats."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._used: dict[bytes, set[int]] = {}

    def fresh(self, signed: bytes) -> int:
        digest = hashlib.sha256(signed).digest()
        now = int(time.time())
        with self._lock:
            used = self._used.setdefault(digest, set())
            for t in range(now, now - SIGNATURE_WINDOW_SECONDS, -1):
                if t not in used:
                    used.add(t)
                    return t
        raise RuntimeError("the same request was signed more than once a second for 290 seconds")


_TIMESTAMPS = _Timestamps()


def signature(signed: bytes) -> str:
    t = _TIMESTAMPS.fresh(signed)
    mac = hmac.new(SHARED_KEY, str(t).encode() + b"." + signed, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def _token_grant() -> dict[str, Any]:
    response = requests.post(
        f"{BASE_URL}/api/v1/auth/token", data={"grant_type": "password", "access_key": ACCESS_KEY}, timeout=30
    )
    response.raise_for_status()
    return response.json()


PARTNER_TOKEN = _token_grant()["access_token"]


def partner(method: str, path: str, body: Any = None, *, signed: bool = True) -> dict[str, Any]:
    """One request as the partner (fixtures); fails loudly on anything but success."""
    headers = {"Authorization": f"Bearer {PARTNER_TOKEN}"}
    raw = None
    if body is not None:
        raw = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if signed:
        headers["X-Tahoon-Signature"] = signature(raw if raw is not None else f"{method} {path}".encode())
    response = requests.request(method, f"{BASE_URL}{path}", data=raw, headers=headers, timeout=30)
    envelope = response.json()
    if response.status_code != 200 or envelope.get("reason") not in (0, 4):
        raise RuntimeError(f"fixture request {method} {path} failed: {response.status_code} {envelope}")
    return envelope["data"]


def register(reference: str) -> str:
    return partner(
        "POST",
        "/api/v1/user/register",
        {"referenceId": reference, "name": "Fixture Person", "dob": "1990-05-15", "genderType": 0},
    )["userId"]


class _Slots:
    """Free slots as a partner finds them: search for a provider, then its schedule, day by day.

    The first free slot of a provider is remembered until a booking or a move succeeds (`taken`),
    after which the schedule is read again: it then leaves out the slot taken and those the
    provider's buffer blocks around it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._first: dict[str, str | None] = {}
        self._providers: list[str] = []

    def _schedule(self, provider: str, day: str) -> list[str]:
        """The provider's free slots on `day`; none when there is no such provider."""
        response = requests.post(
            f"{BASE_URL}/api/v1/careprovider/getcareproviderschedule",
            json={"careProviderId": provider, "scheduleDate": day, "timeZone": "UTC"},
            headers={"Authorization": f"Bearer {PARTNER_TOKEN}"},
            timeout=30,
        )
        if response.status_code != 200:
            return []
        return [s["applicationMultiSlotId"] for s in response.json()["data"]["availableSlotsList"]]

    def providers(self) -> list[str]:
        """Providers with free slots three days from now, in the directory's order."""
        day = (date.today() + timedelta(days=3)).isoformat()
        found = partner(
            "POST",
            "/api/v1/careprovider/getcareproviderslistwithschedule",
            {"scheduleDate": day, "timeZone": "UTC", "pageSize": 50},
            signed=False,
        )
        return [p["careProviderId"] for p in found["careProvidersList"] if p["availableSlotsList"]]

    def free(self, provider: str) -> str | None:
        """The first free slot of `provider` in the coming four weeks, or None."""
        with self._lock:
            if provider not in self._first:
                self._first[provider] = None
                for days in range(2, 29):
                    slots = self._schedule(provider, (date.today() + timedelta(days=days)).isoformat())
                    if slots:
                        self._first[provider] = slots[0]
                        break
            return self._first[provider]

    def any_free(self, but: str | None = None) -> tuple[str, str]:
        """A provider (other than `but`) and one of its free slots."""
        if not self._providers:
            self._providers = self.providers()
        for provider in self._providers:
            if provider == but:
                continue
            slot = self.free(provider)
            if slot is not None:
                return provider, slot
        raise RuntimeError("no free slot left with any provider (demo data missing?)")

    def taken(self) -> None:
        with self._lock:
            self._first.clear()


SLOTS = _Slots()


def book(user: str, provider: str | None = None) -> tuple[str, str]:
    """Books a free slot of `provider` (or of another provider when it has none) for `user`.

    Never with the fixture booking's provider, whose free slots are kept for moving that booking.
    """
    slot = SLOTS.free(provider) if provider is not None and provider != FIXTURES.get("provider") else None
    if slot is None:
        provider, slot = SLOTS.any_free(but=FIXTURES.get("provider"))
    booking = partner(
        "POST",
        "/api/v1/sessionbooking/booksession",
        {"userId": user, "careProviderId": provider, "applicationMultiSlotId": slot},
    )["bookingId"]
    SLOTS.taken()
    return booking, provider


def cancel(booking: str, user: str, provider: str) -> None:
    partner(
        "POST",
        "/api/v1/sessionbooking/cancelbooking",
        {"bookingId": booking, "userId": user, "careProviderId": provider, "cancellationReason": "fixture"},
    )


def webhook_endpoint() -> str:
    """A webhook endpoint of the partner (its name does not resolve here: deliveries just retry)."""
    body = {"url": "https://partner.example/tahoon/webhooks", "events": ["*"], "description": "fuzzing"}
    return partner("POST", "/api/v1/webhooks/endpoints", body)["endpointId"]


def _fixtures() -> dict[str, Any]:
    run = uuid.uuid4().hex[:8]
    user = register(f"fuzz-{run}")
    questions = partner("GET", "/api/v1/user/getassessmentquestions?instrument=PHQ-9", signed=False)
    answers = [
        {"questionId": q["questionId"], "catScreeningQuetionOptionId": q["optionsList"][0]["catScreeningQuetionOptionId"]}
        for q in questions["instrumentsList"][0]["questionsList"]
        if q["isRequired"]
    ]
    partner("POST", "/api/v1/user/submituserassessmentquestions", {"userId": user, "instrument": "PHQ-9", "answers": answers})
    booking, provider = book(user)
    endpoint = webhook_endpoint()
    delivery = partner("POST", f"/api/v1/webhooks/endpoints/{endpoint}/test")["deliveryId"]
    spare = _token_grant()
    other, slot = SLOTS.any_free(but=provider)
    return {
        "user": user,
        "answers": answers,
        "provider": provider,
        "other_provider": other,
        "slot": slot,
        "booking": booking,
        "endpoint": endpoint,
        "delivery": delivery,
        "refresh_token": spare["refresh_token"],
        "access_token": spare["access_token"],
    }


FIXTURES: dict[str, Any] = {}


def _set_example(schema: dict[str, Any], example: Any) -> None:
    schema["examples"] = [example]


def _body_schema(raw_schema: dict[str, Any], path: str, method: str, media_type: str) -> dict[str, Any]:
    return raw_schema["paths"][path][method]["requestBody"]["content"][media_type]


@schemathesis.hook
def before_load_schema(context: Any, raw_schema: dict[str, Any]) -> None:
    FIXTURES.update(_fixtures())
    print(
        f"fixtures: user {FIXTURES['user']}, booking {FIXTURES['booking']} with {FIXTURES['provider']}",
        file=sys.stderr,
    )
    schemas = raw_schema["components"]["schemas"]
    _set_example(schemas["UserId"], FIXTURES["user"])
    _set_example(schemas["CareProviderId"], FIXTURES["other_provider"])
    _set_example(schemas["BookingId"], FIXTURES["booking"])
    _set_example(schemas["SlotId"], FIXTURES["slot"])
    _set_example(schemas["OrganizationId"], DECOY_ORGANIZATION)
    _set_example(schemas["WebhookEndpointId"], FIXTURES["endpoint"])
    _set_example(schemas["WebhookDeliveryId"], FIXTURES["delivery"])
    # Whole-request examples where a valid request is more than valid fields.
    examples = {
        ("/api/v1/auth/token", "post"): {"grant_type": "password", "access_key": ACCESS_KEY},
        ("/api/v1/auth/refresh", "post"): {"grant_type": "refresh_token", "refresh_token": FIXTURES["refresh_token"]},
        ("/api/v1/auth/revoke", "post"): {"token": FIXTURES["access_token"], "token_type_hint": "access_token"},
        ("/api/v1/user/submituserassessmentquestions", "post"): {
            "userId": FIXTURES["user"],
            "instrument": "PHQ-9",
            "answers": FIXTURES["answers"],
        },
    }
    for (path, method), example in examples.items():
        for media_type in raw_schema["paths"][path][method]["requestBody"]["content"]:
            _body_schema(raw_schema, path, method, media_type)["example"] = example


def _per_request_key(request: requests.PreparedRequest, body: bytes) -> None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return
    digest = hashlib.sha256(f"{request.method} {request.path_url}\n".encode() + body).hexdigest()[:32]
    request.headers["Idempotency-Key"] = f"{key[:200]}.{digest}"


class _PartnerAuth(requests.auth.AuthBase):
    def __init__(self, signs: str | None) -> None:
        # None (not signed), "body" or "method and path" (docs/signing.md).
        self.signs = signs

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {PARTNER_TOKEN}"
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        _per_request_key(request, body)
        if self.signs is None:
            return request
        signed = body if self.signs == "body" else f"{request.method} {request.path_url}".encode()
        request.headers["X-Tahoon-Signature"] = signature(signed)
        return request


class _OperatorAuth(requests.auth.AuthBase):
    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {OPERATOR_TOKEN}"
        return request


def _signs(operation: Any) -> str | None:
    extension = operation.definition.raw.get("x-tahoon-signature")
    return extension.get("signs") if isinstance(extension, dict) else None


PARTNER_ORGANIZATION: list[str] = []


def _partner_organization() -> str:
    if not PARTNER_ORGANIZATION:
        check = partner("POST", "/api/v1/diagnostics/signature", {"probe": True})
        PARTNER_ORGANIZATION.append(check["organizationId"])
    return PARTNER_ORGANIZATION[0]


def _is_positive(case: Any) -> bool:
    meta = getattr(case, "meta", None)
    return meta is not None and str(meta.generation.mode) == "positive"


def _confirmed_provider(booking: Any) -> str | None:
    """The provider of `booking` when it is Confirmed (a booking that can move), else None."""
    if not isinstance(booking, str):
        return None
    response = requests.get(
        f"{BASE_URL}/api/v1/sessionbooking/{booking}", headers={"Authorization": f"Bearer {PARTNER_TOKEN}"}, timeout=30
    )
    if response.status_code != 200 or response.json()["data"]["statusName"] != "Confirmed":
        return None
    return response.json()["data"]["careProviderId"]


# The zone names of this machine's time zone database, which the server (on the same machine)
# reads; matched without regard to case, as the server does.
ZONES = sorted(zoneinfo.available_timezones())
KNOWN_ZONES = {zone.lower() for zone in ZONES}


def _known_zones(case: Any, kwargs: dict[str, Any]) -> None:
    """A valid request names a zone of the time zone database, which the document describes but
    cannot list; a generated name that is not one becomes one (chosen by the name, so the same
    generated name always becomes the same zone)."""
    if not _is_positive(case):
        return

    def known(name: Any) -> Any:
        if not isinstance(name, str) or name.strip().lower() in KNOWN_ZONES:
            return name
        return ZONES[int(hashlib.sha256(name.encode()).hexdigest(), 16) % len(ZONES)]

    if isinstance(case.query, dict) and "timeZone" in case.query:
        case.query = {**case.query, "timeZone": known(case.query["timeZone"])}
    if isinstance(case.body, dict) and "timeZone" in case.body:
        _set_body(case, kwargs, {**case.body, "timeZone": known(case.body["timeZone"])})


def _set_body(case: Any, kwargs: dict[str, Any], body: dict[str, Any]) -> None:
    """Replaces the case's body, and the body the caller passes when it passes one."""
    case.body = body
    if "json" in kwargs:
        kwargs["json"] = body


def _give_free_slots(case: Any, kwargs: dict[str, Any]) -> None:
    """A valid request to book, or to move a booking, gets a booking that can move and a free slot."""
    if not _is_positive(case) or not isinstance(case.body, dict):
        return
    body = dict(case.body)
    if case.operation.path == "/api/v1/sessionbooking/booksession":
        provider = body.get("careProviderId") if isinstance(body.get("careProviderId"), str) else None
        slot = SLOTS.free(provider) if provider and provider != FIXTURES["provider"] else None
        if slot is None:
            provider, slot = SLOTS.any_free(but=FIXTURES["provider"])
            if "careProviderId" in body:
                body["careProviderId"] = provider
    else:
        # Ids taken from earlier answers often name a booking cancelled since; a valid request
        # to move one moves the fixture booking (which stays Confirmed) with its user instead.
        provider = _confirmed_provider(body.get("bookingId"))
        if provider is None:
            body["bookingId"], body["userId"] = FIXTURES["booking"], FIXTURES["user"]
            provider = _confirmed_provider(FIXTURES["booking"])
        slot = SLOTS.free(provider) if provider else None
    if slot is not None and isinstance(body.get("applicationMultiSlotId"), str):
        body["applicationMultiSlotId"] = slot
    _set_body(case, kwargs, body)


# Bookings made to be cancelled in place of the fixture booking, by case id.
SUBSTITUTES: dict[str, tuple[str, str]] = {}


def _restore_setting(case: Any, response: Any) -> None:
    """Resets a setting (to its default: for `video.provider`, Jitsi) after a request that changed it."""
    key = (case.path_parameters or {}).get("key")
    if (
        case.operation.path == "/api/v1/admin/settings/{key}"
        and case.method.upper() == "PUT"
        and response.status_code == 200
        and isinstance(key, str)
    ):
        reset = requests.delete(
            f"{BASE_URL}/api/v1/admin/settings/{quote(key, safe='')}",
            headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"},
            timeout=30,
        )
        reset.raise_for_status()


@schemathesis.hook
def after_call(context: Any, case: Any, response: Any) -> None:
    booking_paths = ("/api/v1/sessionbooking/booksession", "/api/v1/sessionbooking/reschedule", "/api/v1/sessionbooking/bulk")
    if case.operation.path in booking_paths and response.status_code == 200:
        SLOTS.taken()
    _restore_setting(case, response)
    substitute = SUBSTITUTES.pop(case.id, None)
    if substitute is not None and response.status_code != 200:
        # The request did not cancel the booking made for it: cancel it, so its slot is free again.
        cancel(substitute[0], FIXTURES["user"], substitute[1])


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    # Containers are replaced, never changed in place: a generated case may share them with the
    # document's examples, which later phases start from.
    path = case.operation.path
    parameters = case.path_parameters or {}
    if path == "/metrics":
        kwargs["auth"] = _OperatorAuth()
    elif path.startswith("/api/v1/admin/"):
        if parameters.get("organizationId") == _partner_organization():
            case.path_parameters = {**parameters, "organizationId": DECOY_ORGANIZATION}
        kwargs["auth"] = _OperatorAuth()
    elif path.startswith("/api/"):
        if case.method.upper() == "DELETE" and parameters.get("userId") == FIXTURES.get("user"):
            case.path_parameters = {**parameters, "userId": register(f"erasable-{uuid.uuid4().hex[:12]}")}
        if case.method.upper() == "DELETE" and parameters.get("endpointId") == FIXTURES.get("endpoint"):
            try:
                case.path_parameters = {**parameters, "endpointId": webhook_endpoint()}
            except RuntimeError:
                # At the organization's limit (fuzzed creations): delete another id instead.
                case.path_parameters = {**parameters, "endpointId": "whe_" + "A" * 27}
        if path == "/api/v1/sessionbooking/cancelbooking" and isinstance(case.body, dict):
            if case.body.get("bookingId") == FIXTURES.get("booking"):
                booking, provider = book(FIXTURES["user"])
                body = {**case.body, "bookingId": booking}
                if body.get("careProviderId") in (FIXTURES["provider"], FIXTURES["other_provider"]):
                    body["careProviderId"] = provider
                _set_body(case, kwargs, body)
                SUBSTITUTES[case.id] = (booking, provider)
        if path in ("/api/v1/sessionbooking/booksession", "/api/v1/sessionbooking/reschedule"):
            _give_free_slots(case, kwargs)
        if path == "/api/v1/user/reminders" and _is_positive(case) and isinstance(case.body, dict):
            # A valid request names a user of the organization (a random id is another's, or none).
            _set_body(case, kwargs, {**case.body, "userId": FIXTURES["user"]})
        _known_zones(case, kwargs)
        kwargs["auth"] = _PartnerAuth(_signs(case.operation))
