"""Making the OpenAPI schema say what the API answers (drf-spectacular).

- ``add_error_responses`` (a postprocessing hook) documents on every operation the errors it can
  answer, with their JSON shape: 400 field messages, and ``{"detail": "..."}`` for 401, 403, 404,
  406, 409, 412, 415 and 429 (with ``Retry-After``); on the FHIR endpoints (``/fhir/``) a FHIR
  ``OperationOutcome`` as ``application/fhir+json`` instead.
- ``OptionalChoiceFieldExtension`` documents ``OptionalChoiceField`` as its enum or ``null`` in
  responses (it never answers ``""``) and as the enum, ``""`` or ``null`` in requests.

Imported by ``buddying.apps.BuddyingConfig.ready`` so drf-spectacular finds the extension.
"""

from copy import copy

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_choice_field

ERROR = {
    "type": "object",
    "description": "What went wrong, in a sentence a person can read.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERROR = {
    "type": "object",
    "description": (
        'Messages by field or query parameter: `{"title": ["This field is required."]}`; '
        "rules across fields under `non_field_errors`; for a list of entries, by the bad entry's "
        'index (`{"1": {"date": ["..."]}}`); a body that is not usable JSON as '
        '`{"detail": "..."}`.'
    ),
    "additionalProperties": {
        "oneOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "object", "additionalProperties": True},
            {"type": "string"},
        ]
    },
}

OPERATION_OUTCOME = {
    "type": "object",
    "description": (
        "A FHIR R4 OperationOutcome: one issue per problem, its `code` the FHIR issue type "
        "(`invalid`, `not-found`, `login`, `forbidden`, `not-supported`, `throttled`), "
        "`diagnostics` the message and `expression` the search parameter at fault."
    ),
    "properties": {
        "resourceType": {"type": "string", "enum": ["OperationOutcome"]},
        "issue": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "severity": {"type": "string"},
                    "code": {"type": "string"},
                    "diagnostics": {"type": "string"},
                    "expression": {"type": "array", "items": {"type": "string"}},
                },
                "required": ["severity", "code"],
            },
        },
    },
    "required": ["resourceType", "issue"],
}
_FHIR_MEDIA_TYPE = "application/fhir+json"

_WRITES = {"post", "put", "patch", "delete"}
_DESCRIPTIONS = {
    "400": "Bad input: a field, filter or body the API cannot accept.",
    "401": "No credentials, or a token that is unknown, expired or revoked.",
    "403": "The caller may see this but not do it; `detail` says why.",
    "404": "No such object, or one the caller may not see.",
    "406": "The `Accept` header or `format` names a format the API does not give.",
    "409": "The object's state does not allow this change (for example a closed partnership).",
    "412": "`If-Match` names a version that is no longer current; nothing was changed.",
    "415": "The body is not `application/json`.",
    "429": "Too many requests; try again after `Retry-After` seconds.",
}


def _error_response(code: str, *, fhir: bool = False) -> dict:
    schema = "ValidationError" if code == "400" else "Error"
    media_type = "application/json"
    if fhir:
        schema, media_type = "OperationOutcome", _FHIR_MEDIA_TYPE
    response = {
        "description": _DESCRIPTIONS[code],
        "content": {media_type: {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }
    if code == "429":
        response["headers"] = {
            "Retry-After": {
                "schema": {"type": "integer"},
                "description": "Seconds to wait before the next request.",
            }
        }
    return response


def error_codes(method: str, operation: dict) -> list[str]:
    """The errors an operation can answer, by how every endpoint here works."""
    codes = ["401", "403", "404", "406", "429"]
    has_input = "requestBody" in operation or any(
        parameter.get("in") == "query" for parameter in operation.get("parameters", [])
    )
    if has_input or method in _WRITES:
        codes.append("400")
    if method in _WRITES:
        codes += ["409", "412", "415"]
    return sorted(codes)


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation documents its error answers."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR)
    schemas.setdefault("ValidationError", VALIDATION_ERROR)
    for path, path_item in result.get("paths", {}).items():
        fhir = "/fhir/" in path
        if fhir:
            schemas.setdefault("OperationOutcome", OPERATION_OUTCOME)
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code in error_codes(method, operation):
                operation["responses"].setdefault(code, _error_response(code, fhir=fhir))
    return result


class OptionalChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "buddying.common.api.OptionalChoiceField"

    def map_serializer_field(self, auto_schema, direction):
        field = copy(self.target)
        field.allow_null = True
        # A response never holds "" (to_representation answers null); a request may send either.
        field.allow_blank = direction == "request"
        return build_choice_field(field)
