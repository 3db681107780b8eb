from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lifecycle.metrics.cohorts import cohort_table
from lifecycle.metrics.params import (
    CohortQuerySerializer,
    MetricsQuerySerializer,
    SeriesQuerySerializer,
)
from lifecycle.metrics.queries import period_metrics
from lifecycle.metrics.series import metric_series
from lifecycle.metrics.snapshots import daily_totals


class CanViewDashboards(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.has_perm("staff.view_dashboards"))


class PeriodMetricsView(APIView):
    """The period metrics of METRICS.md: the same object as `manage.py metrics --json`."""

    permission_classes = [CanViewDashboards]

    @extend_schema(parameters=[MetricsQuerySerializer], responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        query = MetricsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        return Response(period_metrics(data["period"], data["segment"]))


class MetricSeriesView(APIView):
    """The metrics bucket by bucket (week, month, quarter or year) over [start, end).

    Every key of /api/v1/metrics/ except the churn split by cancellation type and the survey
    response rate."""

    permission_classes = [CanViewDashboards]

    @extend_schema(parameters=[SeriesQuerySerializer], responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        query = SeriesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        rows = metric_series(data["period"], data["granularity"], data["segment"])
        return Response({"granularity": data["granularity"], "results": rows})


class DailyTotalsView(APIView):
    """Customers and MRR at the close of each day of [start, end), from the nightly snapshot
    (days not filled yet are absent). Segment filters do not apply: totals only."""

    permission_classes = [CanViewDashboards]

    @extend_schema(parameters=[MetricsQuerySerializer], responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        query = MetricsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        period = query.validated_data["period"]
        return Response({"results": daily_totals(period.start, period.end)})


class CohortTableView(APIView):
    """Logo and revenue retention of each cohort month (month of first customer day), for
    each month after it up to `end` or the running month (docs/metrics.md, Cohorts)."""

    permission_classes = [CanViewDashboards]

    @extend_schema(parameters=[CohortQuerySerializer], responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        query = CohortQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        table = cohort_table(
            start_month=data["start"],
            end_month=data["end"],
            segment=data["segment"],
            today=timezone.localdate(),
        )
        return Response({"results": table})
