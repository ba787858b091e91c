"""The workflow routes' part of the zone's OpenAPI document: paths and reply schemas."""

from __future__ import annotations

from typing import Any

__all__ = ["workflow_paths", "workflow_schemas"]

_REF = "#/components/schemas/"
_TEXT = {"type": "string"}
_MAYBE = {"type": ["string", "null"]}
_COUNT = {"type": "integer", "minimum": 0}


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def _list_of(key: str, name: str) -> dict[str, Any]:
    return _object({key: {"type": "array", "items": {"$ref": _REF + name}}}, [key])


def workflow_schemas() -> dict[str, Any]:
    """Schemas of the workflow routes' bodies and replies."""
    counts = _object(
        {
            "pupils": _COUNT,
            "byNCYear": {"type": "object", "additionalProperties": _COUNT},
            "fsmEligible": _COUNT,
            "senSupport": _COUNT,
            "ehcPlans": _COUNT,
        },
        ["pupils", "byNCYear", "fsmEligible", "senSupport", "ehcPlans"],
    )
    return {
        "TransferRequest": _object(
            {"upn": _TEXT, "to": {"type": "string", "description": "LAESTAB, MMM or XXX"}},
            ["upn", "to"],
        ),
        "Transfer": _object(
            {
                "transferId": _TEXT,
                "upn": _TEXT,
                "learnerRefId": _TEXT,
                "from": _TEXT,
                "fromParty": _TEXT,
                "to": _TEXT,
                "toParty": _MAYBE,
                "status": {"enum": ["delivered", "complete", "lost"]},
                "objects": _COUNT,
                "createdAt": _TEXT,
                "deliveredAt": _MAYBE,
                "completedAt": _MAYBE,
                "claimedBy": _MAYBE,
            },
            ["transferId", "upn", "from", "to", "status", "objects", "createdAt"],
        ),
        "Transfers": _list_of("transfers", "Transfer"),
        "CensusReturnRequest": _object(
            {"collection": _TEXT, "referenceDate": _TEXT, "school": _TEXT},
            ["collection", "referenceDate"],
        ),
        "CensusReturn": _object(
            {
                "returnId": _TEXT,
                "school": _TEXT,
                "collection": _TEXT,
                "referenceDate": _TEXT,
                "version": {"type": "integer", "minimum": 1},
                "status": {"enum": ["draft", "approved", "superseded"]},
                "preparedBy": _TEXT,
                "createdAt": _TEXT,
                "contentHash": {"type": "string", "description": "the school and approved only"},
                "objects": _COUNT,
                "counts": {"oneOf": [counts, {"type": "null"}]},
                "attestation": {
                    "oneOf": [
                        _object({"approvedBy": _TEXT, "approvedAt": _TEXT, "contentHash": _TEXT}),
                        {"type": "null"},
                    ]
                },
            },
            ["returnId", "school", "collection", "referenceDate", "version", "status"],
        ),
        "CensusReturns": _list_of("censusReturns", "CensusReturn"),
        "FundingSummary": _object(
            {
                "collection": _TEXT,
                "schools": {"type": "array", "items": {"type": "object"}},
                "totals": counts,
            },
            ["collection", "schools", "totals"],
        ),
    }


def _reply(description: str, schema: str | None = None) -> dict[str, Any]:
    reply: dict[str, Any] = {"description": description}
    if schema is not None:
        reply["content"] = {"application/json": {"schema": {"$ref": _REF + schema}}}
    return reply


def _body(schema: str | None = None) -> dict[str, Any]:
    shape = {"$ref": _REF + schema} if schema else {"type": "object"}
    return {"required": True, "content": {"application/json": {"schema": shape}}}


def _operation(
    summary: str,
    parameters: list[dict[str, Any]],
    replies: dict[str, Any],
    errors: dict[str, Any],
    body: dict[str, Any] | None = None,
) -> dict[str, Any]:
    operation = {"summary": summary, "parameters": parameters, "responses": {**replies, **errors}}
    if body is not None:
        operation["requestBody"] = body
    return operation


