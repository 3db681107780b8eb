from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def answer_form(request: HttpRequest, token: str) -> HttpResponse:
    raise Http404


def answer(request: HttpRequest, token: str, score: int) -> HttpResponse:
    raise Http404
