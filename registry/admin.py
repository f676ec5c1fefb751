"""Staff's view of the registry: the review queue, disputes, the benign set, cases and the audit.

Every change goes through registry/actions.py, so the audit row and the feed events are written
in the same transaction as the change. No image is ever shown: the registry has none. Partners,
keys and webhooks are in registry/partner_admin.py (administrators only).
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from registry import actions, partner_admin  # noqa: F401 (registers the partner pages)
from registry.admin_base import NoAddOrDelete, ReadOnly, actor
from registry.models import AuditEntry, BenignHash, Case, Dispute, FeedEvent, Signal
from registry.validation import check_pdq


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=1000,
        help_text="Recorded in the audit trail with your name.",
    )


def ask_then(modeladmin, request, queryset, *, title: str, form_class=ReasonForm, apply):
    """An admin action's intermediate page: ask for a reason (or other input), then apply it."""
    form = form_class(request.POST if "apply" in request.POST else None)
    if "apply" in request.POST and form.is_valid():
        return apply(form.cleaned_data)
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "queryset": queryset,
        "action": request.POST["action"],
        "opts": modeladmin.model._meta,
        "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
    }
    return TemplateResponse(request, "admin/registry/ask.html", context)


def _moderation_action(decision: str, description: str):
    @admin.action(description=description, permissions=["change"])
    def action(modeladmin, request, queryset):
        def apply(data):
            ids = list(queryset.values_list("pk", flat=True))
            changed = actions.moderate(ids, decision, actor(request), data["reason"])
            skipped = len(ids) - changed
            note = f" ({skipped} were in a state this does not apply to)" if skipped else ""
            modeladmin.message_user(request, f"{decision.title()}: {changed} hash(es){note}.")

        return ask_then(modeladmin, request, queryset, title=description, apply=apply)

    action.__name__ = decision
    return action


class QualityFilter(admin.SimpleListFilter):
    title = "PDQ quality"
    parameter_name = "quality"

    def lookups(self, request, model_admin):
        return [("low", "under 70"), ("high", "70 and over")]

    def queryset(self, request, queryset):
        if self.value() == "low":
            return queryset.filter(quality__lt=70)
        if self.value() == "high":
            return queryset.filter(quality__gte=70)
        return queryset


class SignalInline(admin.TabularInline):
    model = Signal
    fields = ["item", "media_type", "signal_type", "value", "quality", "status", "created_on"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(NoAddOrDelete):
    list_display = ["number", "category", "status", "hash_count", "created_on"]
    list_filter = ["status", "category", "created_on"]
    search_fields = ["number"]
    fields = ["number", "category", "status", "created_on", "withdrawn_on"]
    readonly_fields = fields
    inlines = [SignalInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(hash_count=Count("signals"))

    @admin.display(description="hashes", ordering="hash_count")
    def hash_count(self, case):
        return case.hash_count


class _SignalReview(NoAddOrDelete):
    """What the review queue and the dispute list share: read-only rows, decisions as actions."""

    list_display = [
        "id", "case_link", "category", "signal_type", "short_value", "quality", "status",
        "not_violating", "removed", "created_on",
    ]  # fmt: skip
    list_select_related = ["case"]
    search_fields = ["=value", "=case__number"]
    date_hierarchy = "created_on"
    fields = [
        "case", "item", "media_type", "signal_type", "value", "quality", "status",
        "created_on", "withdrawn_on", "reviewed_at",
    ]  # fmt: skip
    readonly_fields = fields
    list_per_page = 100

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_not_violating=Count("verdicts", filter=Q(verdicts__verdict="not_violating")),
                n_removed=Count("verdicts", filter=Q(verdicts__verdict="removed")),
            )
        )

    @admin.display(description="case", ordering="case__number")
    def case_link(self, signal):
        url = reverse("admin:registry_case_change", args=[signal.case_id])
        return format_html('<a href="{}">{}</a>', url, signal.case.number)

    @admin.display(description="category", ordering="case__category")
    def category(self, signal):
        return signal.case.category

    @admin.display(description="value")
    def short_value(self, signal):
        return signal.value[:20] + ("…" if len(signal.value) > 20 else "")

    @admin.display(description="not violating", ordering="n_not_violating")
    def not_violating(self, signal):
        return signal.n_not_violating

    @admin.display(description="removed", ordering="n_removed")
    def removed(self, signal):
        return signal.n_removed


@admin.register(Signal)
class SignalAdmin(_SignalReview):
    """The review queue: filter by status (held for review first), category, type, quality, age."""

    list_filter = ["status", "case__category", "signal_type", QualityFilter, "created_on"]
    actions = [
        _moderation_action("approve", "Approve: publish to partners"),
        _moderation_action("reject", "Reject: keep out of the feed"),
        _moderation_action("quarantine", "Quarantine: take out of the feed for review"),
        _moderation_action("restore", "Restore: publish again"),
    ]


@admin.register(Dispute)
class DisputeAdmin(_SignalReview):
    """Hashes that partners reported as not violating, with their verdicts."""

    list_filter = ["status", "case__category", "signal_type"]
    actions = [
        _moderation_action("restore", "Restore: the hash is right, publish it again"),
        _moderation_action("reject", "Remove: the hash is wrong, keep it out of the feed"),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(verdicts__verdict="not_violating")
            .exclude(status__in=[Signal.Status.WITHDRAWN])
            .distinct()
        )


class BenignHashForm(forms.ModelForm):
    class Meta:
        model = BenignHash
        fields = ["value", "note"]
        help_texts = {
            "value": "The PDQ hash of a known benign image (paste it, or compute it with "
            "`python -m hashing_wasm hash FILE`).",
        }

    def clean_value(self):
        try:
            return check_pdq(self.cleaned_data["value"], None)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


@admin.register(BenignHash)
class BenignHashAdmin(admin.ModelAdmin):
    """Known benign images: submissions near them are refused; existing near ones are listed."""

    form = BenignHashForm
    list_display = ["value", "note", "added_at"]
    search_fields = ["=value", "note"]

    def save_model(self, request, obj, form, change):
        benign, near = actions.add_benign_hash(obj.value, obj.note, actor(request))
        obj.pk = benign.pk
        obj._state.adding = False
        if near:
            url = (
                reverse("admin:registry_signal_changelist") + "?id__in=" + ",".join(map(str, near))
            )
            self.message_user(
                request,
                format_html(
                    '{} active hash(es) lie near this image: <a href="{}">review them</a>.',
                    len(near),
                    url,
                ),
                messages.WARNING,
            )

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(FeedEvent)
class FeedEventAdmin(ReadOnly):
    list_display = ["seq", "action", "signal", "created_at"]
    list_filter = ["action"]
    list_select_related = ["signal"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnly):
    """Who did what, when, to which objects and why. Nobody can edit or delete it here."""

    list_display = ["at", "actor", "action", "object_type", "object_ids", "reason"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor", "reason"]
    date_hierarchy = "at"
