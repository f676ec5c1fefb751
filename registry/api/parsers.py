"""JSON bodies only, and small ones: the submission API never needs more than 256 KB."""

import io

from django.conf import settings
from rest_framework import exceptions, parsers, status


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is larger than 256 KB."
    default_code = "too_large"


class LimitedJSONParser(parsers.JSONParser):
    """DRF reads the body from the socket itself, past Django's size check: enforce it here."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        declared = (
            parser_context["request"].META.get("CONTENT_LENGTH", "") if parser_context else ""
        )
        if declared.isdigit() and int(declared) > limit:
            raise RequestTooLarge()
        body = stream.read(limit + 1)  # a chunked body has no declared length
        if len(body) > limit:
            raise RequestTooLarge()
        return super().parse(io.BytesIO(body), media_type, parser_context)
