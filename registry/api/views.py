"""API views: validate the shape, call an action or a query, answer."""

import json

from django.db import connection, transaction
from django.db.models import Max
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.observability import FEED_PULLS, SUBMISSIONS
from registry import actions, queries
from registry.api.auth import HasScope, PartnerKeyAuthentication
from registry.api.serializers import (
    AddItemsSerializer,
    CaseAccessSerializer,
    CaseStatusSerializer,
    CaseSubmissionSerializer,
    ErrorSerializer,
    FeedbackResultSerializer,
    FeedbackSerializer,
    FeedEventSerializer,
    FeedPageSerializer,
    MatchRequestSerializer,
    MatchResponseSerializer,
    NewCaseSerializer,
    WithdrawnSerializer,
)
from registry.api.throttles import CaseAccessThrottle, SubmitThrottle
from registry.models import FeedEvent, Partner, Signal


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The case's current state does not allow this."
    default_code = "conflict"


FEED_DEFAULT_LIMIT = 500
FEED_MAX_LIMIT = 1000
EXPORT_CHUNK = 5000
# One answer for a wrong number and a wrong code, byte for byte.
NO_SUCH_CASE = "No case matches this case number and access code."

_ERRORS = {
    400: "The request is malformed; `detail` says which field or item and why.",
    401: "No API key, or one the registry does not know.",
    403: "The API key lacks the scope this endpoint needs.",
    404: "Not found.",
    413: "The body is larger than 256 KB.",
    409: "The case's current state refuses this (withdrawn, full, or holding the hash already).",
    415: "Only application/json bodies are accepted.",
    429: "Too many requests from this client; retry after the Retry-After header's seconds.",
}


def errors(*codes: int) -> dict:
    """OpenAPI descriptions of the error answers an endpoint can give."""
    return {code: OpenApiResponse(ErrorSerializer, description=_ERRORS[code]) for code in codes}


PUBLIC_POST_ERRORS = (400, 413, 415, 429)
PARTNER_ERRORS = (400, 401, 403)


class CaseCreateView(APIView):
    """Anonymous: open a case with the hashes of the person's files (JSON only)."""

    throttle_classes = [SubmitThrottle]

    @extend_schema(
        request=CaseSubmissionSerializer,
        responses={201: NewCaseSerializer, **errors(*PUBLIC_POST_ERRORS)},
    )
    def post(self, request):
        submission = CaseSubmissionSerializer(data=request.data)
        submission.is_valid(raise_exception=True)
        created = actions.submit_case(submission.validated_data["category"], submission.hashes())
        SUBMISSIONS.labels("case").inc()
        answer = NewCaseSerializer(
            {"case_number": created.case.number, "access_code": created.access_code}
        )
        return Response(answer.data, status=status.HTTP_201_CREATED)


def _open_case(serializer):
    serializer.is_valid(raise_exception=True)
    case = queries.find_case(
        serializer.validated_data["case_number"], serializer.validated_data["access_code"]
    )
    if case is None:
        raise NotFound(NO_SUCH_CASE)
    return case


class CaseStatusView(APIView):
    """Anonymous, with the case's number and code: what has become of the case."""

    throttle_classes = [CaseAccessThrottle]

    @extend_schema(
        request=CaseAccessSerializer,
        responses={200: CaseStatusSerializer, **errors(*PUBLIC_POST_ERRORS, 404)},
    )
    def post(self, request):
        case = _open_case(CaseAccessSerializer(data=request.data))
        return Response(CaseStatusSerializer(queries.case_status(case)).data)


class CaseItemsView(APIView):
    """Anonymous, with the case's number and code: protect more files in the same case."""

    throttle_classes = [CaseAccessThrottle, SubmitThrottle]

    @extend_schema(
        request=AddItemsSerializer,
        responses={200: CaseStatusSerializer, **errors(*PUBLIC_POST_ERRORS, 404, 409)},
    )
    def post(self, request):
        serializer = AddItemsSerializer(data=request.data)
        case = _open_case(serializer)
        try:
            actions.add_items(case, serializer.hashes())
        except actions.ActionRefused as exc:
            raise Conflict(str(exc)) from None
        SUBMISSIONS.labels("files_added").inc()
        case.refresh_from_db()
        return Response(CaseStatusSerializer(queries.case_status(case)).data)


class CaseWithdrawView(APIView):
    """Anonymous, with the case's number and code: take every hash of the case back."""

    throttle_classes = [CaseAccessThrottle]

    @extend_schema(
        request=CaseAccessSerializer,
        responses={200: WithdrawnSerializer, **errors(*PUBLIC_POST_ERRORS, 404)},
    )
    def post(self, request):
        case = _open_case(CaseAccessSerializer(data=request.data))
        removed = actions.withdraw_case(case)
        return Response(
            WithdrawnSerializer(
                {"case_number": case.number, "status": "withdrawn", "removed_from_feed": removed}
            ).data
        )


class FeedQuerySerializer(serializers.Serializer):
    after = serializers.IntegerField(min_value=0, max_value=2**63 - 1, default=0)
    limit = serializers.IntegerField(
        min_value=1, max_value=FEED_MAX_LIMIT, default=FEED_DEFAULT_LIMIT
    )


