from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def response_list(request: HttpRequest) -> HttpResponse:
    raise Http404


def response_detail(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404


def follow_up_list(request: HttpRequest) -> HttpResponse:
    raise Http404


def follow_up_detail(request: HttpRequest, pk: int) -> HttpResponse:
    raise Http404
