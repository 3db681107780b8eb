"""Open and click tracking: links rewritten through signed per-link tokens when an email is
built, and each hit recorded, people's apart from machines' (campaigns.machines).

The click endpoint redirects to the TrackedLink's stored URL only: a token names a link of
one message, and nothing in the request can change where it leads (no open redirect).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html as html_lib
import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.urls import reverse

from campaigns import machines
from campaigns.models import Engagement, Message, TrackedLink
from lifecycle.lib import links

# The href="…" (or '…') attribute of an <a> tag: the only links an email's reader clicks.
# Quoted values of other attributes are skipped whole, so neither data-href="…" nor an
# "href=" inside a title is taken for it.
ANCHOR_HREF = re.compile(
    r"""(<a\b(?:[^>"']|"[^"]*"|'[^']*')*?\shref\s*=\s*)(["'])(.*?)\2""",
    re.IGNORECASE | re.DOTALL,
)
TEXT_URL = re.compile(r"https?://[^\s<>\"']+")
PIXEL = (
    '<img src="{src}" width="1" height="1" alt="" '
    'style="display:block;width:1px;height:1px;border:0;">'
)
MAX_LINKS = 100
URL_VALIDATOR = URLValidator(schemes=["http", "https"])


def open_url(message: Message) -> str:
    return links.absolute(
        reverse("campaigns:open", args=[links.sign(links.OPEN, message.public_id)])
    )


def click_url(link: TrackedLink) -> str:
    return links.absolute(
        reverse("campaigns:click", args=[links.sign(links.CLICK, link.public_id)])
    )


def track(message: Message, html: str, text: str, *, trackable: set[str]) -> tuple[str, str]:
    """The email's HTML and text with its `trackable` links passing through the click
    endpoint, and the HTML with an open pixel.

    `trackable` holds the links the campaign's own content writes (`urls_in` of its render
    with sample values): a URL that only a contact's own data brings into the email (a
    first name "https://…") is left as it is, never made a redirect through our domain."""
    urls = [url for url in urls_in(html, text) if url in trackable]
    tracked = {link.url: click_url(link) for link in _links(message, urls)}

    def in_html(match: re.Match) -> str:
        url = html_lib.unescape(match.group(3)).strip()
        if url not in tracked:
            return match.group(0)
        return f"{match.group(1)}{match.group(2)}{html_lib.escape(tracked[url])}{match.group(2)}"

    def in_text(match: re.Match) -> str:
        url = _trim(match.group(0))
        return tracked.get(url, url) + match.group(0)[len(url) :]

    html = ANCHOR_HREF.sub(in_html, html)
    text = TEXT_URL.sub(in_text, text)
    pixel = PIXEL.format(src=html_lib.escape(open_url(message)))
    end = html.lower().rfind("</body>")  # the document's own, not one inside the content
    html = f"{html[:end]}{pixel}\n{html[end:]}" if end >= 0 else html + pixel
    return html, text


def _trim(url: str) -> str:
    """A sentence's punctuation after a URL in plain text is not part of it; a closing
    parenthesis is, when the URL opened one (…/Mercury_(planet))."""
    while url and url[-1] in ".,;:!?]":
        url = url[:-1]
    while url.endswith(")") and url.count(")") > url.count("("):
        url = url[:-1]
    return url


def urls_in(html: str, text: str) -> list[str]:
    """The web links of an email's two parts, in order, each once: those a redirect may
    lead to (valid http(s) URLs, not already one of our tracking links)."""
    found = [html_lib.unescape(match.group(3)).strip() for match in ANCHOR_HREF.finditer(html)]
    found += [_trim(match.group(0)) for match in TEXT_URL.finditer(text)]
    ours = links.absolute("/t/")
    urls: list[str] = []
    for url in found:
        if url not in urls and not url.startswith(ours) and _redirectable(url):
            urls.append(url)
    return urls[:MAX_LINKS]


def _redirectable(url: str) -> bool:
    if len(url) > 2000 or not url.isprintable() or " " in url:
        return False
    try:
        URL_VALIDATOR(url)
    except ValidationError:
        return False
    return True


def _links(message: Message, urls: list[str]) -> list[TrackedLink]:
    """The message's tracked links for `urls`, created the first time it is built (a retry
    builds it again and finds them)."""
    existing = {link.url: link for link in message.links.all()}
    new = [url for url in urls if url not in existing]
    if new:
        start = max((link.position for link in existing.values()), default=-1) + 1
        rows = [
            TrackedLink(message=message, position=start + index, url=url)
            for index, url in enumerate(new)
        ]
        # Built twice at once: the other build's rows stand.
        with contextlib.suppress(IntegrityError), transaction.atomic():
            TrackedLink.objects.bulk_create(rows)
        existing = {link.url: link for link in message.links.all()}
    return [existing[url] for url in urls if url in existing]


def find_message(token: str) -> Message | None:
    public_id = links.unsign(links.OPEN, token)
    if public_id is None:
        return None
    return Message.objects.filter(public_id=public_id, contact__isnull=False).first()


def find_link(token: str) -> TrackedLink | None:
    public_id = links.unsign(links.CLICK, token)
    if public_id is None:
        return None
    # An erased person's email leads nowhere (its links also got new ids at the erasure).
    links_of_people = TrackedLink.objects.filter(message__erased_contact_account__isnull=True)
    return links_of_people.select_related("message").filter(public_id=public_id).first()


def record_open(message: Message, *, at: dt.datetime, method: str, user_agent: str) -> Engagement:
    reason = machines.machine_reason(
        kind=Engagement.Kind.OPEN,
        method=method,
        user_agent=user_agent,
        sent_at=message.sent_at,
        at=at,
    )
    return Engagement.objects.create(
        message=message,
        kind=Engagement.Kind.OPEN,
        occurred_at=at,
        machine=bool(reason),
        machine_reason=reason,
        user_agent=printable(user_agent),
    )


def printable(header: str) -> str:
    """A header value fit to store: control characters (NUL...) dropped, 300 at most."""
    return "".join(ch for ch in header if ch.isprintable())[:300]


def record_click(link: TrackedLink, *, at: dt.datetime, method: str, user_agent: str) -> Engagement:
    message = link.message
    reason = machines.machine_reason(
        kind=Engagement.Kind.CLICK,
        method=method,
        user_agent=user_agent,
        sent_at=message.sent_at,
        at=at,
    )
    click = Engagement.objects.create(
        message=message,
        link=link,
        kind=Engagement.Kind.CLICK,
        occurred_at=at,
        machine=bool(reason),
        machine_reason=reason,
        user_agent=printable(user_agent),
    )
    if not reason:
        _unmask_link_walkers(message, at=at)
    return click


def _unmask_link_walkers(message: Message, *, at: dt.datetime) -> None:
    """A scanner that clicks every link of the email within a minute is no person: its
    clicks of that minute are marked as a machine's, this one included."""
    window = message.engagements.filter(
        kind=Engagement.Kind.CLICK,
        occurred_at__gte=at - dt.timedelta(seconds=machines.EVERY_LINK_SECONDS),
        occurred_at__lte=at,
        machine=False,
    )
    clicked = set(window.values_list("link__position", flat=True))
    if machines.walks_every_link(clicked, message.links.count()):
        window.update(machine=True, machine_reason=machines.EVERY_LINK)
