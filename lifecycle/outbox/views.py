from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from lifecycle.lib.headers import email_preview_policy
from lifecycle.lib.signed_paths import mask_signed_paths
from lifecycle.outbox.models import OutboxEmail

PAGE_SIZE = 50
TRACKING_PIXEL = re.compile(r'<img src="[^"]*/t/o/[^"]*"[^>]*>')


@login_required
@permission_required("outbox.view_outboxemail", raise_exception=True)
def outbox_list(request: HttpRequest) -> HttpResponse:
    emails = OutboxEmail.objects.defer("raw", "body_html", "body_text", "headers")
    search = request.GET.get("q", "").strip()
    if search:
        emails = emails.filter(Q(to__icontains=search) | Q(subject__icontains=search))
    page = Paginator(emails, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({"q": search}) if search else ""
    return render(request, "outbox/outbox_list.html", {"page": page, "q": search, "query": query})


@login_required
@permission_required("outbox.view_outboxemail", raise_exception=True)
@email_preview_policy
def outbox_detail(request: HttpRequest, pk: int) -> HttpResponse:
    email = get_object_or_404(OutboxEmail, pk=pk)
    # Its links open in a new tab, as a mail client's do, not inside the preview frame; a
    # campaign's open pixel is left out (staff reading it is not the customer opening it).
    html = TRACKING_PIXEL.sub("", email.body_html)
    context = {"email": email, "text": email.body_text, "masked": False}
    if not may_see_signed_links(request.user):
        html = mask_signed_paths(html)
        context |= {
            "text": mask_signed_paths(email.body_text),
            # The raw MIME source may wrap a link across quoted-printable lines: headers only.
            "headers": [(name, mask_signed_paths(value)) for name, value in email.headers.items()],
            "masked": True,
        }
    context["preview"] = f'<base target="_blank">{html}' if html else ""
    return render(request, "outbox/outbox_detail.html", context)


def may_see_signed_links(user: Any) -> bool:
    """Whether the outbox shows customers' signed links as sent. Whoever follows one answers
    surveys or unsubscribes as the customer, so only Admins see them. The Admin role is the
    one that may enter Django admin (lifecycle.staff.roles.assign_role); this layer sits below
    the roles module, so it reads that as is_staff."""
    return bool(user.is_active and (user.is_superuser or user.is_staff))
