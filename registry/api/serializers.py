"""Shapes of the API's requests and answers. Validation only: writes happen in actions."""

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from registry import queries, validation
from registry.actions import MAX_ITEMS_PER_CASE, HashInput
from registry.models import Case, FeedEvent, Signal, Verdict

MD5_PATTERN = r"^[0-9a-fA-F]{32}$"
PDQ_PATTERN = r"^[0-9a-fA-F]{64}$"
_MD5_HELP = "32 hexadecimal characters; not the MD5 of an empty file."
_MD5_ERRORS = {"invalid": "An MD5 hash is 32 hexadecimal characters."}


def _pdq_field(**kwargs):
    return serializers.RegexField(
        PDQ_PATTERN,
        help_text="64 hexadecimal characters with exactly 128 bits set (as every real photo has).",
        error_messages={"invalid": "A PDQ hash is 64 hexadecimal characters."},
        **kwargs,
    )


class PdqSerializer(serializers.Serializer):
    hash = _pdq_field()
    quality = serializers.IntegerField(
        min_value=validation.MIN_PDQ_QUALITY,
        max_value=100,
        help_text="PDQ's quality score; hashes under 50 are too unreliable to match.",
        error_messages={"min_value": "PDQ quality under 50 is too unreliable to match."},
    )


def _md5_field():
    return serializers.RegexField(MD5_PATTERN, help_text=_MD5_HELP, error_messages=_MD5_ERRORS)


class ImageItemSerializer(serializers.Serializer):
    """A photo: its MD5, and its PDQ hash when the browser could decode it well enough."""

    media_type = serializers.ChoiceField(choices=[Signal.MediaType.IMAGE])
    photo_md5 = _md5_field()
    pdq = serializers.ListField(
        child=PdqSerializer(),
        required=False,
        max_length=2,
        help_text="One PDQ hash, or two when the photo's EXIF orientation is not 1.",
    )

    def validate_photo_md5(self, value):
        return _checked(validation.check_md5, value)

    def validate_pdq(self, value):
        checked = [
            {**p, "hash": _checked(validation.check_pdq, p["hash"], p["quality"])} for p in value
        ]
        if len({p["hash"] for p in checked}) != len(checked):
            raise serializers.ValidationError("The same PDQ hash is listed twice.")
        return checked


# The page takes videos up to 10 minutes: a frame a second, and room to round.
MAX_VIDEO_FRAMES = 660


class VpdqFrameSerializer(serializers.Serializer):
    """One sampled frame of a video: its number, PDQ hash and quality, and time in seconds."""

    frame = serializers.IntegerField(min_value=0, max_value=10**9)
    hash = _pdq_field()
    quality = serializers.IntegerField(min_value=0, max_value=100)
    timestamp = serializers.FloatField(min_value=0, max_value=10**7)


class VideoItemSerializer(serializers.Serializer):
    """A video: its MD5, and its vPDQ (one PDQ hash per second of video) when the browser could
    decode it."""

    media_type = serializers.ChoiceField(choices=[Signal.MediaType.VIDEO])
    video_md5 = _md5_field()
    vpdq = serializers.ListField(
        child=VpdqFrameSerializer(),
        required=False,
        min_length=1,
        max_length=MAX_VIDEO_FRAMES,
        help_text="Frames sampled once a second; frames under quality 50 are ignored in matching.",
    )

    def validate_video_md5(self, value):
        return _checked(validation.check_md5, value)

    def validate_vpdq(self, frames):
        return _checked(validation.check_vpdq, frames)


_ITEM_KINDS = {"image": ImageItemSerializer, "video": VideoItemSerializer}


class _OneOf(serializers.Field):
    """A JSON object validated by the serializer that its `key` field names (a tagged union)."""

    kinds: dict[str, type[serializers.Serializer]] = {}
    key = ""
    what = ""

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError(f"{self.what} is a JSON object.")
        tag = data.get(self.key)
        kind = self.kinds.get(tag) if isinstance(tag, str) else None
        if kind is None:
            names = " or ".join(f"'{name}'" for name in self.kinds)
            raise serializers.ValidationError({self.key: [f"Use {names}."]})
        value = kind(data=data)
        if not value.is_valid():
            raise serializers.ValidationError(value.errors)
        return value.validated_data

    def to_representation(self, value):
        return value


@extend_schema_field(
    PolymorphicProxySerializer(
        component_name="Item", serializers=_ITEM_KINDS, resource_type_field_name="media_type"
    )
)
class ItemField(_OneOf):
    """One file of a submission, validated by the serializer of its media_type."""

    kinds = _ITEM_KINDS
    key = "media_type"
    what = "An item"


def _checked(check, *args):
    try:
        return check(*args)
    except ValueError as exc:
        raise serializers.ValidationError(str(exc)) from None


