"""Campaigns and the outbox of record: one Message row per (campaign, contact, occurrence).

The database, not the broker, says what must be sent (docs/architecture.md): a beat tick
dispatches due rows, workers claim each row with a conditional UPDATE before sending, and a
row left in SENDING by a dead worker goes to REVIEW, never back to the queue.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.backends.signals import connection_created
from django.db.models import Q
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from accounts.bands import EMPLOYEE_BAND_CHOICES, MRR_BAND_CHOICES
from accounts.models import AccountStatus
from accounts.validation import validate_plain_multiline_text, validate_plain_text


class Category(models.TextChoices):
    """What a contact can unsubscribe from, one switch each."""

    SURVEYS = "surveys", _("Surveys")
    LIFECYCLE = "lifecycle", _("Lifecycle messages")
    MARKETING = "marketing", _("Marketing")


class Trigger(models.TextChoices):
    ROLLING = "rolling", _("Rolling: each eligible customer contact once per cycle")
    EVENT = "event", _("After an event (API)")
    ONCE = "once", _("Once: a broadcast to every eligible customer contact, when sent")
    WELCOME = "welcome", _("Welcome: when the contact's account becomes a customer")
    BIRTHDAY = "birthday", _("On the contact's birthday")
    ANNIVERSARY = "anniversary", _("On each yearly date of the account's first customer day")
    PROMOTER = "promoter", _("After a promoter's answer (latest NPS 9-10 within 30 days)")
    DRIP = "drip", _("Nurture drip: enrols contacts; its steps send the emails")
    DRIP_STEP = "drip_step", _("A step of a nurture drip, some days after entering it")


class WhenCapped(models.TextChoices):
    """What happens to a message the frequency cap holds back (docs/campaigns.md)."""

    DEFER = "defer", _("Send it at the next allowed time")
    SKIP = "skip", _("Skip it")


class NpsBand(models.TextChoices):
    """The band of a contact's latest NPS answer (surveys computes it)."""

    PROMOTER = "promoter", _("Promoter (9-10)")
    PASSIVE = "passive", _("Passive (7-8)")
    DETRACTOR = "detractor", _("Detractor (0-6)")
    UNANSWERED = "unanswered", _("Never answered NPS")