class PartnerView(APIView):
    authentication_classes = [PartnerKeyAuthentication]
    permission_classes = [HasScope]


class FeedView(PartnerView):
    """Partners: the feed's events after a cursor, in commit order."""

    required_scope = Partner.Scope.FEED_READ

    @extend_schema(
        parameters=[FeedQuerySerializer],
        responses={200: FeedPageSerializer, **errors(*PARTNER_ERRORS)},
    )
    def get(self, request):
        # A plain dict, so an empty `after=` is refused rather than read as the default.
        query = FeedQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        after, limit = query.validated_data["after"], query.validated_data["limit"]
        partner = request.user
        if after > partner.feed_position:
            # Asking for what follows `after` confirms holding everything up to it.
            Partner.objects.filter(pk=partner.pk, feed_position__lt=after).update(
                feed_position=after
            )
        # One row more than asked tells whether more is waiting, without a second query.
        rows = list(
            FeedEvent.objects.filter(seq__gt=after)
            .select_related("signal__case")
            .order_by("seq")[: limit + 1]
        )
        events = rows[:limit]
        FEED_PULLS.inc()
        return Response(
            {
                "events": FeedEventSerializer(events, many=True).data,
                "next": events[-1].seq if events else after,
                "has_more": len(rows) > limit,
            }
        )


class ExportView(PartnerView):
    """Partners: every active hash, streamed as JSON lines, with the feed cursor it matches.

    The first line is {"cursor": N}; continue with the feed from `after=N`. The read runs in one
    repeatable-read snapshot, and since feed positions follow commit order, the snapshot holds
    exactly the events up to N.
    """

    required_scope = Partner.Scope.FEED_READ

    @extend_schema(
        responses={
            (200, "application/x-ndjson"): OpenApiResponse(
                OpenApiTypes.STR,
                description='JSON lines: {"cursor": N}, then one hash object per line.',
            ),
            **errors(401, 403),
        },
    )
    def get(self, request):
        response = StreamingHttpResponse(_export_lines(), content_type="application/x-ndjson")
        response["Cache-Control"] = "no-store"
        return response


EXPORT_FIELDS = (
    "id",
    "signal_type",
    "value",
    "quality",
    "media_type",
    "case__category",
    "created_on",
)


def _export_lines():
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor_seq = FeedEvent.objects.aggregate(seq=Max("seq"))["seq"] or 0
        yield json.dumps({"cursor": cursor_seq}) + "\n"
        # Plain rows, not serializer instances: a million of them must stream in seconds. The
        # objects are the same as the feed's `hash` (FeedHashSerializer), field for field.
        rows = (
            Signal.objects.filter(status=Signal.Status.ACTIVE)
            .order_by("id")
            .values_list(*EXPORT_FIELDS)
            .iterator(chunk_size=EXPORT_CHUNK)
        )
        batch = []
        for id_, signal_type, value, quality, media_type, category, created in rows:
            batch.append(
                json.dumps(
                    {
                        "id": id_,
                        "signal_type": signal_type,
                        "value": value,
                        "quality": quality,
                        "media_type": media_type,
                        "category": category,
                        "created": created.isoformat(),
                    }
                )
            )
            if len(batch) == EXPORT_CHUNK:
                yield "\n".join(batch) + "\n"
                batch = []
        if batch:
            yield "\n".join(batch) + "\n"


class FeedbackView(PartnerView):
    """Partners: a verdict on a hash. Three partners saying `not_violating` quarantine it."""

    required_scope = Partner.Scope.FEEDBACK

    @extend_schema(
        request=FeedbackSerializer,
        responses={200: FeedbackResultSerializer, **errors(*PARTNER_ERRORS, 404, 413, 415)},
    )
    def post(self, request):
        feedback = FeedbackSerializer(data=request.data)
        feedback.is_valid(raise_exception=True)
        signal = Signal.objects.filter(pk=feedback.validated_data["hash_id"]).first()
        if signal is None or signal.status == Signal.Status.WITHDRAWN:
            raise NotFound("No hash with this id is in the feed.")
        verdict = feedback.validated_data["verdict"]
        quarantined = actions.record_feedback(request.user, signal, verdict)
        return Response(
            FeedbackResultSerializer(
                {"hash_id": signal.pk, "verdict": verdict, "quarantined": quarantined}
            ).data
        )


class MatchView(PartnerView):
    """Partners: which active registry hashes match these (up to 100) hashes."""

    required_scope = Partner.Scope.MATCH

    @extend_schema(
        request=MatchRequestSerializer,
        responses={200: MatchResponseSerializer, **errors(*PARTNER_ERRORS, 413, 415)},
    )
    def post(self, request):
        asked = MatchRequestSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        query_list = [
            queries.MatchQuery(q["signal_type"], q["value"], tuple(q.get("dihedral", ())))
            for q in asked.validated_data["hashes"]
        ]
        found = queries.match(query_list)
        return Response(
            MatchResponseSerializer(
                {"results": [{"query": i, "matches": m} for i, m in enumerate(found)]}
            ).data
        )
