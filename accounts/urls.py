from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.account_list, name="list"),
    path("export.csv", views.account_list_csv, name="list-csv"),
    path("new/", views.account_create, name="create"),
    path("import/", views.import_upload, name="import"),
    path("<int:pk>/", views.account_detail, name="detail"),
    path("<int:pk>/edit/", views.account_edit, name="edit"),
    path("<int:pk>/contacts/new/", views.contact_edit, name="contact-create"),
    path("<int:pk>/contacts/<int:contact_pk>/", views.contact_edit, name="contact-edit"),
    path("<int:pk>/subscriptions/new/", views.subscription_edit, name="subscription-create"),
    path(
        "<int:pk>/subscriptions/<int:subscription_pk>/",
        views.subscription_edit,
        name="subscription-edit",
    ),
]
