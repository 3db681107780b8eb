from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.models import Account, Contact, Subscription
from lifecycle.staff.api_tokens import issue_token
from lifecycle.staff.roles import assign_role


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def role(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        if create and extracted:
            assign_role(self, extracted)


def api_token(user, *, days: int | None = None) -> str:
    """The key of a new API token for `user`, issued as admin and create_api_token issue
    it (the one helper for every test that calls the API with a token): send it as
    `Authorization: Token <key>`."""
    _token, key = issue_token(user, days=days)
    return key


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Account {n}")
    industry = "Software"
    employees = 42
    country = "US"
    external_id = factory.Sequence(lambda n: f"acc-{n}")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    account = factory.SubFactory(AccountFactory)
    first_name = "Ana"
    last_name = factory.Sequence(lambda n: f"Contact{n}")
    email = factory.Sequence(lambda n: f"contact{n}@example.com")
    external_id = factory.Sequence(lambda n: f"con-{n}")


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription

    account = factory.SubFactory(AccountFactory)
    plan = "Pro"
    mrr = Decimal("100.00")
    started_on = dt.date(2024, 1, 1)
    external_id = factory.Sequence(lambda n: f"sub-{n}")


def survey(slug: str = "nps"):
    """The default surveys exist after migrate (nps, csat)."""
    from surveys.models import Survey

    return Survey.objects.get(slug=slug)


def campaign(slug: str = "nps-quarterly"):
    """The default campaigns exist after migrate (nps-quarterly, csat)."""
    from campaigns.models import Campaign

    return Campaign.objects.get(slug=slug)


def written_campaign(
    slug: str,
    *,
    category: str = "marketing",
    subject: str = "News",
    body: str = "Hello {{ first_name }}",
    **fields,
):
    """A campaign written in admin (trigger "once" unless given), its English text as
    `body` and its HTML as one paragraph of it."""
    from campaigns.models import Campaign, CampaignContent

    written = Campaign.objects.create(
        slug=slug,
        name=fields.pop("name", slug.replace("-", " ").capitalize()),
        category=category,
        trigger=fields.pop("trigger", "once"),
        **fields,
    )
    CampaignContent.objects.create(
        campaign=written, language="en", subject=subject, text_body=body, html_body=f"<p>{body}</p>"
    )
    return written


class CustomerContactFactory(ContactFactory):
    """A contact of an account paying today, so rolling campaigns include it."""

    class Meta:
        skip_postgeneration_save = True

    account = factory.SubFactory(AccountFactory)

    @factory.post_generation
    def paying(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create and extracted is not False:
            SubscriptionFactory(account=self.account)


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "campaigns.Message"

    campaign = factory.LazyFunction(campaign)
    contact = factory.SubFactory(CustomerContactFactory)
    occurrence = factory.Sequence(lambda n: f"test:{n}")
    email = "survey-invitation"
    due_at = factory.LazyFunction(timezone.now)


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "surveys.Invitation"

    survey = factory.LazyFunction(survey)
    contact = factory.SubFactory(CustomerContactFactory)
    account = factory.SelfAttribute("contact.account")
    language = "en"
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "surveys.Response"

    invitation = factory.SubFactory(InvitationFactory)
    survey = factory.SelfAttribute("invitation.survey")
    kind = factory.SelfAttribute("survey.kind")
    contact = factory.SelfAttribute("invitation.contact")
    account = factory.SelfAttribute("invitation.account")
    score = 9
    language = "en"
    submitted_at = factory.LazyFunction(timezone.now)


def mrr_on(account, day: dt.date) -> Decimal:
    """MRR(a, day) as the list pages and the API compute it."""
    from accounts.models import Account

    return Account.objects.with_mrr_on(day).get(pk=account.pk).mrr


def customer_contacts(count: int, *, prefix: str) -> None:
    """`count` contacts of one paying customer account, in one INSERT (the fault tests')."""
    from accounts.models import Contact

    account = AccountFactory()
    SubscriptionFactory(account=account)
    Contact.objects.bulk_create(
        Contact(account=account, email=f"{prefix}{n}@example.com") for n in range(count)
    )
