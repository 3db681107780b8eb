from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from lifecycle.metrics import views as metrics_views
from lifecycle.ops.views import healthz

admin.site.site_header = "Lifecycle CRM"
admin.site.site_title = "Lifecycle CRM"

urlpatterns = [
    path("", metrics_views.overview, name="home"),
    path("dashboard/", include("lifecycle.metrics.urls")),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("outbox/", include("lifecycle.outbox.urls")),
    path("", include("surveys.urls")),
    path("", include("campaigns.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("lifecycle.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("healthz", healthz, name="healthz"),
]
