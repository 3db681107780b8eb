"""Surveys, their invitations and answers, and the follow-up items that low scores open."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.validation import validate_plain_multiline_text, validate_plain_text
from campaigns.models import Campaign
from surveys import scoring
from surveys.scoring import SCALES, Band, SurveyKind, band_range

FALLBACK_LANGUAGE = "en"


def _score_in_scale() -> Q:
    condition = Q(pk__in=[])
    for kind, (low, high, _low_band, _neutral_band) in SCALES.items():
        condition |= Q(kind=kind, score__gte=low, score__lte=high)
    return condition


class Survey(models.Model):
    kind = models.CharField(_("kind"), max_length=10, choices=SurveyKind.choices)
    name = models.CharField(_("name"), max_length=200, validators=[validate_plain_text])
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    interval_days = models.PositiveSmallIntegerField(
        _("days between two surveys of this kind"),
        default=90,
        help_text=_("A contact invited to this kind of survey more recently is skipped."),
    )
    expires_after_days = models.PositiveSmallIntegerField(_("link valid for (days)"), default=30)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.name

    def text_for(self, language: str) -> SurveyText:
        """The wording in `language`, else English (texts should be prefetched)."""
        texts = {text.language: text for text in self.texts.all()}
        return texts.get(language) or texts.get(FALLBACK_LANGUAGE) or SurveyText(survey=self)


class CampaignSurvey(models.Model):
    """The survey a campaign's emails ask. It lives here, not on Campaign, because surveys
    build on campaigns (docs/architecture.md): relations point down the layers."""

    campaign = models.OneToOneField(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="survey_link",
    )
    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.PROTECT, related_name="campaign_links"
    )

    class Meta:
        verbose_name = _("campaign survey")
        verbose_name_plural = _("campaign surveys")

    def __str__(self) -> str:
        return f"{self.campaign} → {self.survey}"


def survey_of(campaign: Campaign) -> Survey | None:
    """The survey `campaign` asks, or None (cached on the campaign after the first call)."""
    try:
        return campaign.survey_link.survey
    except CampaignSurvey.DoesNotExist:
        return None


class SurveyText(models.Model):
    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="texts"
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    question = models.CharField(_("question"), max_length=300, validators=[validate_plain_text])
    follow_up_question = models.CharField(
        _("follow-up question"),
        max_length=300,
        help_text=_('For example "What is the main reason for your score?"'),
        validators=[validate_plain_text],
    )
    follow_up_low = models.CharField(
        _("follow-up for a low score"), max_length=300, blank=True, validators=[validate_plain_text]
    )
    follow_up_neutral = models.CharField(
        _("follow-up for a neutral score"),
        max_length=300,
        blank=True,
        validators=[validate_plain_text],
    )
    follow_up_high = models.CharField(
        _("follow-up for a high score"),
        max_length=300,
        blank=True,
        validators=[validate_plain_text],
    )
    thank_you = models.CharField(
        _("thank-you text"), max_length=300, validators=[validate_plain_text]
    )

    class Meta:
        ordering = ["survey", "language"]
        verbose_name = _("survey text")
        verbose_name_plural = _("survey texts")
        constraints = [
            models.UniqueConstraint(fields=["survey", "language"], name="survey_text_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.survey} ({self.language})"

    def follow_up_for(self, band: str) -> str:
        wording = getattr(self, f"follow_up_{band}", "")
        return wording or self.follow_up_question


class Invitation(models.Model):
    """One contact asked one survey once; its link carries only the signed public id."""

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.PROTECT, related_name="invitations"
    )
    # None once the contact's data is erased: a sent invitation stays, anonymised, for the
    # response rate (lifecycle.ops.personal_data).
    contact = models.ForeignKey(
        "accounts.Contact",
        verbose_name=_("contact"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
    )
    account = models.ForeignKey(
        "accounts.Account",
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    message = models.OneToOneField(
        "campaigns.Message",
        verbose_name=_("email"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitation",
    )
    reminder = models.OneToOneField(
        "campaigns.Message",
        verbose_name=_("reminder"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reminded_invitation",
    )
    language = models.CharField(_("language"), max_length=8)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [
            models.Index(fields=["contact", "created_at"], name="invitation_contact_time_idx"),
            models.Index(fields=["created_at"], name="invitation_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} → {self.contact_id}"


class ResponseSource(models.TextChoices):
    EMAIL = "email", _("Email link")
    IMPORT = "import", _("Imported")


def score_in_band(kind: str, band: str) -> Q:
    """Scores in one band of the scale of `kind` (0 is a detractor's score, not nothing)."""
    low, high = band_range(kind, band)
    return Q(score__gte=low, score__lte=high)


def band_q(band: str, *, kind: str | None = None) -> Q:
    """Responses in `band` on their own kind's scale: of `kind` only, or of every kind."""
    condition = Q(pk__in=[])
    for each in [kind] if kind else SCALES:
        condition |= Q(kind=each) & score_in_band(each, band)
    return condition


class ResponseQuerySet(models.QuerySet):
    def in_band(self, band: str, *, kind: str | None = None) -> ResponseQuerySet:
        return self.filter(band_q(band, kind=kind))

    def with_band(self) -> ResponseQuerySet:
        """Annotate `band` (low, neutral, high; "" off every scale) for the score badge."""
        whens = [models.When(band_q(band), then=models.Value(band.value)) for band in Band]
        return self.annotate(
            band=models.Case(*whens, default=models.Value(""), output_field=models.CharField())
        )


class Response(models.Model):
    invitation = models.OneToOneField(
        Invitation,
        verbose_name=_("invitation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="response",
    )
    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.PROTECT, related_name="responses"
    )
    # Copied from the survey so that the metrics filter one indexed column.
    kind = models.CharField(_("kind"), max_length=10, choices=SurveyKind.choices)
    # Null once the person's data is erased (lifecycle.ops.personal_data): the answer stays,
    # anonymised, so that the metrics of its period do not change.
    contact = models.ForeignKey(
        "accounts.Contact",
        verbose_name=_("contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="responses",
    )
    account = models.ForeignKey(
        "accounts.Account",
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="responses",
    )
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True, validators=[validate_plain_multiline_text])
    language = models.CharField(_("language"), max_length=8, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=ResponseSource.choices, default=ResponseSource.EMAIL
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # When the alert to the account owner was queued (claimed with a conditional UPDATE,
    # so it is queued once); `owner_alert` is its email.
    owner_alerted_at = models.DateTimeField(_("owner alerted at"), null=True, blank=True)
    owner_alert = models.OneToOneField(
        "campaigns.Message",
        verbose_name=_("owner alert"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alerted_response",
    )
    external_id = models.CharField(
        _("external ID"),
        max_length=100,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_plain_text],
    )

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.CheckConstraint(condition=_score_in_scale(), name="response_score_in_scale")
        ]
        indexes = [
            models.Index(fields=["kind", "submitted_at"], name="response_kind_time_idx"),
            models.Index(
                fields=["account", "kind", "submitted_at"], name="response_account_kind_idx"
            ),
            models.Index(
                fields=["contact", "kind", "submitted_at"], name="response_contact_kind_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.score} · {self.contact_id}"

    def get_absolute_url(self) -> str:
        return reverse("surveys:response-detail", args=[self.pk])

    @property
    def contact_label(self) -> str:
        """Who answered, as the pages name them: the contact's name or address, or that
        the person's data was erased (the answer is kept anonymised)."""
        if self.contact is None:
            return str(_("Erased contact"))
        return self.contact.full_name or self.contact.email


class ResponseRevision(models.Model):
    """Every score and comment a response has had, oldest first."""

    response = models.ForeignKey(
        Response, verbose_name=_("response"), on_delete=models.CASCADE, related_name="revisions"
    )
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["recorded_at", "pk"]
        verbose_name = _("response revision")
        verbose_name_plural = _("response revisions")

    def __str__(self) -> str:
        return f"{self.response_id}: {self.score}"


class FollowUpReason(models.TextChoices):
    DETRACTOR = "detractor", _("NPS detractor")
    UNHAPPY = "unhappy", _("Unhappy CSAT")
    SCORE_DROP = "score_drop", _("Score dropped")


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


REASON_SEPARATOR = ","


def join_reasons(reasons: Iterable[str]) -> str:
    """The stored form of a set of reasons: their codes in the order of FollowUpReason."""
    wanted = set(reasons)
    return REASON_SEPARATOR.join(code for code in FollowUpReason.values if code in wanted)


def split_reasons(stored: str) -> list[str]:
    return [code for code in stored.split(REASON_SEPARATOR) if code]


def has_reason(reason: str) -> Q:
    """Items listing `reason` among their reasons: a whole code between separators, so that
    it filters the same on SQLite and PostgreSQL (and one code inside another never matches)."""
    sep = REASON_SEPARATOR
    return (
        Q(reasons=reason)
        | Q(reasons__startswith=reason + sep)
        | Q(reasons__endswith=sep + reason)
        | Q(reasons__contains=sep + reason + sep)
    )


class FollowUpQuerySet(models.QuerySet):
    def with_reason(self, reason: str) -> FollowUpQuerySet:
        return self.filter(has_reason(reason))


class FollowUp(models.Model):
    """Work for staff after a bad answer: one item per response, listing every reason the
    answer needs it for (a detractor whose score also dropped: both)."""

    account = models.ForeignKey(
        "accounts.Account",
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="follow_ups",
    )
    # Unique, so a retried or concurrent answer cannot open a second item. Null for an item
    # added by hand in admin, or whose answer was deleted: staff's notes outlive it.
    response = models.OneToOneField(
        Response,
        verbose_name=_("response"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_up",
    )
    # Codes of FollowUpReason joined by commas (join_reasons); filter with with_reason().
    reasons = models.CharField(_("reasons"), max_length=100)
    status = models.CharField(
        _("status"), max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.CheckConstraint(condition=~Q(reasons=""), name="follow_up_has_a_reason")
        ]
        indexes = [models.Index(fields=["status", "opened_at"], name="follow_up_status_idx")]

    def __str__(self) -> str:
        return f"{self.account} · {self.get_reasons_display()}"

    def get_absolute_url(self) -> str:
        return reverse("surveys:follow-up-detail", args=[self.pk])

    @property
    def reason_list(self) -> list[str]:
        return split_reasons(self.reasons)

    def reason_labels(self) -> list[str]:
        labels = dict(FollowUpReason.choices)
        return [str(labels.get(code, code)) for code in self.reason_list]

    def get_reasons_display(self) -> str:
        return ", ".join(self.reason_labels())

    # Templates written when an item had one reason name it so; it now says all of them.
    get_reason_display = get_reasons_display

    def score_band(self) -> str:
        """The band of the answer's score, for the score badge ("" without an answer)."""
        if self.response is None:
            return ""
        return scoring.band(self.response.kind, self.response.score).value


class FollowUpComment(models.Model):
    follow_up = models.ForeignKey(
        FollowUp, verbose_name=_("follow-up"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    body = models.TextField(_("comment"), validators=[validate_plain_multiline_text])
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("follow-up comment")
        verbose_name_plural = _("follow-up comments")

    def __str__(self) -> str:
        return self.body[:50]


class WebhookEndpoint(models.Model):
    """A URL that receives each new response as signed JSON."""

    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(
        _("signing secret"), max_length=100, help_text=_("Used to sign each delivery.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["url"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERING = "delivering", _("Delivering")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        verbose_name=_("endpoint"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    response = models.ForeignKey(
        Response,
        verbose_name=_("response"),
        on_delete=models.CASCADE,
        related_name="webhook_deliveries",
    )
    public_id = models.UUIDField(_("delivery ID"), default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    last_status_code = models.PositiveSmallIntegerField(
        _("last HTTP status"), null=True, blank=True
    )
    last_error = models.TextField(_("last error"), blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "response"], name="webhook_delivery_once_per_response"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="webhook_delivery_due_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.endpoint} · {self.response_id}"
