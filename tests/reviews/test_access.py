"""Every page and endpoint for every persona; the learning library's visibility and search;
fixed query counts."""

import datetime as dt

import pytest
from django.urls import reverse

from partnerships.reviews.models import LearningItem, OutcomeReview
from tests.conftest import PERSONAS, READERS, WRITERS
from tests.factories import OrganisationFactory, PartnershipFactory
from tests.reviews.factories import LearningFactory, ReviewFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(world):
    return ReviewFactory(partnership=world.partnership, status="draft")


@pytest.fixture
def unpublished(world):
    return LearningFactory(partnership=world.partnership, title="Board rounds", published=False)


@pytest.fixture
def published(world):
    return LearningFactory(
        partnership=world.partnership,
        title="Discharge lounge",
        description="Moving patients to a discharge lounge freed beds by mid-morning.",
        published=True,
    )


# --- Pages -----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_review_and_learning_pages_answer_each_persona(
    world, as_user, persona, review, unpublished, published
):
    client = as_user(world.user(persona))
    expected = 200 if persona in READERS else 404
    for url in (
        reverse("partnerships:detail", args=[world.partnership.pk]),
        reverse("reviews:detail", args=[review.pk]),
        reverse("reviews:learning-detail", args=[unpublished.pk]),
    ):
        assert client.get(url).status_code == expected, url
    # Published learning and the library: every member of the service, whatever their organisation.
    library_expected = 404 if persona == "nobody" else 200
    assert client.get(reverse("reviews:library")).status_code == library_expected
    assert (
        client.get(reverse("reviews:learning-detail", args=[published.pk])).status_code
        == library_expected
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_review_edit_page_for_writers_only(world, as_user, persona, review):
    response = as_user(world.user(persona)).get(reverse("reviews:edit", args=[review.pk]))
    expected = 200 if persona in WRITERS else 403 if persona in READERS else 404
    assert response.status_code == expected


def test_the_review_form_saves_objective_assessments(world, as_user, review):
    from partnerships.models import Objective

    objective = Objective.objects.create(
        partnership=world.partnership, title="Falls", baseline="12", target="6"
    )
    client = as_user(world.buddy_pm)
    page = client.get(reverse("reviews:edit", args=[review.pk]))
    assert "Baseline: 12. Target: 6." in page.content.decode()
    response = client.post(
        reverse("reviews:edit", args=[review.pk]),
        {
            "version": review.version,
            "period_start": "2026-04-01",
            "period_end": "2026-06-30",
            "due_date": "2026-07-14",
            "overall_rag": "green",
            f"{objective.pk}-rag": "green",
            f"{objective.pk}-measured_value": "7",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assessment = review.assessments.get()
    assert (assessment.rag, assessment.measured_value) == ("green", "7")


def test_submit_and_sign_off_in_the_browser(world, as_user, review):
    review.overall_rag = "green"
    review.save()
    assert (
        as_user(world.buddy_pm).post(reverse("reviews:submit", args=[review.pk])).status_code == 302
    )
    for executive in (world.buddy_exec, world.supported_exec):
        response = as_user(executive).post(reverse("reviews:sign-off", args=[review.pk]))
        assert response.status_code == 302
    assert OutcomeReview.objects.get(pk=review.pk).status == "signed_off"
    assert as_user(world.buddy_pm).get(reverse("reviews:edit", args=[review.pk])).status_code == 409


def test_partnership_page_shows_overdue_reviews_and_the_balance_of_learning(
    world, as_user, review, published
):
    review.due_date = dt.date(2026, 1, 1)
    review.save()
    html = (
        as_user(world.buddy_viewer)
        .get(reverse("partnerships:section", args=[world.partnership.pk, "reviews"]))
        .content.decode()
    )
    assert "Overdue" in html
    assert "Value for money" in html
    learning = (
        as_user(world.buddy_viewer)
        .get(reverse("partnerships:section", args=[world.partnership.pk, "learning"]))
        .content.decode()
    )
    assert "The balance of learning in each direction" in learning


# --- API -------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_review_api_per_persona(world, api_as, persona, review):
    client = api_as(world.user(persona))
    readable = persona in READERS
    assert client.get(f"/api/v1/reviews/{review.pk}/").status_code == (200 if readable else 404)
    listed = client.get("/api/v1/reviews/").json()
    assert listed.get("count", 0) == (1 if readable else 0)
    patch = client.patch(f"/api/v1/reviews/{review.pk}/", {"benefits_buddy": "x"}, format="json")
    assert patch.status_code == (200 if persona in WRITERS else 403 if readable else 404)
    created = client.post(
        "/api/v1/reviews/",
        {
            "partnership": str(world.partnership.pk),
            "period_start": "2026-05-01",
            "period_end": "2026-05-31",
            "due_date": "2026-06-14",
        },
        format="json",
    )
    assert created.status_code == (
        201 if persona in WRITERS else 403 if readable or persona == "nobody" else 400
    )


def test_review_api_if_match_and_etag(world, api_as, review):
    client = api_as(world.buddy_pm)
    response = client.get(f"/api/v1/reviews/{review.pk}/")
    etag = response["ETag"]
    ok = client.patch(
        f"/api/v1/reviews/{review.pk}/", {"benefits_buddy": "a"}, format="json", HTTP_IF_MATCH=etag
    )
    assert ok.status_code == 200
    stale = client.patch(
        f"/api/v1/reviews/{review.pk}/", {"benefits_buddy": "b"}, format="json", HTTP_IF_MATCH=etag
    )
    assert stale.status_code == 412


def test_review_api_submit_sign_off_and_read_only(world, api_as, review):
    review.overall_rag = "amber"
    review.save()
    assert (
        api_as(world.supported_exec).post(f"/api/v1/reviews/{review.pk}/sign-off/").status_code
        == 409
    )
    assert api_as(world.buddy_pm).post(f"/api/v1/reviews/{review.pk}/submit/").status_code == 200
    assert api_as(world.buddy_pm).post(f"/api/v1/reviews/{review.pk}/sign-off/").status_code == 403
    assert (
        api_as(world.buddy_exec).post(f"/api/v1/reviews/{review.pk}/sign-off/").status_code == 200
    )
    done = api_as(world.supported_exec).post(f"/api/v1/reviews/{review.pk}/sign-off/")
    assert done.json()["status"] == "signed_off"
    assert len(done.json()["sign_offs"]) == 2
    refused = api_as(world.buddy_pm).patch(
        f"/api/v1/reviews/{review.pk}/", {"benefits_buddy": "late"}, format="json"
    )
    assert refused.status_code == 409


def test_review_api_filters_and_csv(world, api_as, review):
    ReviewFactory(partnership=world.partnership, kind="quarterly", due_date=dt.date(2027, 1, 14))
    client = api_as(world.regulator)
    assert client.get("/api/v1/reviews/?kind=quarterly").json()["count"] == 1
    assert client.get("/api/v1/reviews/?status=draft").json()["count"] == 1
    assert client.get("/api/v1/reviews/?due_before=2026-12-01").json()["count"] == 1
    assert client.get("/api/v1/reviews/?updated_since=2099-01-01T00:00:00Z").json()["count"] == 0
    assert client.get(f"/api/v1/reviews/?partnership={world.partnership.pk}").json()["count"] == 2
    csv = client.get("/api/v1/reviews/?format=csv")
    assert csv.status_code == 200
    assert b"cost_of_support_gbp" in b"".join(csv.streaming_content)
    assert client.get("/api/v1/reviews/?due_before=not-a-date").status_code == 400


def test_bad_review_input_is_a_400_not_a_500(world, api_as, review):
    client = api_as(world.buddy_pm)
    for body in (
        {"segment_before": 9},
        {"cost_secondments_gbp": "-5"},
        {"overall_rag": "purple"},
        {"assessments": [{"objective": "not-a-uuid"}]},
        {"period_end": "2020-01-01"},
    ):
        response = client.patch(f"/api/v1/reviews/{review.pk}/", body, format="json")
        assert response.status_code == 400, (body, response.content)


@pytest.mark.parametrize("persona", PERSONAS)
def test_value_for_money_api_per_persona(world, api_as, persona):
    response = api_as(world.user(persona)).get(f"/api/v1/value-for-money/{world.partnership.pk}/")
    assert response.status_code == (200 if persona in READERS else 404)


# --- Learning and the library ----------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_learning_api_outsider_sees_published_items_only(
    world, api_as, persona, unpublished, published
):
    client = api_as(world.user(persona))
    titles = {item["title"] for item in client.get("/api/v1/learning/").json().get("results", [])}
    if persona in READERS:
        assert titles == {"Board rounds", "Discharge lounge"}
    elif persona == "outsider":
        assert titles == {"Discharge lounge"}
        assert client.get(f"/api/v1/learning/{unpublished.pk}/").status_code == 404
        assert client.get(f"/api/v1/learning/{published.pk}/").status_code == 200
        refused = client.patch(f"/api/v1/learning/{published.pk}/", {"title": "x"}, format="json")
        assert refused.status_code == 403
    else:
        assert titles == set()


@pytest.mark.parametrize("persona", PERSONAS)
def test_learning_api_writes_per_persona(world, api_as, persona, unpublished):
    client = api_as(world.user(persona))
    readable = persona in READERS
    patch = client.patch(f"/api/v1/learning/{unpublished.pk}/", {"adopted": True}, format="json")
    assert patch.status_code == (200 if persona in WRITERS else 403 if readable else 404)
    created = client.post(
        "/api/v1/learning/",
        {
            "partnership": str(world.partnership.pk),
            "title": "Mutual aid rota",
            "description": "Shared on-call rota",
            "direction": "mutual",
            "theme": "workforce",
        },
        format="json",
    )
    assert created.status_code == (
        201 if persona in WRITERS else 403 if readable or persona == "nobody" else 400
    )


def test_library_is_searchable_in_full_text_and_filterable(world, api_as, as_user, published):
    other = PartnershipFactory(buddy=OrganisationFactory(), supported=OrganisationFactory())
    LearningFactory(
        partnership=other,
        title="Freedom to speak up",
        description="Guardians reported to the board each month.",
        direction="supported_to_buddy",
        theme="leadership",
        published=True,
    )
    LearningFactory(partnership=other, title="Discharged unpublished", published=False)
    client = api_as(world.outsider)
    # Stemmed: "discharging" finds "discharge".
    found = client.get("/api/v1/learning/?published=true&q=discharging").json()["results"]
    assert [item["title"] for item in found] == ["Discharge lounge"]
    by_theme = client.get("/api/v1/learning/?published=true&theme=leadership").json()["results"]
    assert [item["title"] for item in by_theme] == ["Freedom to speak up"]
    by_direction = client.get("/api/v1/learning/?direction=supported_to_buddy").json()["results"]
    assert [item["title"] for item in by_direction] == ["Freedom to speak up"]
    page = as_user(world.outsider).get(reverse("reviews:library") + "?q=board+guardians")
    html = page.content.decode()
    assert "Freedom to speak up" in html and "Discharge lounge" not in html
    assert "Discharged unpublished" not in html


# --- Query counts ----------------------------------------------------------------------------


def _reviews_and_learning(world, count):
    for index in range(count):
        review = ReviewFactory(partnership=world.partnership, status="draft")
        LearningFactory(partnership=world.partnership, published=index % 2 == 0)
        from partnerships.reviews.models import ReviewSignOff

        ReviewSignOff.objects.create(
            review=review, party=world.partnership.buddy, signed_by=world.buddy_exec
        )


@pytest.mark.parametrize(
    "url",
    ["/api/v1/reviews/", "/api/v1/learning/", "/api/v1/learning/?published=true&q=discharge"],
)
def test_api_lists_run_a_fixed_number_of_queries(world, api_as, django_assert_max_num_queries, url):
    _reviews_and_learning(world, 2)
    client = api_as(world.buddy_viewer)
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200
    _reviews_and_learning(world, 20)
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200


def test_pages_run_a_fixed_number_of_queries(world, as_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user(world.buddy_viewer)
    urls = [reverse("partnerships:detail", args=[world.partnership.pk]), reverse("reviews:library")]
    _reviews_and_learning(world, 2)
    counts = []
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    _reviews_and_learning(world, 20)
    for url, before in zip(urls, counts, strict=True):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert len(queries) == before, url
    assert LearningItem.objects.count() == 22
