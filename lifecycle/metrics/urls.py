from django.urls import path

from lifecycle.metrics import views

app_name = "metrics"
urlpatterns = [
    path("series.csv", views.series_csv, name="series-csv"),
]
