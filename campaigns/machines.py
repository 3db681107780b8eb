"""Which opens and clicks are machines', not people's: pure rules, no database.

Mailbox privacy features and security gateways open and click on the reader's behalf:
Apple Mail Privacy Protection preloads every image through a proxy whose user agent is a
bare "Mozilla/5.0"; Gmail and Yahoo fetch images through their proxies; link scanners
(Microsoft Safe Links, Proofpoint, Mimecast, Barracuda...) fetch links seconds after
delivery, often with HEAD, and often every link of the email at once. Their hits are kept
but reported apart from people's (docs/metrics.md, email engagement).
"""

from __future__ import annotations

import datetime as dt
import re

APPLE_PROXY_AGENT = "Mozilla/5.0"
IMAGE_PROXIES = {
    "googleimageproxy": "Gmail image proxy",
    "ggpht.com": "Gmail image proxy",
    "yahoomailproxy": "Yahoo image proxy",
}
SCANNER_AGENT = re.compile(
    r"bot\b|spider|crawl|scan|python-|curl/|wget|go-http-client|java/|okhttp|headless|"
    r"barracuda|proofpoint|mimecast|safelinks|urldefense|symantec|trendmicro|forcepoint|"
    r"outlook-ios-linkpreview|skypeuripreview|preview",
    re.IGNORECASE,
)
# Outlook for Windows loads a reader's images as "ms-office" (a person's open), but checks
# links with the same name before anyone clicks them (a machine's click).
OFFICE_LINK_CHECK = re.compile(r"microsoft office|ms-office", re.IGNORECASE)
# A person does not open or click this soon after the email left.
SCANNER_SECONDS = 10
# Every link of an email clicked within this window is a scanner walking them.
EVERY_LINK_SECONDS = 60


def machine_reason(
    *,
    kind: str,
    method: str,
    user_agent: str,
    sent_at: dt.datetime | None,
    at: dt.datetime,
) -> str:
    """Why this hit is a machine's (a short label), or "" for a person's."""
    agent = user_agent.strip()
    if method == "HEAD":
        return "HEAD request"
    if not agent:
        return "no user agent"
    lowered = agent.lower()
    for marker, label in IMAGE_PROXIES.items():
        if marker in lowered:
            return label
    if kind == "open" and agent == APPLE_PROXY_AGENT:
        return "Apple Mail Privacy Protection"
    if SCANNER_AGENT.search(agent) or (kind == "click" and OFFICE_LINK_CHECK.search(agent)):
        return "link scanner (user agent)"
    if sent_at is not None and (at - sent_at).total_seconds() < SCANNER_SECONDS:
        return "within seconds of delivery"
    return ""


EVERY_LINK = "every link at once"


def walks_every_link(clicked_positions: set[int], link_count: int) -> bool:
    """A message with 2 or more links, all clicked within EVERY_LINK_SECONDS."""
    return link_count >= 2 and len(clicked_positions) >= link_count
