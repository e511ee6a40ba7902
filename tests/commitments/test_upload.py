"""The CSV upload of deliveries: all rows or none, with each bad row listed by line."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partnerships.commitments.models import Delivery
from tests.commitments.factories import CommitmentFactory
from tests.conftest import PERSONAS, READERS

pytestmark = pytest.mark.django_db

HEADER = "commitment reference,date,quantity,staff group,note\n"


@pytest.fixture
def upload(world, as_user):
    client = as_user(world.buddy_pm)
    url = reverse("commitments:upload", args=[world.partnership.pk])

    def send(content: bytes | str, name="deliveries.csv", user=None, **confirm):
        if isinstance(content, str):
            content = content.encode()
        if user is not None:
            as_user(user)
        data = {"file": SimpleUploadedFile(name, content, "text/csv"), **confirm}
        return client.post(url, data)

    return send


def _text(response) -> str:
    return response.content.decode()


def _problem_rows(response) -> list[tuple[str, str]]:
    """The (line, problems) rows of the page's "Rows with problems" table, as plain text."""
    table = _text(response).split("Rows with problems")[1].split("</table>")[0]
    cells = [
        " ".join(re.sub(r"<[^>]+>", " ", cell).split())
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", table, flags=re.DOTALL)
    ]
    return list(zip(cells[::2], cells[1::2], strict=True))


def test_a_good_file_saves_every_row(world, commitment, upload):
    response = upload(
        HEADER
        + "C-0001,2026-11-01,7.5,Medical and dental,Theatre list\n"
        + "c-0001,02/11/2026,2,nursing_midwifery,\n"
        + ",,,,\n"  # blank rows at the end of a spreadsheet are skipped
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("partnerships:detail", args=[world.partnership.pk])
    rows = list(Delivery.objects.order_by("date").values_list("date", "quantity", "staff_group"))
    assert rows == [
        (dt.date(2026, 11, 1), Decimal("7.5"), "medical_dental"),
        (dt.date(2026, 11, 2), Decimal("2"), "nursing_midwifery"),
    ]
    assert set(Delivery.objects.values_list("logged_by", flat=True)) == {world.buddy_pm.pk}
    assert Delivery.history.filter(history_user=world.buddy_pm).count() == 2


def test_columns_may_come_in_any_order_and_case_and_optional_ones_may_be_left_out(
    world, commitment, upload
):
    response = upload("Quantity,Commitment_Reference,DATE\n3,C-0001,2026-10-01\n")
    assert response.status_code == 302
    assert Delivery.objects.get().quantity == 3


def test_a_spreadsheets_byte_order_mark_is_accepted(world, commitment, upload):
    response = upload(("\ufeff" + HEADER + "C-0001,2026-10-01,1,,\n").encode("utf-8"))
    assert response.status_code == 302


def test_one_bad_row_among_many_saves_nothing_and_lists_it(world, commitment, upload):
    good = "".join(f"C-0001,2026-10-{day:02d},1,,\n" for day in range(1, 29))
    response = upload(HEADER + good + "C-0001,2026-12-25,1,,\n" + good)
    text = _text(response)
    assert response.status_code == 200
    assert not Delivery.objects.exists()
    assert "<title>Error: " in text
    assert "1 row has a problem. Nothing was saved." in text
    assert "Rows with problems (1)" in text
    # The header is line 1, the good rows lines 2 to 29.
    assert _problem_rows(response) == [("30", "Date: The date must be today or in the past.")]


def test_every_bad_row_is_listed_with_its_line_and_reason(world, commitment, upload):
    CommitmentFactory(
        partnership=world.partnership, organisation=world.supported, reference="C-0002"
    )
    response = upload(
        HEADER
        + "C-0001,2026-10-01,1,,fine\n"  # line 2
        + "C-0099,2026-10-01,1,,\n"  # 3: no such commitment
        + "C-0002,2026-10-01,1,,\n"  # 4: the other party's commitment
        + "C-0001,1 October,1,,\n"  # 5: not a date
        + "C-0001,2026-10-01,none,,\n"  # 6: not a number
        + "C-0001,2026-10-01,0,,\n"  # 7: not more than 0
        + "C-0001,2026-03-31,1,,\n"  # 8: before the start
        + "C-0001,2026-10-01,1,Porters,\n"  # 9: not a staff group
        + ",,1,,\n"  # 10: no reference, no date
    )
    assert "8 rows have problems. Nothing was saved." in _text(response)
    rows = dict(_problem_rows(response))
    assert list(rows) == ["3", "4", "5", "6", "7", "8", "9", "10"]
    assert rows["3"] == "Commitment reference: There is no commitment C-0099 in this partnership."
    assert rows["4"] == (
        "Commitment reference: You cannot log deliveries for Basildon and Thurrock University "
        "Hospitals NHS Foundation Trust&#39;s commitments."
    )
    assert rows["5"].startswith("Date: “1 October” is not a date.")
    assert rows["6"] == "Quantity: “none” is not a number. Enter a number, like 7.5."
    assert rows["7"] == "Quantity: The quantity must be more than 0."
    assert rows["8"] == "Date: The date must be on or after the commitment starts (1 April 2026)."
    assert rows["9"].startswith("Staff group: “Porters” is not a staff group.")
    assert rows["10"] == (
        "Commitment reference: Enter the commitment reference, like C-0001. Date: Enter the date."
    )
    assert not Delivery.objects.exists()


def test_row_errors_come_with_line_numbers(world, commitment):
    from buddying.common.errors import RowErrors
    from partnerships.commitments import services

    with pytest.raises(RowErrors) as raised:
        services.deliveries_upload(
            partnership=world.partnership,
            by=world.buddy_pm,
            rows=[
                (2, {"commitment reference": "C-0001", "date": "2026-10-01", "quantity": "1"}),
                (7, {"commitment reference": "C-0001", "date": "2026-10-01", "quantity": "-1"}),
            ],
        )
    assert raised.value.rows == {7: {"quantity": ["The quantity must be more than 0."]}}
    assert raised.value.messages == ["Line 7: The quantity must be more than 0."]


@pytest.mark.parametrize(
    "content",
    [
        "reference,day,amount\nC-0001,2026-10-01,1\n",
        "commitment reference,date\nC-0001,2026-10-01\n",
        "commitment reference,date,quantity,colour\nC-0001,2026-10-01,1,red\n",
        "commitment reference,date,date,quantity\nC-0001,2026-10-01,2026-10-01,1\n",
    ],
)
def test_wrong_columns_are_refused(world, commitment, upload, content):
    text = _text(upload(content))
    assert "The selected file must have the columns" in text
    assert "<title>Error: " in text
    assert not Delivery.objects.exists()


@pytest.mark.parametrize("content", [b"", b"   \n\n", HEADER.encode()])
def test_an_empty_file_is_refused(world, commitment, upload, content):
    text = _text(upload(content))
    assert "The selected file is empty" in text or "has no deliveries in it" in text
    assert "<title>Error: " in text


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",  # an image
        b"PK\x03\x04\x14\x00\x06\x00",  # a spreadsheet (.xlsx is a zip)
        "commitment reference,date,quantity\nC-0001,2026-10-01,1\n".encode("utf-16"),
        b"commitment reference,date,quantity\nC-0001,2026-10-01,\xff\xfe1\n",
    ],
)
def test_a_file_that_is_not_a_csv_is_refused(world, commitment, upload, content):
    response = upload(content, name="deliveries.xlsx")
    assert response.status_code == 200
    assert "The selected file must be a CSV file" in _text(response)
    assert not Delivery.objects.exists()


