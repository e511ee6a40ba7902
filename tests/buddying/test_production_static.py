"""With production settings, static files get hashed names: every page must still render."""

import re

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils.functional import empty

MANIFEST = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"


@pytest.fixture
def collected_static(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST}}
    staticfiles_storage._wrapped = empty  # rebuild the storage from the new settings
    call_command("collectstatic", "--noinput", verbosity=0)
    yield tmp_path
    staticfiles_storage._wrapped = empty


def _assert_static_files_exist(response, root):
    assert response.status_code == 200
    paths = re.findall(r'(?:href|src)="/static/([^"]+)"', response.content.decode())
    assert paths
    for path in paths:
        assert (root / path).is_file(), path


@pytest.mark.django_db
def test_pages_render_with_hashed_static_files(collected_static, client, world):
    _assert_static_files_exist(client.get(reverse("login")), collected_static)
    client.force_login(world.buddy_exec)
    _assert_static_files_exist(client.get(reverse("dashboard")), collected_static)
