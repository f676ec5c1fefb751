"""Response headers that differ by part of the site."""


class StaffReferrerPolicyMiddleware:
    """The admin's pages say `Referrer-Policy: same-origin` instead of the site's `no-referrer`.

    Under `no-referrer`, Chromium sends `Origin: null` with a form's POST, and Django's CSRF
    check rightly refuses that, so no staff form could be sent. `same-origin` still sends nothing
    to other sites. The public pages keep `no-referrer`: what a visitor reads there is nobody's
    business, and their few forms are sent by script (same-origin fetch carries the real Origin).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/admin/"):
            response["Referrer-Policy"] = "same-origin"
        return response
