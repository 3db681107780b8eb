from __future__ import annotations

import re
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

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
def outbox_detail(request: HttpRequest, pk: int) -> HttpResponse:
    email = get_object_or_404(OutboxEmail, pk=pk)
    # Its links open in a new tab, as a mail client's do, not inside the preview frame; a
    # campaign's open pixel is left out (staff reading it is not the customer opening it).
    html = TRACKING_PIXEL.sub("", email.body_html)
    preview = f'<base target="_blank">{html}' if html else ""
    return render(request, "outbox/outbox_detail.html", {"email": email, "preview": preview})
