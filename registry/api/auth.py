"""Partner authentication: `Authorization: Bearer <key>`, the key checked against its stored hash."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from registry import keys
from registry.models import Partner


class PartnerKeyAuthentication(authentication.BaseAuthentication):
    """Find the partner by the key's visible prefix, then compare the key's hash."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _, key = header.partition(" ")
        key = key.strip()
        if scheme != self.keyword or not key.startswith(keys.PARTNER_KEY_PREFIX):
            raise exceptions.AuthenticationFailed("Use 'Authorization: Bearer <API key>'.")
        prefix = key[: len(keys.PARTNER_KEY_PREFIX) + 8]
        partner = Partner.objects.filter(key_prefix=prefix, is_active=True).first()
        if partner is None or not keys.matches(key, partner.key_hash):
            raise exceptions.AuthenticationFailed("Unknown or disabled API key.")
        return partner, key

    def authenticate_header(self, request):
        return self.keyword


class HasScope(permissions.BasePermission):
    """The authenticated partner's key carries the view's `required_scope`."""

    message = "This API key does not have the scope this endpoint needs."

    def has_permission(self, request, view):
        partner = request.user
        if not isinstance(partner, Partner):
            raise exceptions.NotAuthenticated("An API key is required.")
        return partner.has_scope(view.required_scope)


class PartnerKeyScheme(OpenApiAuthenticationExtension):
    """Describes partner keys in the OpenAPI schema as bearer tokens."""

    target_class = PartnerKeyAuthentication
    name = "partnerKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A partner API key (tdk_...)."}