def workflow_paths(
    zone: str, zone_parameter: dict[str, Any], errors: dict[str, Any]
) -> dict[str, Any]:
    """The workflow paths under ``zone`` (``/api/zones/{zone}``)."""

    def path(name: str) -> dict[str, Any]:
        return {"name": name, "in": "path", "required": True, "schema": _TEXT}

    def query(name: str, description: str) -> dict[str, Any]:
        return {"name": name, "in": "query", "required": False, "description": description,
                "schema": _TEXT}  # fmt: skip

    refused = {"409": _reply("clashes with the current state", "Error"),
               "422": _reply("cannot be done as asked (named)", "Error")}  # fmt: skip
    z = [zone_parameter]
    return {
        f"{zone}/transfers": {
            "post": _operation("Transfer a learner of the calling school (MMM: lost pupils)", z,
                               {"201": _reply("the transfer", "Transfer")}, {**errors, **refused},
                               _body("TransferRequest")),
            "get": _operation("Transfers the caller may see", z,
                              {"200": _reply("newest first", "Transfers")}, errors),
        },
        f"{zone}/transfers/{{transfer_id}}": {"get": _operation(
            "One transfer and its status", [*z, path("transfer_id")],
            {"200": _reply("the transfer", "Transfer")}, errors)},
        f"{zone}/lost-pupils": {"get": _operation(
            "Search lost-pupil records (LAs within scope, the DfE)",
            [*z, query("upn", "UPN"), query("surname", "legal surname"),
             query("dateOfBirth", "yyyy-mm-dd")],
            {"200": _reply("records")}, errors)},
        f"{zone}/lost-pupils/claims": {"post": _operation(
            "Claim the records of a UPN the calling school enrols", z,
            {"200": _reply("the transfers claimed")}, errors, _body())},
        f"{zone}/dual-registrations": {"get": _operation(
            "Dual registration links the caller may see", z, {"200": _reply("links")}, errors)},
        f"{zone}/dual-registrations/conflicts": {"get": _operation(
            "Changes flagged for review", [*z, query("status", "open, resolved or all")],
            {"200": _reply("conflicts")}, errors)},
        f"{zone}/dual-registrations/conflicts/{{conflict_id}}/resolve": {"post": _operation(
            "Mark a conflict resolved (either school, their LA)", [*z, path("conflict_id")],
            {"200": _reply("the conflict")}, errors)},
        f"{zone}/uln-requests": {"post": _operation(
            "Send learners without a ULN to the ULN provider", z,
            {"202": _reply("the service request"), "200": _reply("nobody needed one")},
            errors, _body())},
        f"{zone}/uln-reviews": {"get": _operation(
            "ULN results a person must decide", z, {"200": _reply("reviews")}, errors)},
        f"{zone}/census-returns": {
            "post": _operation("Submit (a school) or prepare (its LA) a draft return", z,
                               {"201": _reply("a new version", "CensusReturn"),
                                "200": _reply("nothing changed", "CensusReturn")},
                               {**errors, **refused}, _body("CensusReturnRequest")),
            "get": _operation("Return versions the caller may see", [*z, query("collection", "")],
                              {"200": _reply("versions", "CensusReturns")}, errors),
        },
        f"{zone}/census-returns/{{return_id}}": {"get": _operation(
            "One version (a draft shows the LA and the DfE only that it is pending)",
            [*z, path("return_id")], {"200": _reply("the version", "CensusReturn")}, errors)},
        f"{zone}/census-returns/{{return_id}}/objects": {"get": _operation(
            "A version's snapshot (the school; others once approved)", [*z, path("return_id")],
            {"200": _reply("the objects")}, errors)},
        f"{zone}/census-returns/{{return_id}}/approve": {"post": _operation(
            "Approve a draft: the school alone (403 for everyone else)", [*z, path("return_id")],
            {"200": _reply("approved and delivered", "CensusReturn")}, {**errors, **refused},
            _body())},
        f"{zone}/funding-summary": {"get": _operation(
            "Counts of approved returns of a collection", [*z, query("collection", "")],
            {"200": _reply("the summary", "FundingSummary")}, errors)},
    }  # fmt: skip
