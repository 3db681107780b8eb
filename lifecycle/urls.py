from __future__ import annotations

from anymail import urls as anymail_urls
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from lifecycle.metrics import views as metrics_views
from lifecycle.ops.views import healthz
from lifecycle.staff import views as staff_views

# The tracking webhooks of the providers in use only (the product receives no inbound mail).
ANYMAIL_TRACKING = [
    pattern
    for pattern in anymail_urls.urlpatterns
    if pattern.name in {f"{name}_tracking_webhook" for name in settings.EMAIL_PROVIDER_WEBHOOKS}
]

admin.site.site_header = "Lifecycle CRM"
admin.site.site_title = "Lifecycle CRM"

urlpatterns = [
    path("", metrics_views.overview, name="home"),
    path("dashboard/", include("lifecycle.metrics.urls")),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("login/verify/", staff_views.verify, name="two-factor"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("outbox/", include("lifecycle.outbox.urls")),
    path("", include("surveys.urls")),
    path("", include("campaigns.urls")),
    path("admin/", admin.site.urls),
    # Email providers' delivery webhooks (bounces, complaints): HTTP basic auth with
    # ANYMAIL_WEBHOOK_SECRET, plus each provider's own signature where it has one.
    path("anymail/", include((ANYMAIL_TRACKING, "anymail"))),
    path("api/v1/", include("lifecycle.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI with its start-up script served apart (/api/docs/?script=), as the
    # Content-Security-Policy allows no inline script.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="api/swagger_ui.html"
        ),
        name="api-docs",
    ),
    path("healthz", healthz, name="healthz"),
]
handler404 = "lifecycle.lib.api.not_found"
