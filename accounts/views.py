from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods

from accounts.extensions import columns_for, panels_for
from accounts.forms import AccountForm, ContactForm, ImportForm, SubscriptionForm
from accounts.importer import HISTORY_KINDS, import_crm, kinds
from accounts.models import Account, Contact, Subscription
from accounts.selectors import CSV_HEADER, LARGEST_FIRST, SORTS, account_rows, csv_rows
from lifecycle.lib import sorting
from lifecycle.lib.dates import month_ends
from lifecycle.lib.display import month_label
from lifecycle.lib.spreadsheet import csv_download

PAGE_SIZE = 50
CRM_LABELS = {
    "accounts": _lazy("Accounts"),
    "contacts": _lazy("Contacts"),
    "subscriptions": _lazy("Subscriptions"),
}
HISTORY_MONTHS = 24


def _posted(request: HttpRequest, files: bool = False) -> tuple:
    """Form data for a POST (even an empty one, which must show errors), none for a GET."""
    if request.method != "POST":
        return ()
    return (request.POST, request.FILES) if files else (request.POST,)


@login_required
@permission_required("accounts.view_account", raise_exception=True)
def account_list(request: HttpRequest) -> HttpResponse:
    columns = columns_for(request.user)
    found = account_rows(request.GET, timezone.localdate(), columns)
    page = Paginator(found.ordered, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/account_list.html",
        {
            "filter": found,
            "page": page,
            "query": query.urlencode(),
            "columns": columns,
            "sort": sorting.headers(
                request.GET, SORTS, largest_first=LARGEST_FIRST, default="name"
            ),
        },
    )


@login_required
@permission_required("accounts.view_account", raise_exception=True)
def account_list_csv(request: HttpRequest) -> HttpResponse:
    """The whole filtered list, in the page's order, for a spreadsheet."""
    today = timezone.localdate()
    found = account_rows(request.GET, today, [])
    return csv_download(f"accounts-{today.isoformat()}.csv", CSV_HEADER, csv_rows(found.ordered))


@login_required
@permission_required("accounts.view_account", raise_exception=True)
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    today = timezone.localdate()
    account = get_object_or_404(
        Account.objects.with_status(today).with_employee_band().select_related("owner"), pk=pk
    )
    days = month_ends(today, HISTORY_MONTHS)
    history = account.mrr_history(days)
    chart = {
        "labels": [month_label(day) for day in days],
        "mrr": [str(value) for value in history],
    }
    return render(
        request,
        "accounts/account_detail.html",
        {
            "account": account,
            "contacts": account.contacts.all(),
            "subscriptions": account.subscriptions.all(),
            "chart": chart,
            "history": list(zip(chart["labels"], history, strict=True)),
            "today": today,
            "panels": panels_for(request.user, account, today),
        },
    )


@login_required
@permission_required("accounts.add_account", raise_exception=True)
@require_http_methods(["GET", "POST"])
def account_create(request: HttpRequest) -> HttpResponse:
    form = AccountForm(*_posted(request))
    if form.is_valid():
        account = form.save()
        messages.success(request, _("Account created."))
        return redirect(account)
    return render(request, "accounts/form.html", {"form": form, "title": _("New account")})


@login_required
@permission_required("accounts.change_account", raise_exception=True)
@require_http_methods(["GET", "POST"])
def account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(Account, pk=pk)
    form = AccountForm(*_posted(request), instance=account)
    if form.is_valid():
        form.save()
        messages.success(request, _("Account saved."))
        return redirect(account)
    return render(
        request,
        "accounts/form.html",
        {"form": form, "title": _("Edit %(name)s") % {"name": account.name}, "account": account},
    )


def _edit_child(
    request: HttpRequest, account: Account, form_class: type, instance: object, title: str
) -> HttpResponse:
    form = form_class(*_posted(request), instance=instance)
    if form.is_valid():
        child = form.save(commit=False)
        child.account = account
        child.save()
        messages.success(request, _("Saved."))
        return redirect(account)
    return render(request, "accounts/form.html", {"form": form, "title": title, "account": account})


def _require(request: HttpRequest, model: str, editing: bool) -> None:
    """Adding needs the add permission, editing the change permission."""
    if not request.user.has_perm(f"accounts.{'change' if editing else 'add'}_{model}"):
        raise PermissionDenied


def _account_and_child(request: HttpRequest, pk: int, model: type, child_pk: int | None) -> tuple:
    """The account and its contact or subscription to edit (a new one without `child_pk`),
    once the user may do that."""
    _require(request, model._meta.model_name, editing=child_pk is not None)
    account = get_object_or_404(Account, pk=pk)
    if child_pk is None:
        return account, model(account=account)
    return account, get_object_or_404(model, pk=child_pk, account=account)


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, pk: int, contact_pk: int | None = None) -> HttpResponse:
    account, contact = _account_and_child(request, pk, Contact, contact_pk)
    title = _("Edit contact") if contact_pk else _("New contact")
    return _edit_child(request, account, ContactForm, contact, title)


@login_required
@require_http_methods(["GET", "POST"])
def subscription_edit(
    request: HttpRequest, pk: int, subscription_pk: int | None = None
) -> HttpResponse:
    account, subscription = _account_and_child(request, pk, Subscription, subscription_pk)
    title = _("Edit subscription") if subscription_pk else _("New subscription")
    return _edit_child(request, account, SubscriptionForm, subscription, title)


@login_required
@permission_required("staff.import_data", raise_exception=True)
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    form = ImportForm(*_posted(request, files=True))
    result = None
    if form.is_valid():
        sources = {
            kind: (upload.name, upload.file)
            for kind in kinds()
            if (upload := form.cleaned_data.get(kind))
        }
        result = import_crm(sources=sources, dry_run=form.cleaned_data["dry_run"])
    labels = CRM_LABELS | {kind: history.label for kind, history in HISTORY_KINDS.items()}
    summary = [
        (labels[kind], count, result.updated.get(kind, 0))
        for kind, count in (result.created.items() if result else [])
    ]
    return render(
        request, "accounts/import.html", {"form": form, "result": result, "summary": summary}
    )
