from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from lifecycle.metrics.cohorts import cohort_table
from lifecycle.metrics.forms import CohortForm, MetricsForm, SeriesForm
from lifecycle.metrics.params import COHORT_DESCRIPTIONS, api_query, parameters
from lifecycle.metrics.queries import period_metrics
from lifecycle.metrics.series import metric_series
from lifecycle.metrics.snapshots import daily_totals


class CanViewDashboards(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.has_perm("staff.view_dashboards"))


class PeriodMetricsView(APIView):
    """The period metrics of docs/metrics.md: the same object as `manage.py metrics --json`."""

    permission_classes = [CanViewDashboards]

    @extend_schema(parameters=parameters(MetricsForm), responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        data = api_query(MetricsForm, request.query_params)
        return Response(period_metrics(data["range"], data["segment"]))


class MetricSeriesView(APIView):
    """The metrics bucket by bucket (week, month, quarter or year) over [start, end).

    Every key of /api/v1/metrics/ except the churn split by cancellation type and the survey
    response rate."""

    permission_classes = [CanViewDashboards]

    @extend_schema(parameters=parameters(SeriesForm), responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        data = api_query(SeriesForm, request.query_params)
        rows = metric_series(data["range"], data["granularity"], data["segment"])
        return Response({"granularity": data["granularity"], "results": rows})


class DailyTotalsView(APIView):
    """Customers and MRR at the close of each day of [start, end), from the nightly snapshot
    (days not filled yet are absent). Segment filters do not apply: totals only."""

    permission_classes = [CanViewDashboards]

    @extend_schema(parameters=parameters(MetricsForm), responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        period = api_query(MetricsForm, request.query_params)["range"]
        return Response({"results": daily_totals(period.start, period.end)})


class CohortTableView(APIView):
    """Logo and revenue retention of each cohort month (month of first customer day), for
    each month after it up to `end` or the running month (docs/metrics.md, Cohorts)."""

    permission_classes = [CanViewDashboards]

    @extend_schema(
        parameters=parameters(CohortForm, COHORT_DESCRIPTIONS),
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        data = api_query(CohortForm, request.query_params)
        table = cohort_table(
            start_month=data["start"],
            end_month=data["end"],
            segment=data["segment"],
            today=timezone.localdate(),
        )
        return Response({"results": table})
