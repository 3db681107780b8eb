"""Staff pages of surveys: the answers, one answer, and the follow-up items they open."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lifecycle.lib import sorting
from lifecycle.lib.spreadsheet import csv_download
from surveys import follow_ups as service
from surveys import response_lists
from surveys.filters import FollowUpFilter
from surveys.models import FollowUp, Response
from surveys.staff_forms import AssignForm, CommentForm

PAGE_SIZE = 50


def _page(request: HttpRequest, queryset: QuerySet) -> dict[str, Any]:
    """One page of `queryset` and the query string that keeps the filters across pages."""
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {"page": page, "query": query.urlencode()}


def _answers() -> QuerySet[Response]:
    return response_lists.answers().order_by("-submitted_at", "-pk")


@login_required
@permission_required("surveys.view_response", raise_exception=True)
def response_list(request: HttpRequest) -> HttpResponse:
    response_filter, ordered = response_lists.response_rows(request.GET)
    context = {
        "filter": response_filter,
        **_page(request, ordered),
        "sort": sorting.headers(
            request.GET,
            response_lists.SORTS,
            largest_first=response_lists.LARGEST_FIRST,
            default=response_lists.DEFAULT_ORDER,
        ),
    }
    return render(request, "surveys/staff/response_list.html", context)


@login_required
@permission_required("surveys.view_response", raise_exception=True)
def response_list_csv(request: HttpRequest) -> HttpResponse:
    """Every filtered answer, in the page's order, for a spreadsheet."""
    _filter, ordered = response_lists.response_rows(request.GET)
    name = f"survey-responses-{timezone.localdate().isoformat()}.csv"
    return csv_download(name, response_lists.CSV_HEADER, response_lists.csv_rows(ordered))


@login_required
@permission_required("surveys.view_response", raise_exception=True)
def response_detail(request: HttpRequest, pk: int) -> HttpResponse:
    response = get_object_or_404(_answers().select_related("invitation__message__campaign"), pk=pk)
    context = {
        "response": response,
        "revisions": response.revisions.all(),
        # A list, as the page shows it: an answer has one item at most.
        "follow_ups": FollowUp.objects.filter(response=response).select_related("assignee"),
    }
    return render(request, "surveys/staff/response_detail.html", context)


def _follow_ups() -> QuerySet[FollowUp]:
    return (
        FollowUp.objects.select_related(
            "account", "assignee", "response__contact", "response__survey"
        )
        .annotate(comment_count=Count("comments"))
        .order_by("-opened_at", "-pk")
    )


@login_required
@permission_required("surveys.view_followup", raise_exception=True)
def follow_up_list(request: HttpRequest) -> HttpResponse:
    follow_up_filter = FollowUpFilter(request.GET, queryset=_follow_ups(), request=request)
    context = {"filter": follow_up_filter, **_page(request, follow_up_filter.qs)}
    return render(request, "surveys/staff/follow_up_list.html", context)


def _detail(
    request: HttpRequest, follow_up: FollowUp, forms: dict[str, Any] | None = None
) -> HttpResponse:
    context = {
        "follow_up": follow_up,
        "response": _answers().filter(follow_up=follow_up).first(),
        "comments": follow_up.comments.select_related("author"),
        "assign_form": AssignForm(initial={"assignee": follow_up.assignee_id}),
        "comment_form": CommentForm(),
        **(forms or {}),
    }
    return render(request, "surveys/staff/follow_up_detail.html", context)


def _assign(request: HttpRequest, follow_up: FollowUp) -> HttpResponse | None:
    form = AssignForm(request.POST)
    if not form.is_valid():
        return _detail(request, follow_up, {"assign_form": form})
    assignee = form.cleaned_data["assignee"]
    service.assign(follow_up, assignee=assignee)
    if assignee is None:
        messages.success(request, _("The item is no longer assigned."))
    else:
        name = assignee.get_full_name() or assignee.get_username()
        messages.success(request, _("Assigned to %(name)s.") % {"name": name})
    return None


def _comment(request: HttpRequest, follow_up: FollowUp) -> HttpResponse | None:
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _detail(request, follow_up, {"comment_form": form})
    service.add_comment(follow_up, author=request.user, body=form.cleaned_data["body"])
    messages.success(request, _("Comment added."))
    return None


def _close(request: HttpRequest, follow_up: FollowUp) -> HttpResponse | None:
    if service.close(follow_up, now=timezone.now()):
        messages.success(request, _("The item is closed."))
    else:
        messages.info(request, _("The item was already closed."))
    return None


def _reopen(request: HttpRequest, follow_up: FollowUp) -> HttpResponse | None:
    if service.reopen(follow_up):
        messages.success(request, _("The item is open again."))
    else:
        messages.info(request, _("The item was already open."))
    return None


ACTIONS: dict[str, Callable[[HttpRequest, FollowUp], HttpResponse | None]] = {
    "assign": _assign,
    "comment": _comment,
    "close": _close,
    "reopen": _reopen,
}


@login_required
@permission_required("surveys.view_followup", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def follow_up_detail(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = get_object_or_404(FollowUp.objects.select_related("account", "assignee"), pk=pk)
    if request.method != "POST":
        return _detail(request, follow_up)
    if not request.user.has_perm("surveys.change_followup"):
        raise PermissionDenied
    action = ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        return HttpResponseBadRequest(_("Unknown action."))
    return action(request, follow_up) or redirect(follow_up)
