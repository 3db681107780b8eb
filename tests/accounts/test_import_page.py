from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Account, Subscription

ACCOUNTS = b"external_id,name,industry\nacc-1,Acme,Software\nacc-2,Globex,Retail\n"
BAD_SUBSCRIPTIONS = (
    b"external_id,account_external_id,mrr,started_on\n"
    b"sub-1,acc-1,100,2024-01-01\n"
    b"sub-2,acc-2,-5,2024-01-01\n"
    b"sub-3,acc-1,50,2024-02-30\n"
)


def upload(client, dry_run: bool = False, **files: bytes):
    data = {kind: SimpleUploadedFile(f"{kind}.csv", content) for kind, content in files.items()}
    if dry_run:
        data["dry_run"] = "on"
    return client.post("/accounts/import/", data)


@pytest.mark.django_db
def test_a_marketer_imports_accounts_from_the_web_page(marketer_client):
    response = upload(marketer_client, accounts=ACCOUNTS)

    assert response.status_code == 200
    assert "Import finished." in response.content.decode()
    assert sorted(Account.objects.values_list("name", flat=True)) == ["Acme", "Globex"]


@pytest.mark.django_db
def test_the_page_lists_every_bad_line_and_imports_nothing(marketer_client):
    response = upload(marketer_client, accounts=ACCOUNTS, subscriptions=BAD_SUBSCRIPTIONS)

    page = response.content.decode()
    assert "subscriptions.csv:3: mrr:" in page
    assert "subscriptions.csv:4: started_on:" in page
    assert "Nothing was imported: 2 errors." in page
    assert not Account.objects.exists() and not Subscription.objects.exists()


@pytest.mark.django_db
def test_a_check_only_upload_writes_nothing(marketer_client):
    response = upload(marketer_client, dry_run=True, accounts=ACCOUNTS)

    assert "Nothing was imported (check only)" in response.content.decode()
    assert not Account.objects.exists()


@pytest.mark.django_db
def test_an_upload_with_no_file_asks_for_one(marketer_client):
    response = marketer_client.post("/accounts/import/", {})
    assert "Choose at least one CSV file." in response.content.decode()


@pytest.mark.django_db
def test_viewers_cannot_import(viewer_client):
    assert upload(viewer_client, accounts=ACCOUNTS).status_code == 403
    assert not Account.objects.exists()