def test_no_file_chosen(world, commitment, as_user):
    response = as_user(world.buddy_pm).post(
        reverse("commitments:upload", args=[world.partnership.pk]), {}
    )
    assert "Select a CSV file" in _text(response)


def test_the_page_documents_the_columns(world, as_user):
    text = _text(
        as_user(world.supported_pm).get(reverse("commitments:upload", args=[world.partnership.pk]))
    )
    columns = text.split("<caption")[1].split("</table>")[0]
    cells = [" ".join(cell.split()) for cell in re.findall(r"<td[^>]*>(.*?)</td>", columns, re.S)]
    assert cells[::2] == ["commitment reference", "date", "quantity", "staff group", "note"]
    assert "YYYY-MM-DD" in cells[3]


def test_a_file_of_10000_rows_is_accepted(world, commitment, upload):
    commitment.planned_quantity = 5000  # 10,000 half hours: the whole plan, not past it
    commitment.save()
    rows = "".join(
        f"C-0001,{dt.date(2026, 4, 1) + dt.timedelta(days=n % 200)},0.5,Medical and dental,Row {n}\n"
        for n in range(10_000)
    )
    response = upload(HEADER + rows)
    assert response.status_code == 302
    assert Delivery.objects.count() == 10_000
    assert Delivery.history.count() == 10_000


@pytest.mark.parametrize("persona", PERSONAS)
def test_upload_access_for_every_persona(world, commitment, upload, persona):
    response = upload(HEADER + "C-0001,2026-10-01,1,,\n", user=world.user(persona))
    if persona in ("buddy_exec", "buddy_pm"):
        assert response.status_code == 302
    elif persona in ("supported_exec", "supported_pm"):
        # They may upload for their own organisation, but C-0001 is the buddy's.
        assert response.status_code == 200
        assert "You cannot log deliveries for Royal Free London" in _text(response)
    else:
        assert response.status_code == (403 if persona in READERS else 404)
    assert Delivery.objects.count() == (1 if persona in ("buddy_exec", "buddy_pm") else 0)


def test_a_closed_partnership_refuses_uploads(world, commitment, upload):
    world.partnership.status = "closed"
    world.partnership.closure_outcome = "terminated_early"
    world.partnership.closure_reason = "Ended by agreement."
    world.partnership.save()
    assert upload(HEADER + "C-0001,2026-10-01,1,,\n").status_code == 409
    assert not Delivery.objects.exists()


