from __future__ import annotations

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import override_settings

from lifecycle.outbox.models import OutboxEmail

OUTBOX = "lifecycle.outbox.backends.OutboxBackend"


def send_multipart(subject: str = "Welcome aboard", to: str = "ana@example.com") -> None:
    message = EmailMultiAlternatives(
        subject=subject,
        body="Hello Ana, plain text.",
        from_email="Lifecycle <noreply@example.com>",
        to=[to],
        headers={"List-Unsubscribe": "<https://crm.example.com/u/abc>"},
    )
    message.attach_alternative("<p>Hello <b>Ana</b></p>", "text/html")
    message.send()


@pytest.mark.django_db
@override_settings(EMAIL_BACKEND=OUTBOX)
def test_the_outbox_keeps_every_part_of_a_sent_email():
    send_multipart()

    email = OutboxEmail.objects.get()
    assert email.to == "ana@example.com"
    assert email.subject == "Welcome aboard"
    assert email.body_text == "Hello Ana, plain text."
    assert email.body_html == "<p>Hello <b>Ana</b></p>"
    assert email.headers["List-Unsubscribe"] == "<https://crm.example.com/u/abc>"
    assert "multipart/alternative" in email.raw


@pytest.mark.django_db
@override_settings(EMAIL_BACKEND=OUTBOX)
def test_the_outbox_stores_one_row_per_message_sent_over_one_connection():
    connection = mail.get_connection()
    messages = [
        EmailMultiAlternatives(f"Message {n}", "body", "a@example.com", [f"c{n}@example.com"])
        for n in range(5)
    ]
    assert connection.send_messages(messages) == 5
    assert OutboxEmail.objects.count() == 5


@pytest.mark.django_db
@override_settings(EMAIL_BACKEND=OUTBOX)
def test_marketers_read_the_outbox_and_its_html_cannot_run_script(marketer_client):
    send_multipart(subject="Evil", to="x@example.com")
    OutboxEmail.objects.update(body_html='<script>alert("x")</script><p>hi</p>')
    email = OutboxEmail.objects.get()

    listing = marketer_client.get("/outbox/")
    detail = marketer_client.get(f"/outbox/{email.pk}/")

    assert listing.status_code == 200
    assert b"Evil" in listing.content
    assert detail.status_code == 200
    # Sandboxed without allow-scripts or allow-same-origin: no script, no reach into the page.
    assert b'sandbox="allow-popups allow-popups-to-escape-sandbox"' in detail.content
    assert b"<script>alert" not in detail.content
    # Its links open a new tab rather than inside the frame.
    assert b"&lt;base target=&quot;_blank&quot;&gt;&lt;script&gt;" in detail.content


@pytest.mark.django_db
@override_settings(EMAIL_BACKEND=OUTBOX)
def test_the_outbox_list_costs_the_same_queries_for_many_emails(
    marketer_client, django_assert_max_num_queries
):
    for n in range(3):
        send_multipart(to=f"few{n}@example.com")
    with django_assert_max_num_queries(8) as few:
        marketer_client.get("/outbox/")
    for n in range(40):
        send_multipart(to=f"many{n}@example.com")
    with django_assert_max_num_queries(len(few.captured_queries)):
        marketer_client.get("/outbox/?q=many")


@pytest.mark.django_db
def test_viewers_cannot_read_the_outbox(viewer_client):
    assert viewer_client.get("/outbox/").status_code == 403
