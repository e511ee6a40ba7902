"""The OpenAPI schema at ``/api/schema/`` and the interactive docs at ``/api/docs/``, offline."""

import re

import pytest
import yaml
from django.contrib.staticfiles import finders


@pytest.mark.django_db
def test_the_schema_is_openapi_3_and_lists_the_partnership_endpoints(client):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Buddying API"
    paths = schema["paths"]
    for path in (
        "/api/v1/organisations/",
        "/api/v1/organisations/{ods_code}/",
        "/api/v1/partnerships/",
        "/api/v1/partnerships/{id}/",
        "/api/v1/partnerships/{id}/transition/",
        "/api/v1/partnerships/{id}/approve/",
    ):
        assert path in paths, path
    assert set(paths["/api/v1/partnerships/{id}/"]) >= {"get", "patch"}
    assert "put" not in paths["/api/v1/partnerships/{id}/"]
    schemes = schema["components"]["securitySchemes"]
    assert schemes["knoxApiToken"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": 'Token-based authentication with required prefix "Token"',
    }
    assert "cookieAuth" in schemes


@pytest.mark.django_db
def test_the_schema_documents_the_partnership_filters(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)

    parameters = {p["name"] for p in schema["paths"]["/api/v1/partnerships/"]["get"]["parameters"]}
    assert {"status", "kind", "organisation", "region", "updated_since", "page"} <= parameters


@pytest.mark.django_db
def test_the_schema_is_available_as_json(client):
    response = client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


@pytest.mark.django_db
def test_the_docs_page_renders_with_assets_served_by_the_project(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html.lower()
    # Swagger UI's start-up script is a file of its own (no inline script under the CSP).
    script = client.get("/api/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()
    # Nothing from the internet: every script and stylesheet is one of our static files.
    urls = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html)
    assert urls, "the page should load Swagger UI's script and styles"
    for url in urls:
        assert url.startswith("/static/"), url
        assert finders.find(url.removeprefix("/static/")), f"{url} is not a static file"
    assert "cdn.jsdelivr.net" not in html
    assert "unpkg.com" not in html
