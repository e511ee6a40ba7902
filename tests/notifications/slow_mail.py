"""The email edge of the worker-killed test: Django's file-based backend (each message a file in
a folder every process can count), as slow as a real mail server."""

import os
import time

from django.core.mail.backends import filebased


class SlowFileBackend(filebased.EmailBackend):
    """Takes ``TEST_EMAIL_DELAY`` seconds to accept each message, then writes it to its file."""

    def send_messages(self, email_messages):
        time.sleep(float(os.environ.get("TEST_EMAIL_DELAY", "1")))
        return super().send_messages(email_messages)