class ItemsMixin(serializers.Serializer):
    """The files of a submission: at most 50, no hash twice, none near a known benign image."""

    items = serializers.ListField(child=ItemField(), min_length=1, max_length=MAX_ITEMS_PER_CASE)

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
    if "vpdq" in item:
        found.append(HashInput(position, media, "vpdq", item["vpdq"]))
    return found


class CaseSubmissionSerializer(ItemsMixin):
    category = serializers.ChoiceField(choices=Case.Category.choices)


_CODE_PATTERN = r"^[0-9A-Za-z -]{1,60}$"  # letters and digits; dashes and spaces are ignored


class CaseAccessSerializer(serializers.Serializer):
    """The two secrets that open a case; they travel in POST bodies, never in URLs."""

    case_number = serializers.RegexField(_CODE_PATTERN, max_length=60, trim_whitespace=False)
    access_code = serializers.RegexField(_CODE_PATTERN, max_length=60, trim_whitespace=False)


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
    """An add or a remove; both carry the hash (its value is empty once a withdrawn hash has
    outlived the tombstone retention period: partners match removals by `id`)."""

    hash = FeedHashSerializer(source="signal")

    class Meta:
        model = FeedEvent
        fields = ["seq", "action", "hash"]


class ErrorSerializer(serializers.Serializer):
    """Every error answer: a stable code and a human-readable detail (a message, or per-field)."""

    error = serializers.CharField()
    detail = serializers.JSONField()


class FeedPageSerializer(serializers.Serializer):
    events = FeedEventSerializer(many=True)
    next = serializers.IntegerField(help_text="Pass as `after` to continue.")
    has_more = serializers.BooleanField()


MAX_MATCH_QUERIES = 100


class Md5QuerySerializer(serializers.Serializer):
    signal_type = serializers.ChoiceField(choices=["photo_md5", "video_md5"])
    value = _md5_field()

    def validate_value(self, value):
        return _checked(validation.check_md5, value)


class PdqQuerySerializer(serializers.Serializer):
    """For PDQ, `dihedral` may list the query image's other rotations and flips (as
    pdqhash.compute_dihedral gives them) to find rotated or mirrored copies."""

    signal_type = serializers.ChoiceField(choices=["pdq"])
    value = _pdq_field()
    dihedral = serializers.ListField(child=_pdq_field(), required=False, max_length=7)

    def validate_value(self, value):
        return _checked(validation.check_pdq, value, None)

    def validate_dihedral(self, values):
        return [_checked(validation.check_pdq, value, None) for value in values]


# python-threatexchange's vPDQ signal: a JSON list of "pdq_hex,quality,timestamp" strings.
_FRAME = r'"[0-9a-fA-F]{64},(100|[1-9]?[0-9]),[0-9]{1,7}(\.[0-9]{1,3})?"'
VPDQ_SIGNAL_PATTERN = rf"^\[{_FRAME}(, ?{_FRAME})*\]$"


class VpdqQuerySerializer(serializers.Serializer):
    signal_type = serializers.ChoiceField(choices=["vpdq"])
    value = serializers.RegexField(
        VPDQ_SIGNAL_PATTERN,
        max_length=250_000,
        help_text='A JSON list of "pdq_hex,quality,timestamp" strings, as python-threatexchange writes it.',
    )

    def validate_value(self, value):
        return _checked(validation.check_vpdq_signal, value)


_QUERY_KINDS = {
    "photo_md5": Md5QuerySerializer,
    "video_md5": Md5QuerySerializer,
    "pdq": PdqQuerySerializer,
    "vpdq": VpdqQuerySerializer,
}


@extend_schema_field(
    PolymorphicProxySerializer(
        component_name="MatchQuery",
        serializers=_QUERY_KINDS,
        resource_type_field_name="signal_type",
    )
)
class MatchQueryField(_OneOf):
    """One hash to look up, validated by the serializer of its signal_type."""

    kinds = _QUERY_KINDS
    key = "signal_type"
    what = "A query"


class MatchRequestSerializer(serializers.Serializer):
    hashes = serializers.ListField(
        child=MatchQueryField(), min_length=1, max_length=MAX_MATCH_QUERIES
    )


class MatchedHashSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    signal_type = serializers.ChoiceField(choices=Signal.SignalType.choices)
    media_type = serializers.ChoiceField(choices=Signal.MediaType.choices)
    category = serializers.ChoiceField(choices=Case.Category.choices)
    distance = serializers.IntegerField(
        allow_null=True, help_text="Bits apart for PDQ, 0 for MD5, null for vPDQ."
    )


class MatchResultSerializer(serializers.Serializer):
    query = serializers.IntegerField(help_text="Position of the query in the request.")
    matches = MatchedHashSerializer(many=True)


class MatchResponseSerializer(serializers.Serializer):
    results = MatchResultSerializer(many=True)