class Audience(models.Model):
    """A saved segment: which contacts a campaign may reach (docs/campaigns.md). Empty
    criteria match everyone; consent and unsubscribes always apply on top."""

    name = models.CharField(
        _("name"), max_length=200, unique=True, validators=[validate_plain_text]
    )
    status = models.CharField(
        _("account status"),
        max_length=10,
        choices=AccountStatus.choices,
        default=AccountStatus.CUSTOMER,
        help_text=_("On the day the campaign plans its messages."),
    )
    industry = models.CharField(
        _("industry"), max_length=100, blank=True, validators=[validate_plain_text]
    )
    employee_band = models.CharField(
        _("employees"), max_length=10, choices=EMPLOYEE_BAND_CHOICES, blank=True
    )
    mrr_band = models.CharField(_("MRR"), max_length=12, choices=MRR_BAND_CHOICES, blank=True)
    country = models.CharField(
        _("country"),
        max_length=2,
        blank=True,
        help_text=_("ISO 3166 code, e.g. ES."),
        validators=[validate_plain_text],
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    language = models.CharField(
        _("contact's language"), max_length=8, choices=settings.LANGUAGES, blank=True
    )
    nps_band = models.CharField(
        _("latest NPS answer"), max_length=10, choices=NpsBand.choices, blank=True
    )
    tags = models.ManyToManyField(
        "accounts.Tag",
        verbose_name=_("tags"),
        blank=True,
        related_name="+",
        help_text=_("Accounts with any of these tags."),
    )
    customer_since_from = models.DateField(_("first customer day from"), null=True, blank=True)
    customer_since_to = models.DateField(
        _("first customer day until"),
        null=True,
        blank=True,
        help_text=_("Both days included."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("audience")
        verbose_name_plural = _("audiences")

    def __str__(self) -> str:
        return self.name


class Campaign(models.Model):
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200, validators=[validate_plain_text])
    description = models.TextField(
        _("description"), blank=True, validators=[validate_plain_multiline_text]
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    trigger = models.CharField(_("trigger"), max_length=20, choices=Trigger.choices)
    enabled = models.BooleanField(_("enabled"), default=True)
    audience = models.ForeignKey(
        Audience,
        verbose_name=_("audience"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaigns",
        help_text=_("Empty: every customer contact."),
    )
    cycle_months = models.PositiveSmallIntegerField(
        _("cycle (months)"),
        default=3,
        choices=[(1, _("Monthly")), (3, _("Quarterly")), (6, _("Half-yearly")), (12, _("Yearly"))],
        help_text=_("Rolling campaigns spread their audience evenly over each cycle."),
    )
    send_hour = models.PositiveSmallIntegerField(
        _("sending hour"),
        default=9,
        help_text=_("Hour of the day (0-23) in the contact's time zone."),
    )
    event_type = models.SlugField(
        _("event type"), max_length=50, blank=True, help_text=_("For example ticket_closed.")
    )
    delay_minutes = models.PositiveIntegerField(_("delay after the event (minutes)"), default=60)
    when_capped = models.CharField(
        _("when the frequency cap is reached"),
        max_length=10,
        choices=WhenCapped.choices,
        default=WhenCapped.DEFER,
        help_text=_(
            "A contact gets at most FREQUENCY_CAP_EMAILS emails in FREQUENCY_CAP_DAYS days, "
            "across every campaign and survey. A date-bound message (a birthday) is better "
            "skipped than late."
        ),
    )
    # A nurture drip: contacts enter it (an event of `event_type`, or joining its audience)
    # and leave it on a goal; each of its steps is a campaign of its own.
    drip = models.ForeignKey(
        "self",
        verbose_name=_("drip"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="steps",
        limit_choices_to={"trigger": "drip"},
        help_text=_("The nurture drip this step belongs to."),
    )
    step_day = models.PositiveSmallIntegerField(
        _("days after entering"), default=0, help_text=_("0 sends the step on entering.")
    )
    goal_event = models.SlugField(
        _("goal event"),
        max_length=50,
        blank=True,
        help_text=_("A contact leaves the drip when an event of this type is posted."),
    )
    exit_when_customer = models.BooleanField(_("leave on becoming a customer"), default=True)
    exit_when_answered = models.BooleanField(_("leave on answering a survey"), default=False)
    holdout_percent = models.PositiveSmallIntegerField(
        _("holdout (%)"),
        default=0,
        validators=[MaxValueValidator(50)],
        help_text=_(
            "Hold back this share of the audience, never emailed, to measure what the campaign "
            "changes. The same contacts are held back every time."
        ),
    )
    review_url = models.URLField(
        _("review page"),
        max_length=500,
        blank=True,
        help_text=_(
            "The public review page that {{ review_url }} leads to (G2, Capterra, Google or "
            "any URL). Every recipient gets the same link, whatever their score."
        ),
    )
    reminder_after_days = models.PositiveSmallIntegerField(
        _("reminder after (days)"),
        default=5,
        help_text=_("One reminder to those who have not answered; 0 sends none."),
    )
    periodic_task = models.OneToOneField(
        "django_celery_beat.PeriodicTask",
        verbose_name=_("beat schedule"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="campaign",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(condition=Q(send_hour__lte=23), name="campaign_send_hour_valid"),
            models.CheckConstraint(
                condition=Q(holdout_percent__lte=50), name="campaign_holdout_at_most_half"
            ),
            models.CheckConstraint(
                condition=~Q(trigger="drip_step") | Q(drip__isnull=False),
                name="campaign_drip_step_has_a_drip",
            ),
            models.CheckConstraint(
                condition=~Q(trigger="event") | ~Q(event_type=""),
                name="campaign_event_trigger_needs_type",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CampaignContent(models.Model):
    """A campaign's email in one language, written in admin (campaigns/content.py checks it).
    A contact whose language has none gets the English one."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="contents"
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=200, validators=[validate_plain_text])
    text_body = models.TextField(_("text"), validators=[validate_plain_multiline_text])
    html_body = models.TextField(_("HTML"), validators=[validate_plain_multiline_text])

    class Meta:
        ordering = ["campaign", "language"]
        verbose_name = _("email content")
        verbose_name_plural = _("email contents")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "language"], name="campaign_content_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign} ({self.language})"


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Skipped")
    FAILED = "failed", _("Failed")
    REVIEW = "review", _("Needs review")
    HELD_OUT = "held_out", _("Held out")  # the campaign's holdout group: never sent


class MessageQuerySet(models.QuerySet):
    def to_contacts(self) -> MessageQuerySet:
        """The campaigns' emails to contacts, with those whose contact was erased since
        (kept anonymised for the metrics); not notifications to staff or admins' tests."""
        return self.filter(Q(contact__isnull=False) | Q(erased_contact_account__isnull=False))

    def of_accounts(self, accounts: models.QuerySet) -> MessageQuerySet:
        """The emails to the contacts of `accounts` (a queryset of accounts or their pks),
        erased contacts' included."""
        return self.filter(
            Q(contact__account__in=accounts) | Q(erased_contact_account__in=accounts)
        )


class Message(models.Model):
    """One email, sent at most once: to a contact for one occurrence of a campaign, or a
    notification to an address (a staff member) for one occurrence of what caused it.

    When a contact's data is erased (lifecycle.ops.personal_data) their sent emails stay,
    anonymised: no contact, no address, only the campaign, dates, status and the account,
    so that every period's email metrics are unchanged."""

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
    )
    contact = models.ForeignKey(
        "accounts.Contact",
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
    )
    # Notifications only: a contact's messages go to the contact's address at send time.
    recipient = models.EmailField(_("recipient"), blank=True)
    # Set only when the contact's data is erased, for the segment filters of the metrics.
    erased_contact_account = models.ForeignKey(
        "accounts.Account",
        verbose_name=_("account of the erased contact"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # "2026-10/3m" for a rolling cycle, "event:42" for a trigger, "reminder:7" for a reminder,
    # "owner-alert:9" for a notification.
    occurrence = models.CharField(_("occurrence"), max_length=64)
    email = models.CharField(_("email template"), max_length=50)
    # Which rule of the campaign chose the contact ("Birthday 02-29 on 02-28"), so that the
    # contact's page says why they got it and a review request shows it asked everyone.
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    due_at = models.DateTimeField(_("due at"))
    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("last error"), blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-due_at", "-pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "contact", "occurrence"], name="message_once_per_occurrence"
            ),
            models.UniqueConstraint(
                fields=["email", "occurrence"],
                condition=Q(contact__isnull=True, erased_contact_account__isnull=True),
                name="notification_once_per_occurrence",
            ),
            # A campaign's message goes to a contact; a notification to an address; an
            # erased contact's sent email keeps its campaign and account, and no address.
            models.CheckConstraint(
                condition=(
                    Q(contact__isnull=False)
                    & Q(campaign__isnull=False)
                    & Q(erased_contact_account__isnull=True)
                )
                | (
                    Q(contact__isnull=True)
                    & ~Q(recipient="")
                    & Q(erased_contact_account__isnull=True)
                )
                | (
                    Q(contact__isnull=True)
                    & Q(recipient="")
                    & Q(campaign__isnull=False)
                    & Q(erased_contact_account__isnull=False)
                    & Q(status="sent")
                ),
                name="message_has_a_recipient",
            ),
        ]
        indexes = [
            # "What is due now" and "what is stuck" are each one indexed query.
            models.Index(
                fields=["due_at"], condition=Q(status="queued"), name="message_queued_due_idx"
            ),
            models.Index(
                fields=["claimed_at"], condition=Q(status="sending"), name="message_sending_idx"
            ),
            models.Index(fields=["campaign", "status"], name="message_campaign_status_idx"),
            # Email engagement counts what was sent in a period.
            models.Index(fields=["sent_at"], condition=Q(status="sent"), name="message_sent_idx"),
            # A provider's webhook names a message by its id.
            models.Index(
                fields=["message_id"], condition=~Q(message_id=""), name="message_provider_id_idx"
            ),
            # The frequency cap counts each contact's recent emails.
            models.Index(
                fields=["contact", "sent_at"],
                condition=Q(status="sent"),
                name="message_contact_sent_idx",
            ),
        ]

    def __str__(self) -> str:
        if self.erased_contact_account_id is not None:
            return f"{self.campaign.slug} → {_('Erased contact')} ({self.occurrence})"
        if self.contact_id is None:
            return f"{self.email} → {self.recipient} ({self.occurrence})"
        return f"{self.campaign.slug} → {self.contact_id} ({self.occurrence})"

    @property
    def to(self) -> str:
        return self.contact.email if self.contact_id else self.recipient


class Event(models.Model):
    """Something that happened to a contact (a closed ticket...) that may trigger an email."""

    type = models.SlugField(_("type"), max_length=50)
    contact = models.ForeignKey(
        "accounts.Contact",
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    occurred_at = models.DateTimeField(_("occurred at"))
    # Given by the caller so that a retried API call records the event once.
    external_id = models.CharField(
        _("external ID"),
        max_length=100,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_plain_text],
    )
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [models.Index(fields=["type", "occurred_at"], name="event_type_time_idx")]

    def __str__(self) -> str:
        return f"{self.type} · {self.contact_id}"


class Unsubscription(models.Model):
    """Each unsubscribe, kept for the unsubscribe rate of the campaign that caused it (with
    no contact once the contact's data is erased: lifecycle.ops.personal_data)."""

    class Source(models.TextChoices):
        ONE_CLICK = "one_click", _("One-click (RFC 8058)")
        PAGE = "page", _("Confirmation or preference page")
        STAFF = "staff", _("Staff")

    contact = models.ForeignKey(
        "accounts.Contact",
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="unsubscriptions",
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    message = models.ForeignKey(
        Message,
        verbose_name=_("message"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="unsubscriptions",
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("unsubscription")
        verbose_name_plural = _("unsubscriptions")

    def __str__(self) -> str:
        return f"{self.contact_id} · {self.category}"


class TrackedLink(models.Model):
    """A link of a sent email, rewritten to pass through the click endpoint. The redirect
    goes to this stored URL, never to anything the request carries (no open redirect)."""

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    message = models.ForeignKey(
        Message, verbose_name=_("message"), on_delete=models.CASCADE, related_name="links"
    )
    position = models.PositiveSmallIntegerField(_("position"))  # order in the email, from 0
    url = models.URLField(_("URL"), max_length=2000)

    class Meta:
        ordering = ["message", "position"]
        verbose_name = _("tracked link")
        verbose_name_plural = _("tracked links")
        constraints = [
            models.UniqueConstraint(fields=["message", "position"], name="tracked_link_position"),
            models.UniqueConstraint(fields=["message", "url"], name="tracked_link_once"),
        ]

    def __str__(self) -> str:
        return self.url


class Engagement(models.Model):
    """Each open of an email (its image loaded) and each click on one of its links.

    Mailbox privacy proxies, image proxies and link scanners open and click too: their hits
    are kept, marked `machine` with the reason, and reported apart from people's."""

    class Kind(models.TextChoices):
        OPEN = "open", _("Open")
        CLICK = "click", _("Click")

    message = models.ForeignKey(
        Message, verbose_name=_("message"), on_delete=models.CASCADE, related_name="engagements"
    )
    link = models.ForeignKey(
        TrackedLink,
        verbose_name=_("link"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="clicks",
    )
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    machine = models.BooleanField(_("machine"), default=False)
    machine_reason = models.CharField(_("why a machine"), max_length=40, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("open or click")
        verbose_name_plural = _("opens and clicks")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="open", link__isnull=True) | Q(kind="click", link__isnull=False),
                name="engagement_click_has_a_link",
            )
        ]
        indexes = [
            models.Index(fields=["message", "kind"], name="engagement_message_kind_idx"),
            models.Index(fields=["kind", "occurred_at"], name="engagement_kind_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} · {self.message_id}"


def normalized_address(address: str) -> str:
    """The one spelling of an address the suppression list keys on: stripped, lower-cased."""
    return (address or "").strip().lower()


def address_hash(address: str) -> str:
    """What the suppression list keeps of an address: the SHA-256 (hex) of its normalized
    spelling. Deliberately unkeyed (docs/security.md, "Suppression by address"): a key that
    rotated would silently lift every suppression."""
    return hashlib.sha256(normalized_address(address).encode()).hexdigest()


ADDRESS_HASH_SQL = "lifecycle_address_hash"


class AddressHash(models.Func):
    """`address_hash()` of an address column, in SQL, so that querysets can be matched with
    the suppression list. On SQLite it is the Python function itself (registered on every
    connection below); on PostgreSQL the same steps in SQL (btrim, lower, UTF-8, SHA-256)."""

    function = ADDRESS_HASH_SQL
    arity = 1
    output_field = models.CharField(max_length=64)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "encode(sha256(convert_to(lower(btrim(%(expressions)s)), 'UTF8')), 'hex')"
        return self.as_sql(compiler, connection, template=template, **extra)


def _sql_address_hash(value: str | None) -> str | None:
    return None if value is None else address_hash(value)


@receiver(connection_created, dispatch_uid="campaigns.address_hash")
def register_address_hash(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            ADDRESS_HASH_SQL, 1, _sql_address_hash, deterministic=True
        )


class Suppression(models.Model):
    """An address no email of the product may go to again, in one category or in all: its
    owner unsubscribed (that category), it bounced hard, its owner complained of spam, staff
    blocked it, or the person's data was erased (every category).

    Kept by the hash of the address (`address_hash`), never the address, and not by contact:
    neither a second contact with the address, nor deleting the contact, nor a re-import
    reaches it, and the list itself names nobody (docs/security.md)."""

    class Reason(models.TextChoices):
        UNSUBSCRIBE = "unsubscribe", _("Unsubscribed")
        BOUNCE = "bounce", _("Hard bounce")
        COMPLAINT = "complaint", _("Spam complaint")
        STAFF = "staff", _("Blocked by staff")
        ERASURE = "erasure", _("Personal data erased")

    EVERY_CATEGORY = ""

    address_hash = models.CharField(
        _("address hash"),
        max_length=64,
        help_text=_("SHA-256 of the address, lower-cased: the list keeps no address."),
    )
    category = models.CharField(
        _("category"),
        max_length=20,
        choices=Category.choices,
        blank=True,
        help_text=_("Empty: every category."),
    )
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    message = models.ForeignKey(
        Message,
        verbose_name=_("message"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    description = models.CharField(_("description"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["address_hash", "category"], name="suppression_once_per_category"
            )
        ]

    def __str__(self) -> str:
        return f"{self.address_hash[:12]}… · {self.scope}"

    @property
    def scope(self) -> str:
        return self.get_category_display() if self.category else str(_("every category"))


class DeliveryEvent(models.Model):
    """What the email provider reported about a message (django-anymail's tracking
    webhooks): delivered, deferred, bounced, rejected, complained."""

    message = models.ForeignKey(
        Message,
        verbose_name=_("message"),
        on_delete=models.CASCADE,
        related_name="delivery_events",
    )
    kind = models.CharField(_("kind"), max_length=20)
    occurred_at = models.DateTimeField(_("occurred at"))
    provider = models.CharField(_("provider"), max_length=40)
    # The provider's id of the event, so that a webhook delivered twice counts once.
    event_id = models.CharField(_("event ID"), max_length=200, null=True, blank=True)
    description = models.CharField(_("description"), max_length=500, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("delivery event")
        verbose_name_plural = _("delivery events")
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="delivery_event_once")
        ]
        indexes = [models.Index(fields=["message", "kind"], name="delivery_message_kind_idx")]

    def __str__(self) -> str:
        return f"{self.kind} · {self.message_id}"


class ReferralCode(models.Model):
    """A contact's own referral code: random, unguessable, made when first needed."""

    contact = models.OneToOneField(
        "accounts.Contact",
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        related_name="referral_code",
    )
    code = models.CharField(_("code"), max_length=40, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("referral code")
        verbose_name_plural = _("referral codes")

    def __str__(self) -> str:
        return self.code


class Referral(models.Model):
    """A person a contact referred on their referral page: the lead, its progress and the
    referrer's reward, with the fraud checks' flags (campaigns.referrals)."""

    class Status(models.TextChoices):
        REFERRED = "referred", _("Referred")
        QUALIFIED = "qualified", _("Qualified")
        CONVERTED = "converted", _("Converted")
        REJECTED = "rejected", _("Rejected")

    class Reward(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        PAID = "paid", _("Paid")
        NONE = "none", _("No reward")

    class Flag(models.TextChoices):
        SELF = "self", _("Referred themselves")
        SAME_COMPANY = "same_company", _("Same company as the referrer")
        EXISTING_CUSTOMER = "existing_customer", _("Already a customer")
        DUPLICATE = "duplicate", _("Referred before")
        BURST = "burst", _("Many referrals from one address")

    referrer = models.ForeignKey(
        "accounts.Contact",
        verbose_name=_("referrer"),
        on_delete=models.CASCADE,
        related_name="referrals",
    )
    lead = models.ForeignKey(
        "accounts.Lead", verbose_name=_("lead"), on_delete=models.CASCADE, related_name="referrals"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REFERRED
    )
    reward = models.CharField(
        _("reward"), max_length=10, choices=Reward.choices, default=Reward.PENDING
    )
    flags = models.CharField(_("flags"), max_length=200, blank=True)
    needs_review = models.BooleanField(_("needs review"), default=False)
    # The client address as a salted hash: enough to see bursts from one place.
    client = models.CharField(_("client"), max_length=64, blank=True)
    # What the referred person agreed to, in the words the page showed, and when.
    consent_text = models.CharField(_("consent given"), max_length=300, blank=True)
    consented_at = models.DateTimeField(_("consented at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [models.Index(fields=["client", "created_at"], name="referral_client_time_idx")]

    def __str__(self) -> str:
        return f"{self.referrer_id} → {self.lead_id}"

    @property
    def flag_labels(self) -> list[str]:
        labels = dict(self.Flag.choices)
        return [str(labels.get(flag, flag)) for flag in self.flags.split(",") if flag]


class DripEnrollment(models.Model):
    """A contact in a nurture drip: from entering it until it leaves (a goal, becoming a
    customer, answering, unsubscribing) or its last step is sent."""

    drip = models.ForeignKey(
        Campaign, verbose_name=_("drip"), on_delete=models.CASCADE, related_name="enrollments"
    )
    contact = models.ForeignKey(
        "accounts.Contact",
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        related_name="drip_enrollments",
    )
    entered_at = models.DateTimeField(_("entered at"))
    exited_at = models.DateTimeField(_("left at"), null=True, blank=True)
    exit_reason = models.CharField(_("why it left"), max_length=100, blank=True)

    class Meta:
        ordering = ["-entered_at", "-pk"]
        verbose_name = _("drip enrollment")
        verbose_name_plural = _("drip enrollments")
        constraints = [
            models.UniqueConstraint(fields=["drip", "contact"], name="drip_enrollment_once")
        ]
        indexes = [
            models.Index(
                fields=["drip", "entered_at"],
                condition=Q(exited_at__isnull=True),
                name="drip_active_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.drip_id} · {self.contact_id}"
