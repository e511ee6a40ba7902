"""The settings the test suite runs with: the embedded (development) ones.

``DEBUG`` is off unless the environment turns it on, which a deployment must not; the suite runs
as the embedded product does, so the environment is set before the settings are computed, not
patched afterwards. (What DEBUG off demands is tested in tests/buddying/test_settings.py.)
"""

import os

os.environ.setdefault("DEBUG", "true")
# Tests read what they have just written; the settle window has tests of its own.
os.environ.setdefault("API_SYNC_SETTLE_SECONDS", "0")

from buddying.settings import *  # noqa: F403
