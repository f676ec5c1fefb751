"""Partners, their API keys and webhooks, for administrators (moderators cannot open these).

A new or rotated key and a new webhook secret are shown on the page that created them and
nowhere else: not in a message, not in the database, not in the audit trail.
"""

from django import forms
from django.contrib import admin
from django.template.response import TemplateResponse

from registry import actions, webhook_actions
from registry.admin_base import ReadOnly, actor
from registry.models import DeliveryAttempt, Partner, WebhookEndpoint


class PartnerForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=Partner.Scope.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    webhook_url = forms.URLField(
        required=False,
        max_length=500,
        help_text="Where signed batches are pushed (https). Leave empty for pull-only partners.",
    )

    class Meta:
        model = Partner
        fields = ["name", "scopes", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        endpoint = getattr(self.instance, "webhook", None) if self.instance.pk else None
        if endpoint is not None:
            self.fields["webhook_url"].initial = endpoint.url

    def clean_webhook_url(self):
        url = self.cleaned_data["webhook_url"]
        if url:
            try:
                webhook_actions.check_url(url)
            except actions.ActionRefused as exc:
                raise forms.ValidationError(str(exc)) from None
        return url


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    form = PartnerForm
    list_display = [
        "name", "key_prefix", "scopes", "is_active", "feed_position", "webhook_health", "created_at",
    ]  # fmt: skip
    list_select_related = ["webhook"]
    readonly_fields = ["key_prefix", "feed_position", "webhook_health", "created_at"]
    actions = ["rotate_key", "rotate_webhook_secret"]

    def get_fields(self, request, obj=None):
        editable = ["name", "scopes", "is_active", "webhook_url"]
        return editable if obj is None else [*editable, *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "name"] if obj else self.readonly_fields

    @admin.display(description="webhook")
    def webhook_health(self, partner):
        endpoint = getattr(partner, "webhook", None)
        if endpoint is None:
            return "none"
        if endpoint.disabled_at:
            return f"disabled: {endpoint.disabled_reason}"
        if endpoint.failures:
            return f"failing ({endpoint.failures} attempts)"
        return "healthy"

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            actions.update_partner(
                obj, scopes=data["scopes"], is_active=data["is_active"], actor=actor(request)
            )
            partner, key = obj, None
        else:
            partner, key = actions.create_partner(data["name"], data["scopes"], actor(request))
            obj.pk = partner.pk
            obj._state.adding = False
        request._new_secrets = {"key": key, "webhook": None}
        endpoint = getattr(partner, "webhook", None) if change else None
        url = data.get("webhook_url")
        if url and (endpoint is None or endpoint.url != url):
            _, secret = webhook_actions.set_webhook(partner, url, actor=actor(request))
            if endpoint is None:  # a new endpoint's secret; a new URL keeps the secret it had
                request._new_secrets["webhook"] = secret

    def _answer_with_secrets(self, request, obj, default):
        fresh = getattr(request, "_new_secrets", {})
        if fresh.get("key") or fresh.get("webhook"):
            shown = [("API key", fresh["key"]), ("Webhook signing secret", fresh["webhook"])]
            context = {
                **self.admin_site.each_context(request),
                "title": f"{obj.name}: store these now",
                "partner": obj,
                "secrets": [(label, value) for label, value in shown if value],
                "opts": Partner._meta,
            }
            response = TemplateResponse(request, "admin/registry/secret_once.html", context)
            response["Cache-Control"] = "no-store"
            return response
        return default

    def response_add(self, request, obj, post_url_continue=None):
        return self._answer_with_secrets(request, obj, super().response_add(request, obj))

    def response_change(self, request, obj):
        return self._answer_with_secrets(request, obj, super().response_change(request, obj))

    @admin.action(description="Rotate the API key (the old one stops working at once)")
    def rotate_key(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Rotate one partner's key at a time.", level="error")
            return None
        partner = queryset.get()
        key = actions.rotate_partner_key(partner, actor(request))
        request._new_secrets = {"key": key, "webhook": None}
        return self._answer_with_secrets(request, partner, None)

    @admin.action(description="Rotate the webhook signing secret (both sign for 24 hours)")
    def rotate_webhook_secret(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Rotate one partner's secret at a time.", level="error")
            return None
        partner = queryset.get()
        endpoint = getattr(partner, "webhook", None)
        if endpoint is None:
            self.message_user(request, f"{partner.name} has no webhook.", level="error")
            return None
        secret = webhook_actions.rotate_webhook_secret(endpoint, actor=actor(request))
        request._new_secrets = {"key": None, "webhook": secret}
        return self._answer_with_secrets(request, partner, None)

    def has_delete_permission(self, request, obj=None):
        return False  # switch a partner off instead: its verdicts and audit stay meaningful


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = ["attempted_at", "webhook_id", "status_code", "error", "duration_ms", "is_test"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    max_num = 0


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnly):
    """Read-only: endpoints change through registry/webhook_actions.py. The secret is never shown."""

    list_display = ["partner", "url", "delivered_seq", "failures", "next_attempt_at", "disabled_at"]
    list_filter = ["disabled_at"]
    list_select_related = ["partner"]
    fields = [
        "partner", "url", "delivered_seq", "batch_last_seq", "failures", "failing_since",
        "next_attempt_at", "disabled_at", "disabled_reason", "lease_until", "created_at",
    ]  # fmt: skip
    readonly_fields = fields
    actions = ["enable", "disable"]

    @admin.action(description="Enable: deliver again from where each partner stopped")
    def enable(self, request, queryset):
        for endpoint in queryset:
            webhook_actions.enable_webhook(endpoint, actor=actor(request))

    @admin.action(description="Disable delivery")
    def disable(self, request, queryset):
        for endpoint in queryset:
            webhook_actions.disable_webhook(endpoint, "Disabled by staff.", actor=actor(request))


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(ReadOnly):
    list_display = ["attempted_at", "endpoint", "webhook_id", "status_code", "error", "duration_ms"]
    list_filter = ["error", "is_test"]
    list_select_related = ["endpoint__partner"]
