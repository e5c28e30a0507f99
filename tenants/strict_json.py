"""JSON from a request body, strictly: one parser for every JSON entry point (the REST API,
the OpenAI-compatible API), so that each hostile shape is refused the same way everywhere.

Python's json lets through what PostgreSQL or a client cannot use and raises what a view
would turn into a 500: invalid UTF-8, nesting deep enough for RecursionError, integers too
long to convert, NaN and Infinity, unpaired surrogates. `loads` turns each into
StrictJSONError with a short reason that names the fault, never the text.
"""

from __future__ import annotations

import json
from typing import Any


class StrictJSONError(ValueError):
    """`reason` is lower-case and has no full stop, for the caller to frame."""

    def __init__(self, reason: str, *, kind: str) -> None:
        super().__init__(reason)
        self.reason, self.kind = reason, kind


def _no_constants(name: str) -> Any:
    raise StrictJSONError(f"{name} is not a JSON number", kind="constant")


def loads(raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise StrictJSONError(f"the body is not valid UTF-8 (byte {exc.start})",
                              kind="encoding") from None
    if not text.strip():
        raise StrictJSONError("the body is empty", kind="empty")
    try:
        value = json.loads(text, parse_constant=_no_constants)
    except json.JSONDecodeError as exc:
        raise StrictJSONError(f"the body is not valid JSON: {exc.msg} (line {exc.lineno}, "
                              f"column {exc.colno})", kind="syntax") from None
    except RecursionError:
        raise StrictJSONError("the body is nested too deeply", kind="depth") from None
    except StrictJSONError:
        raise
    except ValueError:  # an integer longer than Python converts (4300 digits)
        raise StrictJSONError("a number in the body has too many digits",
                              kind="number") from None
    try:
        json.dumps(value, ensure_ascii=False).encode()
    except UnicodeEncodeError:  # nor can PostgreSQL store it
        raise StrictJSONError("the body contains an unpaired surrogate (\\ud800 to \\udfff)",
                              kind="surrogate") from None
    return value
