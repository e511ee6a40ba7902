import pytest
from django.test import RequestFactory

from buddying.views import not_found, server_error


@pytest.mark.django_db
def test_the_500_page_needs_no_database(django_assert_num_queries):
    request = RequestFactory().get("/partnerships/")
    with django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()


def test_a_missing_api_path_answers_json():
    response = not_found(RequestFactory().get("/api/v1/nothing-here/"))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
