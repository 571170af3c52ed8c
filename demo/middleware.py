"""``?lang=da`` switches the demo's language and remembers it in Django's language cookie."""
from django.conf import settings
from django.utils import translation


class LanguageFromQueryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        requested = (request.GET.get("lang") or "").strip().lower().replace("_", "-")
        if requested and requested not in self.supported:
            requested = requested.split("-")[0]      # "da-DK", "DA" -> "da"
        if requested in self.supported:
            translation.activate(requested)
            request.LANGUAGE_CODE = requested
        response = self.get_response(request)
        if requested in self.supported:
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, requested, samesite="Lax")
        return response
