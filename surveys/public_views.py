"""The pages a customer reaches from a survey email, without signing in.

A GET never records anything: mail security scanners fetch every score link of an email. The
landing page's script POSTs the clicked score at once; without JavaScript its button does.
The link is a capability (a signed invitation id), so any input here may be hostile.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from lifecycle.lib import links
from lifecycle.lib.emails import language_for
from lifecycle.lib.ratelimit import rate_limit
from surveys import scoring, services
from surveys.forms import AnswerForm
from surveys.models import Invitation, Response, SurveyText

# Per client IP and minute: a scanner fetches eleven links, a person answers a few times.
PER_MINUTE = 120


@rate_limit("survey", per_minute=PER_MINUTE)
@require_safe
@never_cache
def answer(request: HttpRequest, token: str, score: int) -> HttpResponse:
    """The landing page of one score link: the score preselected, nothing stored."""
    return _answer_page(request, token, score=score)


@rate_limit("survey", per_minute=PER_MINUTE)
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def answer_form(request: HttpRequest, token: str) -> HttpResponse:
    """GET: the form (with the thank-you text once answered). POST: record the answer."""
    return _answer_page(request, token, score=None)


def find_invitation(token: str) -> Invitation | None:
    public_id = links.unsign(links.SURVEY_ANSWER, token)
    if public_id is None:
        return None
    invitations = Invitation.objects.select_related("survey").prefetch_related("survey__texts")
    # An erased person's invitation (no contact) is not theirs to answer any more.
    return invitations.filter(public_id=public_id, contact__isnull=False).first()


def wants_json(request: HttpRequest) -> bool:
    # Not request.accepts(): a browser's "*/*" would accept JSON for a plain form POST too.
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def _answer_page(request: HttpRequest, token: str, *, score: int | None) -> HttpResponse:
    invitation = find_invitation(token)
    if invitation is None:
        return link_problem(request, status=404)
    language = language_for(invitation.language)
    with translation.override(language):
        if invitation.expires_at <= timezone.now():
            page = link_problem(request, status=410, invitation=invitation)
        elif request.method == "POST":
            page = _submit(request, invitation, token)
        else:
            page = _landing(request, invitation, token, score=score)
    page.headers["Content-Language"] = language
    return page


def _landing(
    request: HttpRequest, invitation: Invitation, token: str, *, score: int | None
) -> HttpResponse:
    kind = invitation.survey.kind
    current = Response.objects.filter(invitation=invitation).first()
    clicked = score if score is not None and scoring.in_scale(kind, score) else None
    selected = clicked if clicked is not None else (current.score if current else None)
    initial: dict[str, Any] = {"comment": current.comment if current else ""}
    form = AnswerForm(initial=initial, kind=kind)
    return _render(
        request,
        invitation,
        token,
        form=form,
        selected=selected,
        autosave=clicked is not None,
        thanks=score is None and current is not None,
    )


def _submit(request: HttpRequest, invitation: Invitation, token: str) -> HttpResponse:
    form = AnswerForm(request.POST, kind=invitation.survey.kind)
    if not form.is_valid():
        if wants_json(request):
            return JsonResponse({"saved": False, "errors": form.errors.get_json_data()}, status=400)
        selected = _posted_score(form, invitation.survey.kind)
        return _render(request, invitation, token, form=form, selected=selected, status=400)
    # The script sends the score alone: a form without a comment keeps the one stored.
    comment = form.cleaned_data["comment"] if "comment" in request.POST else None
    response = services.record_answer(
        invitation, score=form.cleaned_data["score"], comment=comment, now=timezone.now()
    )
    if wants_json(request):
        return JsonResponse({"saved": True, "score": response.score})
    # 303: the browser GETs the thank-you page, so a reload does not post again.
    return HttpResponseRedirect(reverse("surveys:answer-form", args=[token]), status=303)


def _posted_score(form: AnswerForm, kind: str) -> int | None:
    try:
        score = int(form["score"].value())
    except (TypeError, ValueError):
        return None
    return score if scoring.in_scale(kind, score) else None


def _render(
    request: HttpRequest,
    invitation: Invitation,
    token: str,
    *,
    form: AnswerForm,
    selected: int | None,
    autosave: bool = False,
    thanks: bool = False,
    status: int = 200,
) -> HttpResponse:
    survey = invitation.survey
    text = survey.text_for(translation.get_language())
    context = {
        "survey": survey,
        "text": text,
        "form": form,
        "scale": _scale(survey.kind, text),
        "selected": selected,
        "follow_up": _follow_up(survey.kind, text, selected),
        "anchors": _anchors(survey.kind),
        "action": reverse("surveys:answer-form", args=[token]),
        "autosave": autosave,
        "thank_you": (text.thank_you or _("Thank you for your answer!")) if thanks else "",
    }
    return render(request, "surveys/public/answer.html", context, status=status)


def _scale(kind: str, text: SurveyText) -> list[dict[str, Any]]:
    """Each score with the follow-up question of its band (the script swaps the label)."""
    return [
        {"score": score, "follow_up": _follow_up(kind, text, score)}
        for score in scoring.scale(kind)
    ]


def _follow_up(kind: str, text: SurveyText, score: int | None) -> str:
    if score is None:
        wording = text.follow_up_question
    else:
        wording = text.follow_up_for(scoring.band(kind, score))
    return wording or _("Anything you would like to add?")


def _anchors(kind: str) -> tuple[str, str]:
    """The words under both ends of the scale."""
    if kind == scoring.SurveyKind.NPS:
        return _("Not at all likely"), _("Extremely likely")
    if kind == scoring.SurveyKind.CES:
        return _("Very difficult"), _("Very easy")
    return _("Very dissatisfied"), _("Very satisfied")


def link_problem(
    request: HttpRequest, *, status: int, invitation: Invitation | None = None
) -> HttpResponse:
    """404 for a link we cannot read, 410 for a survey that has closed."""
    if wants_json(request):
        error = "expired" if status == 410 else "not_found"
        return JsonResponse({"saved": False, "error": error}, status=status)
    context = {"expired": status == 410, "invitation": invitation}
    return render(request, "surveys/public/link_problem.html", context, status=status)
