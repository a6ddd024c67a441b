"""Request and response bodies; they are the contract the action server codes against."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from . import validation as v

RequestType = Literal["opt_out", "opt_in"]
Channel = Literal["web", "voice", "other"]
# The learner's language, so staff can reply in it: en (English) or cy (Welsh, Cymraeg).
Language = Literal["en", "cy"]
Status = Literal["received", "in_progress", "completed", "rejected"]
StaffStatus = Literal["in_progress", "completed", "rejected"]
Match = Literal["matched", "no_match", "ambiguous"]

Name = Annotated[str, Field(min_length=1, max_length=70), AfterValidator(v.name)]
OptionalName = Annotated[Name | None, BeforeValidator(v.blank_to_none), Field(default=None)]
DateOfBirth = Annotated[
    str,
    Field(min_length=10, max_length=10, pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", examples=["2001-03-12"]),
    AfterValidator(v.iso_date_of_birth),
]
Postcode = Annotated[str, Field(min_length=5, max_length=10, examples=["SW1A 1AA"]), AfterValidator(v.postcode)]
Uln = Annotated[
    Annotated[str, Field(max_length=20, examples=["1748529632"]), AfterValidator(v.uln)] | None,
    BeforeValidator(v.blank_to_none),
    Field(default=None),
]
Email = Annotated[
    Annotated[str, Field(max_length=254), AfterValidator(v.email)] | None,
    BeforeValidator(v.blank_to_none),
    Field(default=None),
]
ConversationId = Annotated[str, Field(min_length=1, max_length=128), AfterValidator(v.plain_text)]


class RequestIn(BaseModel):
    """What the action server submits. Unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")

    type: RequestType
    given_name: Name
    family_name: Name
    previous_family_name: OptionalName
    date_of_birth: DateOfBirth
    postcode: Postcode
    uln: Uln
    contact_email: Email
    channel: Channel
    # Optional for clients written before it existed: absent means English.
    language: Annotated[Language, Field(default="en", description="en (English) or cy (Welsh)")]
    conversation_id: ConversationId


PERSONAL_FIELDS = (
    "given_name",
    "family_name",
    "previous_family_name",
    "date_of_birth",
    "postcode",
    "uln",
    "contact_email",
    "conversation_id",
)


class Submitted(BaseModel):
    reference: str = Field(examples=["PLR-7K3M-9QXD"])
    status: Literal["received"]
    created_at: datetime


class StatusView(BaseModel):
    """All the actions key ever learns about a request: no personal field, no register match."""

    reference: str
    type: RequestType
    status: Status
    created_at: datetime
    updated_at: datetime


class RequestRecord(BaseModel):
    reference: str
    type: RequestType
    status: Status
    match: Match
    given_name: str
    family_name: str
    previous_family_name: str | None
    date_of_birth: str
    postcode: str
    uln: str | None
    contact_email: str | None
    channel: Channel
    language: Language
    conversation_id: str
    created_at: datetime
    updated_at: datetime


class AuditEntry(BaseModel):
    action: str
    actor: str
    at: datetime
    from_status: str | None
    to_status: str | None
    note: str | None


class RequestDetail(RequestRecord):
    history: list[AuditEntry]


class RequestPage(BaseModel):
    items: list[RequestRecord]
    next_cursor: str | None


class StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: StaffStatus
    note: Annotated[str | None, Field(default=None, max_length=2000)]


class Problem(BaseModel):
    detail: str


class StatusCheckIn(BaseModel):
    """The date of birth travels in the body: a query string ends up in proxy and error logs."""

    model_config = ConfigDict(extra="forbid")

    date_of_birth: Annotated[
        str, Field(min_length=10, max_length=10, pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", examples=["2001-03-12"])
    ]


class Locked(BaseModel):
    detail: str
    retry_after_seconds: int


# What an outbox may forward of a request the backend refused: the request's own fields, no
# more (unknown keys are dropped, not stored). Lenient on values, since they were refused once
# already and the point is that staff see them; bounded so nothing large gets in.
ForwardedValue = Annotated[str | None, Field(default=None, max_length=1000)]


class ForwardedRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: ForwardedValue
    given_name: ForwardedValue
    family_name: ForwardedValue
    previous_family_name: ForwardedValue
    date_of_birth: ForwardedValue
    postcode: ForwardedValue
    uln: ForwardedValue
    contact_email: ForwardedValue
    channel: ForwardedValue
    language: ForwardedValue
    conversation_id: ForwardedValue


class UndeliverableIn(BaseModel):
    """An outbox's dead letter: a request the backend refused after the learner was told it was saved."""

    model_config = ConfigDict(extra="forbid")

    idempotency_key: Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[!-~]+$")]
    http_status: Annotated[int, Field(ge=400, le=499)]
    field: Annotated[str | None, Field(default=None, max_length=64, pattern=r"^[A-Za-z0-9_.-]*$")]
    request: ForwardedRequest


class UndeliverableAccepted(BaseModel):
    outcome: Literal["created", "replayed"]


class UndeliverableRecord(BaseModel):
    id: int
    http_status: int
    field: str | None
    received_at: datetime
    request: dict[str, str | None]


class UndeliverablePage(BaseModel):
    items: list[UndeliverableRecord]
    next_cursor: str | None


class RetentionSummary(BaseModel):
    retention_days: int
    open_request_max_days: int
    closed_due_for_deletion: int
    open_overdue: int
    oldest_open_created_at: datetime | None
    undeliverable_requests: int


class FieldError(BaseModel):
    loc: list[str | int]
    field: str
    type: str
    msg: str


class ValidationProblem(BaseModel):
    detail: list[FieldError]


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    database: Literal["ok", "unavailable"]
