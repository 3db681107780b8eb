from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    raise Http404


def preferences(request: HttpRequest, token: str) -> HttpResponse:
    raise Http404
