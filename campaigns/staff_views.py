"""The staff's referrals page: every referral with its lead, flags, status and reward; those
with the change permission (Marketers, Admins) move them along."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from campaigns.models import Referral
from campaigns.referrals import set_progress
from lifecycle.lib.filters import StrictBooleanFilter

PAGE_SIZE = 50


class ReferralFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Referral.Status.choices)
    reward = django_filters.ChoiceFilter(label=_("Reward"), choices=Referral.Reward.choices)
    # Strict: a bad value is the form's error on the page, never a silently dropped filter.
    needs_review = StrictBooleanFilter(
        label=_("Needs review"),
        widget=forms.Select(choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))]),
    )

    class Meta:
        model = Referral
        fields = ["status", "reward", "needs_review"]


class ProgressForm(forms.ModelForm):
    class Meta:
        model = Referral
        fields = ["status", "reward", "needs_review"]


@login_required
@permission_required("campaigns.view_referral", raise_exception=True)
def referral_list(request: HttpRequest) -> HttpResponse:
    referrals = Referral.objects.select_related("referrer__account", "lead").order_by(
        "-needs_review", "-created_at", "-pk"
    )
    found = ReferralFilter(request.GET, queryset=referrals)
    page = Paginator(found.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": found,
        "page": page,
        "query": query.urlencode(),
        "can_change": request.user.has_perm("campaigns.change_referral"),
        "statuses": Referral.Status.choices,
        "rewards": Referral.Reward.choices,
    }
    return render(request, "campaigns/staff/referral_list.html", context)


@login_required
@permission_required("campaigns.change_referral", raise_exception=True)
@require_POST
def referral_update(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_object_or_404(Referral, pk=pk)
    form = ProgressForm(request.POST, instance=referral)
    if form.is_valid():
        set_progress(referral, **form.cleaned_data)
        messages.success(request, _("Referral updated."))
    else:
        messages.error(
            request, _("Nothing changed: %(errors)s") % {"errors": form.errors.as_text()}
        )
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=False):
        back = ""
    return HttpResponseRedirect(back or "/referrals/", status=303)
