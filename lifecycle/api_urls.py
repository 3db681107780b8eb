from __future__ import annotations

from django.urls import path
from rest_framework.routers import DefaultRouter

from accounts.api import AccountViewSet, ContactViewSet, SubscriptionViewSet
from lifecycle.metrics.api import (
    CohortTableView,
    DailyTotalsView,
    MetricSeriesView,
    PeriodMetricsView,
)

router = DefaultRouter()
router.register("accounts", AccountViewSet, basename="account")
router.register("contacts", ContactViewSet, basename="contact")
router.register("subscriptions", SubscriptionViewSet, basename="subscription")

urlpatterns = [
    path("metrics/", PeriodMetricsView.as_view(), name="metrics"),
    path("metrics/series/", MetricSeriesView.as_view(), name="metrics-series"),
    path("metrics/daily/", DailyTotalsView.as_view(), name="metrics-daily"),
    path("metrics/cohorts/", CohortTableView.as_view(), name="metrics-cohorts"),
    *router.urls,
]
