"""The REST API's JSON parser and exception handler: every malformed or hostile body is a 4xx.

DRF's own JSONParser lets RecursionError (a body nested 100,000 deep) through as a 500 and
reads bodies of any size; this one caps the size at DATA_UPLOAD_MAX_MEMORY_SIZE (413) and
reports invalid UTF-8, deep nesting, NaN and over-long integers as 400s.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework import status, views
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from . import strict_json


class BodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "body_too_large"


class SafeJSONParser(JSONParser):
    def parse(self, stream: IO[bytes] | None, media_type: str | None = None,
              parser_context: Mapping[str, Any] | None = None) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2**62
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise BodyTooLarge(f"The request body is larger than {limit} bytes.")
        try:
            return strict_json.loads(raw)
        except strict_json.StrictJSONError as exc:
            raise ParseError(f"JSON parse error - {exc.reason}.") from None


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus Django's own body-size refusal as a 413 in DRF's shape."""
    if isinstance(exc, RequestDataTooBig):
        exc = BodyTooLarge(f"The request body is larger than "
                           f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes.")
    return views.exception_handler(exc, context)
