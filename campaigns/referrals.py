"""The referral program (docs/campaigns.md): each contact's referral code and link, the
public page's referrals, and the fraud checks that flag a referral for review.

A referral is never silently dropped: a self-referral, a duplicate, a lead who is already a
customer or a burst from one address is recorded like any other, with its flags, and waits
for staff, who decide its status and its reward.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from django.db.models.functions import Concat
from django.urls import reverse

from accounts.models import Account, Contact, Lead, LeadStatus
from campaigns.forms import ReferralForm
from campaigns.models import Referral, ReferralCode, normalized_address
from lifecycle.lib import links

# Referrals from one client address within an hour before it counts as a burst.
BURST_WINDOW = dt.timedelta(hours=1)
BURST_SIZE = 3
# Mailbox providers everyone shares: the same domain proves nothing there.
SHARED_DOMAINS = frozenset(
    {"gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "yahoo.com",
     "icloud.com", "me.com", "aol.com", "proton.me", "protonmail.com", "gmx.com", "gmx.de",
     "yandex.ru", "mail.ru", "qq.com"}
)  # fmt: skip


def code_for(contact: Contact) -> ReferralCode:
    """The contact's referral code, made the first time it is needed."""
    found = ReferralCode.objects.filter(contact=contact).first()
    if found:
        return found
    try:
        with transaction.atomic():
            return ReferralCode.objects.create(contact=contact, code=secrets.token_urlsafe(9))
    except IntegrityError:  # made at the same moment by another worker
        return ReferralCode.objects.get(contact=contact)


def referral_url(contact: Contact) -> str:
    return links.absolute(reverse("campaigns:referral", args=[code_for(contact).code]))


CODE_SHAPE = re.compile(r"[A-Za-z0-9_-]{8,40}")  # what secrets.token_urlsafe makes


def find_code(code: str) -> ReferralCode | None:
    if not CODE_SHAPE.fullmatch(code or ""):
        return None  # never a query for what cannot be a code (a NUL is an error on PostgreSQL)
    return ReferralCode.objects.select_related("contact__account").filter(code=code).first()


@dataclass(frozen=True)
class Referred:
    email: str
    first_name: str
    last_name: str
    company: str


def client_hash(address: str) -> str:
    """A client address kept only as a salted hash: enough to see bursts, not to track."""
    salted = f"{settings.SECRET_KEY}:referral-ip:{address}"
    return hashlib.sha256(salted.encode()).hexdigest()[:32]


def domain_of(address: str) -> str:
    return normalized_address(address).rpartition("@")[2]


# Providers where dots in the local part mean nothing (a.b@gmail.com is ab@gmail.com).
DOTLESS_DOMAINS = frozenset({"gmail.com", "googlemail.com"})


def canonical(address: str) -> str:
    """One mailbox, however it is spelled: lower case, no "+tag", no dots where the provider
    ignores them. For fraud checks only; the lead keeps the address as given."""
    local, _at, domain = normalized_address(address).rpartition("@")
    local = local.split("+", 1)[0]
    if domain in DOTLESS_DOMAINS:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def flags_for(referrer: Contact, person: Referred, *, client: str, now: dt.datetime) -> list[str]:
    email = normalized_address(person.email)
    flags = []
    if canonical(email) == canonical(referrer.email):
        flags.append(Referral.Flag.SELF)
    else:
        domain = domain_of(email)
        colleagues = Contact.objects.filter(account=referrer.account, email__iendswith=f"@{domain}")
        if domain not in SHARED_DOMAINS and (
            domain == domain_of(referrer.email) or colleagues.exists()
        ):
            flags.append(Referral.Flag.SAME_COMPANY)
    customers = Account.objects.customers_on(now.date()).values("pk")
    if Contact.objects.filter(email__iexact=email, account__in=customers).exists():
        flags.append(Referral.Flag.EXISTING_CUSTOMER)
    # A lead's address is stored lower-cased; its +tag and gmail-dot spellings are the same
    # person (few leads share a mailbox: compare their canonical forms in Python).
    local = canonical(email).partition("@")[0]
    similar = Referral.objects.filter(lead__email__istartswith=local[:3]).values_list(
        "lead__email", flat=True
    )
    if any(canonical(other) == canonical(email) for other in similar[:500]):
        flags.append(Referral.Flag.DUPLICATE)
    recent = Referral.objects.filter(client=client, created_at__gte=now - BURST_WINDOW)
    if client and recent.count() + 1 >= BURST_SIZE:
        flags.append(Referral.Flag.BURST)
    return flags


def _lead_for(person: Referred, language: str) -> Lead:
    """The lead with the person's address (stored lower-cased), made if none exists."""
    address = normalized_address(person.email)
    found = Lead.objects.filter(email=address).first()
    if found:
        return found
    try:
        with transaction.atomic():
            return Lead.objects.create(
                email=address,
                first_name=person.first_name,
                last_name=person.last_name,
                company=person.company,
                source=Lead.Source.REFERRAL,
                language=language,
            )
    except IntegrityError:  # the same address sent twice at once, or in another case
        return Lead.objects.get(email__iexact=address)


def refer(code: ReferralCode, person: Referred, *, client_address: str, language: str, now):
    """Record a referral through `code`'s public page: the lead made (or matched by address),
    the referral with its fraud flags. Returns the referral."""
    client = client_hash(client_address) if client_address else ""
    referrer = code.contact
    flags = flags_for(referrer, person, client=client, now=now)
    lead = _lead_for(person, language)
    referral = Referral.objects.create(
        referrer=referrer,
        lead=lead,
        client=client,
        flags=",".join(flags),
        needs_review=bool(flags),
        consent_text=str(ReferralForm.base_fields["consent"].label),
        consented_at=now,
    )
    if Referral.Flag.BURST in flags:  # the whole burst, not only the referral that tipped it
        earlier = Referral.objects.filter(client=client, created_at__gte=now - BURST_WINDOW)
        earlier.exclude(flags__contains=Referral.Flag.BURST).update(
            needs_review=True,
            flags=Case(
                When(flags="", then=Value(Referral.Flag.BURST.value)),
                default=Concat(F("flags"), Value(f",{Referral.Flag.BURST.value}")),
            ),
        )
    return referral


def set_progress(referral: Referral, *, status: str, reward: str, needs_review: bool) -> Referral:
    """Staff move a referral along; its lead follows its most advanced referral (a rejected
    duplicate does not undo a conversion through another)."""
    referral.status, referral.reward, referral.needs_review = status, reward, needs_review
    referral.save(update_fields=["status", "reward", "needs_review", "updated_at"])
    sync_lead(referral.lead_id)
    return referral


# From least to most advanced: the lead takes the most advanced of its referrals' statuses.
PROGRESS = [
    (Referral.Status.REJECTED, LeadStatus.REJECTED),
    (Referral.Status.REFERRED, LeadStatus.NEW),
    (Referral.Status.QUALIFIED, LeadStatus.QUALIFIED),
    (Referral.Status.CONVERTED, LeadStatus.CONVERTED),
]


def sync_lead(lead_id: int) -> None:
    statuses = set(Referral.objects.filter(lead_id=lead_id).values_list("status", flat=True))
    for referral_status, lead_status in reversed(PROGRESS):
        if referral_status in statuses:
            Lead.objects.filter(pk=lead_id).update(status=lead_status)
            return
