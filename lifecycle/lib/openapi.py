"""The answers every operation of the API may give besides success, declared once in the
OpenAPI document (a drf-spectacular postprocessing hook, SPECTACULAR_SETTINGS).

DRF words them all alike: `{"detail": "..."}`, or for invalid input an object of field names
to their messages. Which operation may give which:

- 400 a write (invalid or unparsable body) or a read with query parameters (a bad filter);
- 401 without credentials, 403 without the role, 429 over the throttle: every operation;
- 404 an operation on one record ({id} in its path), or a page past the last of a list;
- 415 a write whose body is not in a media type the API parses.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

WRITES = frozenset({"post", "put", "patch"})
METHODS = frozenset({"get", "post", "put", "patch", "delete"})


def _schemas() -> dict[str, Any]:
    messages = {"type": "array", "items": {"type": "string"}}
    return {
        "ErrorDetail": {
            "type": "object",
            "properties": {"detail": {"type": "string"}},
            "required": ["detail"],
        },
        # Field errors: each field's messages, or a nested serializer's own field errors.
        "ValidationErrors": {
            "type": "object",
            "additionalProperties": {"anyOf": [messages, {"type": "object"}]},
        },
    }


def _response(description: str, *schemas: str) -> dict[str, Any]:
    refs = [{"$ref": f"#/components/schemas/{name}"} for name in schemas]
    schema = refs[0] if len(refs) == 1 else {"anyOf": refs}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _responses() -> dict[str, Any]:
    return {
        "BadRequest": _response(
            _("Invalid input: each field's errors, or why the body could not be read."),
            "ValidationErrors",
            "ErrorDetail",
        ),
        "Unauthorized": _response(_("No credentials, or invalid ones."), "ErrorDetail"),
        "Forbidden": _response(_("Your role does not allow this."), "ErrorDetail"),
        "NotFound": _response(_("No such record, or no such page."), "ErrorDetail"),
        "UnsupportedMediaType": _response(_("The body is not JSON or a form."), "ErrorDetail"),
        "TooManyRequests": _response(_("Over the API rate limit; try again later."), "ErrorDetail"),
    }


def _errors_of(path: str, method: str, operation: dict[str, Any]) -> dict[str, str]:
    query = [p for p in operation.get("parameters", []) if p.get("in") == "query"]
    errors = {"401": "Unauthorized", "403": "Forbidden", "429": "TooManyRequests"}
    if method in WRITES or query:
        errors["400"] = "BadRequest"
    if "{" in path or any(p["name"] == "page" for p in query):
        errors["404"] = "NotFound"
    if method in WRITES:
        errors["415"] = "UnsupportedMediaType"
    return errors


def declare_error_responses(result: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    """Add the error answers to every operation of `result`, the generated document."""
    components = result.setdefault("components", {})
    components.setdefault("schemas", {}).update(_schemas())
    components.setdefault("responses", {}).update(_responses())
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status, name in _errors_of(path, method, operation).items():
                responses.setdefault(status, {"$ref": f"#/components/responses/{name}"})
    return result
