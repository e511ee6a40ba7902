"""A Django email backend that sends through GOV.UK Notify, as NHS services do.

Chosen by setting: ``EMAIL_BACKEND=buddying.notifications.notify.NotifyEmailBackend`` with
``GOVUK_NOTIFY_API_KEY`` and ``GOVUK_NOTIFY_TEMPLATE_ID`` (an email template whose subject is
``((subject))`` and whose message is ``((body))``; see the README). Notify sends its own HTML from
the template, so each message's plain-text body is what is sent. It uses the official
``notifications-python-client``.

A message Notify refuses raises (unless ``fail_silently``), so the digest's transaction is rolled
back and the task retries it: a failed send never marks a reminder sent.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.base import BaseEmailBackend
from notifications_python_client.notifications import NotificationsAPIClient


class NotifyEmailBackend(BaseEmailBackend):
    def __init__(self, fail_silently: bool = False, **kwargs):
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.api_key = getattr(settings, "GOVUK_NOTIFY_API_KEY", "")
        self.template_id = getattr(settings, "GOVUK_NOTIFY_TEMPLATE_ID", "")
        if not self.api_key or not self.template_id:
            raise ImproperlyConfigured(
                "GOV.UK Notify needs GOVUK_NOTIFY_API_KEY and GOVUK_NOTIFY_TEMPLATE_ID."
            )
        self.client = None

    def open(self) -> bool:
        if self.client is None:
            self.client = NotificationsAPIClient(self.api_key)
            return True
        return False

    def close(self) -> None:
        self.client = None

    def send_messages(self, email_messages) -> int:
        if not email_messages:
            return 0
        self.open()
        sent = 0
        for message in email_messages:
            for address in message.recipients():
                try:
                    self.client.send_email_notification(
                        email_address=address,
                        template_id=self.template_id,
                        personalisation={"subject": message.subject, "body": message.body},
                        reference=message.extra_headers.get("X-Buddying-Reference"),
                    )
                except Exception:
                    if not self.fail_silently:
                        raise
                    continue
            sent += 1
        return sent
