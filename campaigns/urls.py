from __future__ import annotations

from django.urls import path

from campaigns import referral_views, staff_views, views

app_name = "campaigns"

urlpatterns = [
    # Public: RFC 8058 one-click unsubscribe (bare POST) and its confirmation page (GET).
    path("u/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("preferences/<str:token>/", views.preferences, name="preferences"),
    # Public: the open pixel and the click redirect of tracked emails.
    path("t/o/<str:token>/", views.open_pixel, name="open"),
    path("t/c/<str:token>/", views.click, name="click"),
    # Public: a contact's referral page.
    path("r/<str:code>/", referral_views.referral, name="referral"),
    # Staff: the referrals and their progress.
    path("referrals/", staff_views.referral_list, name="referrals"),
    path("referrals/<int:pk>/", staff_views.referral_update, name="referral-update"),
]