# --- Bounded error reports, the same file twice, implausible quantities --------------------------


def test_a_file_of_50000_bad_rows_lists_the_first_100_and_counts_the_rest(
    world, commitment, upload, as_user, django_capture_on_commit_callbacks, settings, tmp_path
):
    from partnerships.commitments import services
    from partnerships.commitments.models import DeliveryUpload

    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=False):
        response = upload(HEADER + "C-9999,not-a-date,x,,\n" * 50_000)
    assert response.status_code == 302  # too large to check while the page waits: a task does
    services.delivery_upload_process(upload_id=DeliveryUpload.objects.get().pk)
    page = as_user(world.buddy_pm).get(response["Location"])
    text = _text(page)
    assert "Nothing was saved. 50,000 rows have problems." in text
    assert len(_problem_rows(page)) == 100
    assert "49,900 more rows have problems too" in text
    assert len(page.content) < 500_000  # a page, not a 26 MB report
    assert not Delivery.objects.exists()


def test_the_same_file_again_is_refused_unless_the_person_confirms_it_is_new(
    world, commitment, upload
):
    from partnerships.commitments.models import DeliveryUpload

    content = HEADER + "C-0001,2026-05-01,2,,\n"
    assert upload(content).status_code == 302
    record = DeliveryUpload.objects.get()
    assert (record.rows, record.uploaded_by, len(record.sha256)) == (1, world.buddy_pm, 64)
    again = upload(content)
    assert again.status_code == 200
    assert "This file was already uploaded to this partnership" in _text(again)
    assert "These are new deliveries" in _text(again)  # the box to confirm it
    assert Delivery.objects.count() == 1
    assert upload(content, confirm_again="on").status_code == 302
    assert Delivery.objects.count() == 2
    assert DeliveryUpload.objects.count() == 2


def test_a_row_past_the_whole_plan_needs_confirming(commitment, upload):
    # Six days of 20 hours: the sixth takes the 100-hour plan to 120.
    content = HEADER + "".join(f"C-0001,2026-05-0{day},20,,\n" for day in range(1, 7))
    response = upload(content)
    assert response.status_code == 200
    assert "past its whole plan" in _text(response)
    assert [line for line, _ in _problem_rows(response)] == ["7"]
    assert not Delivery.objects.exists()
    assert upload(content, confirm_quantities="on").status_code == 302
    assert Delivery.objects.count() == 6


# --- A large file is checked and saved by a task, its page showing where it is ------------------


def test_a_large_file_is_checked_by_a_task_whose_page_shows_its_progress(
    world,
    commitment,
    upload,
    as_user,
    monkeypatch,
    django_capture_on_commit_callbacks,
    settings,
    tmp_path,
):
    from partnerships.commitments import services
    from partnerships.commitments.models import DeliveryUpload

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(services, "UPLOAD_ROWS_CHECKED_WHILE_WAITING", 2)
    content = HEADER + "".join(f"C-0001,2026-05-0{day},1,,\n" for day in range(1, 4))
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = upload(content)
    kept = DeliveryUpload.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/deliveries/uploads/{kept.pk}/")
    assert len(queued) == 1  # the task, once the upload is committed
    page = as_user(world.buddy_viewer).get(response["Location"])
    assert "Waiting to be checked" in _text(page)
    assert 'http-equiv="refresh"' in _text(page)
    assert not Delivery.objects.exists()

    services.delivery_upload_process(upload_id=kept.pk)  # what the worker runs
    assert services.delivery_upload_process(upload_id=kept.pk) is None  # a duplicate: nothing
    page = _text(as_user(world.buddy_viewer).get(response["Location"]))
    assert "3 deliveries were saved" in page and 'http-equiv="refresh"' not in page
    assert Delivery.objects.count() == 3
    assert as_user(world.outsider).get(response["Location"]).status_code == 404


def test_a_large_bad_file_is_refused_row_by_row_on_its_page(
    world,
    commitment,
    upload,
    as_user,
    monkeypatch,
    django_capture_on_commit_callbacks,
    settings,
    tmp_path,
):
    from partnerships.commitments import services
    from partnerships.commitments.models import DeliveryUpload

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(services, "UPLOAD_ROWS_CHECKED_WHILE_WAITING", 2)
    with django_capture_on_commit_callbacks(execute=False):
        response = upload(
            HEADER + "C-0001,2026-05-01,1,,\nC-0001,soon,1,,\nC-0009,2026-05-01,1,,\n"
        )
    services.delivery_upload_process(upload_id=DeliveryUpload.objects.get().pk)
    page = _text(as_user(world.buddy_pm).get(response["Location"]))
    assert "Nothing was saved. 2 rows have problems." in page
    assert "There is no commitment C-0009 in this partnership." in page
    assert not Delivery.objects.exists()
