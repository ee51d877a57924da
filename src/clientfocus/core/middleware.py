"""Russian first: the interface speaks Russian unless the user picked English with the switch.

Django's LocaleMiddleware would follow the browser's Accept-Language, and many Russian sales
teams run English-language browsers; the product's users and its method are Russian-speaking,
so only an explicit choice (the language cookie set by the switch) changes the language.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class RussianFirstMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
