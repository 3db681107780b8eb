from __future__ import annotations

from django.urls import path

from surveys import public_views, views

app_name = "surveys"

urlpatterns = [
    # Public: customers answer from the email without signing in.
    path("s/<str:token>/", public_views.answer_form, name="answer-form"),
    path("s/<str:token>/<int:score>/", public_views.answer, name="answer"),
    # Staff.
    path("surveys/responses/", views.response_list, name="responses"),
    path("surveys/responses.csv", views.response_list_csv, name="responses-csv"),
    path("surveys/responses/<int:pk>/", views.response_detail, name="response-detail"),
    path("surveys/follow-ups/", views.follow_up_list, name="follow-ups"),
    path("surveys/follow-ups/<int:pk>/", views.follow_up_detail, name="follow-up-detail"),
]
