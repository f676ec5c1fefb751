"""Shapes of the API's requests and answers. Validation only: writes happen in actions."""

from rest_framework import serializers

from registry import queries, validation
from registry.actions import MAX_ITEMS_PER_CASE, HashInput
from registry.models import Case, FeedEvent, Signal, Verdict


class PdqSerializer(serializers.Serializer):
    hash = serializers.CharField(max_length=64)
    quality = serializers.IntegerField(min_value=0, max_value=100)


class ItemSerializer(serializers.Serializer):
    """One file: an image (photo_md5, PDQ) or a video (video_md5)."""

    media_type = serializers.ChoiceField(choices=Signal.MediaType.choices)
    photo_md5 = serializers.CharField(max_length=32, required=False)
    pdq = PdqSerializer(many=True, required=False, max_length=2)
    video_md5 = serializers.CharField(max_length=32, required=False)

    def validate(self, attrs):
        image = attrs["media_type"] == Signal.MediaType.IMAGE
        wrong = ("video_md5",) if image else ("photo_md5", "pdq")
        for field in wrong:
            if field in attrs:
                raise serializers.ValidationError(
                    f"'{field}' does not belong to an item of media_type '{attrs['media_type']}'."
                )
        if not any(field in attrs for field in ("photo_md5", "pdq", "video_md5")):
            raise serializers.ValidationError("An item needs at least one hash.")
        return attrs

    def validate_photo_md5(self, value):
        return _checked(validation.check_md5, value)

    def validate_video_md5(self, value):
        return _checked(validation.check_md5, value)

    def validate_pdq(self, value):
        checked = [
            {**p, "hash": _checked(validation.check_pdq, p["hash"], p["quality"])} for p in value
        ]
        if len({p["hash"] for p in checked}) != len(checked):
            raise serializers.ValidationError("The same PDQ hash is listed twice.")
        return checked


def _checked(check, *args):
    try:
        return check(*args)
    except ValueError as exc:
        raise serializers.ValidationError(str(exc)) from None


class ItemsMixin(serializers.Serializer):
    """The files of a submission: at most 50, no hash twice, none near a known benign image."""

    items = ItemSerializer(many=True, allow_empty=False, max_length=MAX_ITEMS_PER_CASE)

    def validate_items(self, items):
        seen = set()
        for position, item in enumerate(items):
            for signal in _signals_of(position, item):
                key = (signal.signal_type, signal.value)
                if key in seen:
                    raise serializers.ValidationError(
                        f"Item {position + 1} repeats a hash already in this case."
                    )
                seen.add(key)
        pdq = [value for signal_type, value in seen if signal_type == Signal.SignalType.PDQ]
        near = queries.near_benign(pdq)
        for position, item in enumerate(items):
            if any(p["hash"] in near for p in item.get("pdq", [])):
                raise serializers.ValidationError(
                    f"Item {position + 1} looks like a widely shared image that is known not to "
                    "be intimate content, so it cannot be registered."
                )
        return items

    def hashes(self) -> list[HashInput]:
        """The validated submission as the flat list of hashes that actions.submit_case takes."""
        return [
            signal
            for position, item in enumerate(self.validated_data["items"])
            for signal in _signals_of(position, item)
        ]


def _signals_of(position: int, item: dict) -> list[HashInput]:
    media = item["media_type"]
    found = []
    for field, signal_type in (("photo_md5", "photo_md5"), ("video_md5", "video_md5")):
        if field in item:
            found.append(HashInput(position, media, signal_type, item[field]))
    for pdq in item.get("pdq", []):
        found.append(HashInput(position, media, "pdq", pdq["hash"], pdq["quality"]))
    return found


class CaseSubmissionSerializer(ItemsMixin):
    category = serializers.ChoiceField(choices=Case.Category.choices)


class CaseAccessSerializer(serializers.Serializer):
    """The two secrets that open a case; they travel in POST bodies, never in URLs."""

    case_number = serializers.CharField(max_length=40)
    access_code = serializers.CharField(max_length=60)


class AddItemsSerializer(CaseAccessSerializer, ItemsMixin):
    pass


class CaseStatusSerializer(serializers.Serializer):
    case_number = serializers.CharField()
    category = serializers.ChoiceField(choices=Case.Category.choices)
    status = serializers.ChoiceField(choices=Case.Status.choices)
    created = serializers.DateField()
    files = serializers.IntegerField()
    hashes = serializers.DictField(child=serializers.IntegerField())
    partners_received = serializers.IntegerField()
    partners_total = serializers.IntegerField()
    verdicts = serializers.DictField(child=serializers.IntegerField())


class WithdrawnSerializer(serializers.Serializer):
    case_number = serializers.CharField()
    status = serializers.ChoiceField(choices=Case.Status.choices)
    removed_from_feed = serializers.IntegerField()


class FeedbackSerializer(serializers.Serializer):
    hash_id = serializers.IntegerField(min_value=1)
    verdict = serializers.ChoiceField(choices=Verdict.Kind.choices)


class FeedbackResultSerializer(serializers.Serializer):
    hash_id = serializers.IntegerField()
    verdict = serializers.ChoiceField(choices=Verdict.Kind.choices)
    quarantined = serializers.BooleanField()


class NewCaseSerializer(serializers.Serializer):
    case_number = serializers.CharField()
    access_code = serializers.CharField()


class FeedHashSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="case.category")
    created = serializers.DateField(source="created_on")

    class Meta:
        model = Signal
        fields = ["id", "signal_type", "value", "quality", "media_type", "category", "created"]


class FeedEventSerializer(serializers.ModelSerializer):
    hash = serializers.SerializerMethodField()

    class Meta:
        model = FeedEvent
        fields = ["seq", "action", "hash"]

    def get_hash(self, event):
        if event.action == FeedEvent.Action.REMOVE:
            return {"id": event.signal_id, "signal_type": event.signal.signal_type}
        return FeedHashSerializer(event.signal).data
