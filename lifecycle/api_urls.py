from __future__ import annotations

from django.urls import path
from rest_framework.routers import DefaultRouter

from accounts.api import AccountViewSet, ContactViewSet, SubscriptionViewSet
from campaigns.api import EventViewSet
from lifecycle.metrics.api import (
    CohortTableView,
    DailyTotalsView,
    MetricSeriesView,
    PeriodMetricsView,
)
from surveys.api import InvitationViewSet, ResponseViewSet

router = DefaultRouter()
router.register("accounts", AccountViewSet, basename="account")
router.register("contacts", ContactViewSet, basename="contact")
router.register("subscriptions", SubscriptionViewSet, basename="subscription")
router.register("responses", ResponseViewSet, basename="response")
router.register("invitations", InvitationViewSet, basename="invitation")
router.register("events", EventViewSet, basename="event")

urlpatterns = [
    path("metrics/", PeriodMetricsView.as_view(), name="metrics"),
    path("metrics/series/", MetricSeriesView.as_view(), name="metrics-series"),
    path("metrics/daily/", DailyTotalsView.as_view(), name="metrics-daily"),
    path("metrics/cohorts/", CohortTableView.as_view(), name="metrics-cohorts"),
    *router.urls,
]
