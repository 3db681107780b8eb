"""The API's JSON parser: DRF's, refusing what it would decode but the app cannot handle.

- Nesting. Python's decoder recurses once per `[` or `{`: a body of 100,000 of them raises
  RecursionError, which DRF does not expect and turns into a 500. No payload of this API
  nests more than a few levels (an event's `data` object is the deepest), so anything
  deeper than MAX_DEPTH is refused.
- Lone surrogates. JSON may escape half of a UTF-16 pair ("\\ud800"); Python decodes it into
  a string that UTF-8, and so every database and every lookup, refuses with an error.

Both are a parse error (400) before any serializer or query sees the data.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 64


def nesting_depth(value: Any) -> int:
    """How deeply arrays and objects nest in a decoded JSON value (a scalar is 0). Walked
    with a stack, not recursion, so that measuring is safe whatever the depth."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in item if isinstance(child, dict | list))
    return deepest


def has_lone_surrogate(value: Any) -> bool:
    """Whether any string of a decoded JSON value, object keys included, cannot be UTF-8."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not item.isascii():
                try:
                    item.encode()
                except UnicodeEncodeError:
                    return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class StrictJSONParser(JSONParser):
    """JSONParser answering 400 to JSON nested deeper than MAX_DEPTH or holding a lone
    surrogate."""

    max_depth = MAX_DEPTH

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:  # deeper than the interpreter can decode at all
            raise ParseError(self._too_deep()) from exc
        if nesting_depth(data) > self.max_depth:
            raise ParseError(self._too_deep())
        if has_lone_surrogate(data):
            raise ParseError(_("JSON parse error - a string holds half of a surrogate pair."))
        return data

    def _too_deep(self) -> str:
        return _("JSON parse error - nested more than %(depth)d levels deep.") % {
            "depth": self.max_depth
        }
