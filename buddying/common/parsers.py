"""The API's request parsers: JSON (and forms), refusing what the rest of the stack cannot carry.

Legal JSON can still break the service: a body nested 50,000 deep overflows Python's stack, a lone
surrogate (``"\\ud800"``) cannot be encoded as UTF-8 (so it cannot be stored or even echoed in an
error message), a NUL cannot be stored by PostgreSQL, and other control characters have no place
in any field. Each answers 400 here, before a serializer sees the data, with a message keyed by
the field (``{"objectives.0.title": [...]}``) that never repeats the value; a body that cannot be
read at all answers ``{"detail": ...}``.
"""

import json

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 100
# Tab, line feed and carriage return are ordinary text; every other C0 control and DEL is refused.
_CONTROL = {chr(code) for code in range(32) if chr(code) not in "\t\n\r"} | {"\x7f"}
_CONTROL_TABLE = {ord(char): None for char in _CONTROL}


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def _where(path: list) -> str:
    """The field's name as the error key: ``title``, ``objectives.0.title``, ``0.note``."""
    return ".".join(str(part) for part in path) or "non_field_errors"


def _text_problem(text: str) -> str | None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "contains a character that is not valid Unicode (a lone surrogate)"
    if len(text.translate(_CONTROL_TABLE)) != len(text):
        return "contains a control character"
    return None


def check_json_value(data, *, max_depth: int = MAX_DEPTH) -> None:
    """Raise ``ParseError`` if ``data`` nests deeper than ``max_depth`` or holds unusable text.

    Walks without recursion, so a value too deep for Python's stack is still answered.
    """
    stack = [(data, 0, [])]
    while stack:
        value, depth, path = stack.pop()
        if isinstance(value, dict | list):
            if depth >= max_depth:
                raise ParseError(f"The JSON body is nested more than {max_depth} levels deep.")
            if isinstance(value, dict):
                for key, item in value.items():
                    problem = _text_problem(key)
                    if problem:
                        raise ParseError({_where(path): [f"A field name {problem}."]})
                    stack.append((item, depth + 1, [*path, key]))
            else:
                stack.extend((item, depth + 1, [*path, index]) for index, item in enumerate(value))
        elif isinstance(value, str):
            problem = _text_problem(value)
            if problem:
                raise ParseError({_where(path): [f"This value {problem}."]})


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, bounded: size, depth, encoding, characters and strict numbers."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = (stream.read() if limit is None else stream.read(limit + 1)) if stream else b""
        if limit is not None and len(raw) > limit:
            raise ParseError(f"The request body is larger than {limit:,} bytes.")
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError("The request body is not valid UTF-8 text.") from exc
        try:
            data = json.loads(text, parse_constant=_reject_constant)
        except RecursionError as exc:
            raise ParseError(f"The JSON body is nested more than {MAX_DEPTH} levels deep.") from exc
        except ValueError as exc:
            # json's message gives a position, never the text itself.
            raise ParseError(f"JSON parse error - {exc}") from exc
        check_json_value(data)
        return data


def _check_query_dict(data) -> None:
    for key, values in data.lists():
        for value in [key, *values]:
            if isinstance(value, str) and _text_problem(value):
                raise ParseError({key: [f"This value {_text_problem(value)}."]})


class FormParser(parsers.FormParser):
    """DRF's form parser with the same character rules as ``JSONParser``."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        _check_query_dict(data)
        return data


class MultiPartParser(parsers.MultiPartParser):
    """DRF's multipart parser with the same character rules as ``JSONParser``."""

    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        _check_query_dict(result.data)
        return result
