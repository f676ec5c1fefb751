"""API views: validate the shape, call an action or a query, answer."""

from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from registry import actions
from registry.api.auth import HasScope, PartnerKeyAuthentication
from registry.api.serializers import (
    CaseSubmissionSerializer,
    FeedEventSerializer,
    NewCaseSerializer,
)
from registry.models import FeedEvent

FEED_DEFAULT_LIMIT = 500
FEED_MAX_LIMIT = 1000


class CaseCreateView(APIView):
    """Anonymous: open a case with the hashes of the person's files (JSON only)."""

    def post(self, request):
        submission = CaseSubmissionSerializer(data=request.data)
        submission.is_valid(raise_exception=True)
        created = actions.submit_case(submission.validated_data["category"], submission.hashes())
        answer = NewCaseSerializer(
            {"case_number": created.case.number, "access_code": created.access_code}
        )
        return Response(answer.data, status=status.HTTP_201_CREATED)


class FeedQuerySerializer(serializers.Serializer):
    after = serializers.IntegerField(min_value=0, default=0)
    limit = serializers.IntegerField(
        min_value=1, max_value=FEED_MAX_LIMIT, default=FEED_DEFAULT_LIMIT
    )


class FeedView(APIView):
    """Partners: the feed's events after a cursor, in commit order."""

    authentication_classes = [PartnerKeyAuthentication]
    permission_classes = [HasScope]
    required_scope = "feed:read"

    def get(self, request):
        query = FeedQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        after, limit = query.validated_data["after"], query.validated_data["limit"]
        # One row more than asked tells whether more is waiting, without a second query.
        rows = list(
            FeedEvent.objects.filter(seq__gt=after)
            .select_related("signal__case")
            .order_by("seq")[: limit + 1]
        )
        events = rows[:limit]
        return Response(
            {
                "events": FeedEventSerializer(events, many=True).data,
                "next": events[-1].seq if events else after,
                "has_more": len(rows) > limit,
            }
        )
