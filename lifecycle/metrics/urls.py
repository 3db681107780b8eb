from django.urls import path

from lifecycle.metrics import churn_views, views

app_name = "metrics"
urlpatterns = [
    path("series.csv", views.series_csv, name="series-csv"),
    path("cohorts/", views.cohorts, name="cohorts"),
    path("cohorts.csv", views.cohorts_csv, name="cohorts-csv"),
    path("churn/", churn_views.churn, name="churn"),
    path("churn.csv", churn_views.churn_csv, name="churn-csv"),
]
