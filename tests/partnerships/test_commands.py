"""The management commands: importing trusts, adding organisations and members, tokens, demo data."""

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from knox.models import AuthToken

from partnerships.choices import OrganisationKind, PartnershipStatus, Role
from partnerships.management.commands.import_organisations import DEFAULT_PATH
from partnerships.management.commands.seed_demo import DEMO_PASSWORD, read_pairs
from partnerships.models import Membership, Organisation, Partnership
from tests.factories import OrganisationFactory, RegulatorFactory, UserFactory

User = get_user_model()
REAL_ROWS = list(csv.reader(DEFAULT_PATH.open(newline="", encoding="utf-8")))


def run(*args, **options) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def write_rows(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, quoting=csv.QUOTE_ALL).writerows(rows)
    return path


def real_rows_with(line: int, change) -> list[list[str]]:
    """The real file's rows with the row on ``line`` (1-based) changed by ``change(row)``."""
    rows = [list(row) for row in REAL_ROWS]
    rows[line - 1] = change(rows[line - 1])
    return rows


def set_cell(column: int, value: str):
    def change(row):
        row[column] = value
        return row

    return change


# --- import_organisations ------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_of_the_real_file_creates_271_english_trusts_of_which_199_are_active():
    output = run("import_organisations")

    assert output.strip() == "Created 271, updated 0, unchanged 0 (skipped 3 Welsh rows)"
    assert Organisation.objects.count() == 271
    assert Organisation.objects.filter(active=True).count() == 199
    assert set(Organisation.objects.values_list("kind", flat=True)) == {OrganisationKind.TRUST}


@pytest.mark.django_db
def test_import_reads_region_icb_address_dates_and_telephone():
    run("import_organisations")

    trust = Organisation.objects.get(ods_code="RRK")
    assert trust.name == "UNIVERSITY HOSPITALS BIRMINGHAM NHS FOUNDATION TRUST"
    assert trust.region_code == "Y60"
    assert trust.region_name == "Midlands"
    assert trust.icb_code == "QHL"
    assert trust.icb_name == "NHS Birmingham and Solihull Integrated Care Board"
    assert trust.address == "QUEEN ELIZABETH HOSPITAL, MINDELSOHN WAY, EDGBASTON, BIRMINGHAM"
    assert trust.postcode == "B15 2GW"
    assert trust.open_date == date(1995, 4, 1)
    assert trust.close_date is None
    assert trust.active is True


@pytest.mark.django_db
def test_import_keeps_closed_trusts_as_inactive_and_skips_welsh_rows():
    run("import_organisations")

    closed = Organisation.objects.get(ods_code="RDD")
    assert closed.close_date == date(2020, 3, 31)
    assert closed.active is False
    assert not Organisation.objects.filter(ods_code__in=["RQF", "RT4", "RYT"]).exists()
    assert Organisation.objects.filter(ods_code="K0N6A").exists()  # a five-character code


@pytest.mark.django_db
def test_import_twice_changes_nothing_the_second_time():
    run("import_organisations")
    history = Organisation.history.count()

    output = run("import_organisations")

    assert output.strip() == "Created 0, updated 0, unchanged 271 (skipped 3 Welsh rows)"
    assert Organisation.objects.count() == 271
    assert Organisation.history.count() == history


@pytest.mark.django_db
def test_import_updates_a_renamed_trust_and_keeps_a_kind_refined_by_hand(tmp_path):
    run("import_organisations")
    Organisation.objects.filter(ods_code="RRK").update(kind=OrganisationKind.ACUTE, segment=2)
    line = next(i for i, row in enumerate(REAL_ROWS, start=1) if row[0] == "RRK")
    renamed = write_rows(
        tmp_path / "etr.csv", real_rows_with(line, set_cell(1, "BIRMINGHAM HOSPITALS NHS TRUST"))
    )

    output = run("import_organisations", str(renamed))

    assert output.strip() == "Created 0, updated 1, unchanged 270 (skipped 3 Welsh rows)"
    trust = Organisation.objects.get(ods_code="RRK")
    assert trust.name == "BIRMINGHAM HOSPITALS NHS TRUST"
    assert trust.kind == OrganisationKind.ACUTE
    assert trust.segment == 2
    assert trust.history.first().name == "BIRMINGHAM HOSPITALS NHS TRUST"


@pytest.mark.django_db
def test_import_marks_a_trust_inactive_when_the_file_shows_it_closed(tmp_path):
    run("import_organisations")
    line = next(i for i, row in enumerate(REAL_ROWS, start=1) if row[0] == "RRK")
    closed = write_rows(tmp_path / "etr.csv", real_rows_with(line, set_cell(11, "20260630")))

    run("import_organisations", str(closed))

    trust = Organisation.objects.get(ods_code="RRK")
    assert trust.active is False
    assert trust.close_date == date(2026, 6, 30)


@pytest.mark.django_db
def test_import_history_is_recorded_as_made_by_the_system():
    run("import_organisations")

    records = Organisation.history.all()
    assert records.count() == 271
    assert not records.filter(history_user__isnull=False).exists()
    assert set(records.values_list("history_type", flat=True)) == {"+"}


@pytest.mark.django_db
def test_import_runs_a_fixed_number_of_queries_not_one_per_row(django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        run("import_organisations")
    with django_assert_max_num_queries(20):
        run("import_organisations")


BAD_FILES = {
    "too few columns": (7, lambda row: row[:20], "Line 7: expected 27 columns, found 20"),
    "bad open date": (9, set_cell(10, "2019-04-01"), "Line 9: the open date “2019-04-01”"),
    "bad close date": (12, set_cell(11, "20201399"), "Line 12: the close date “20201399”"),
    "empty code": (3, set_cell(0, ""), "Line 3: the ODS code is empty"),
    "empty name": (30, set_cell(1, "  "), "Line 30: the name of"),
    "duplicate code": (
        40,
        set_cell(0, REAL_ROWS[4][0]),
        "Line 40: R0C appears again \\(first on line 5\\)",
    ),
    "postcode too long": (50, set_cell(9, "X" * 30), "Line 50: postcode"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("problem", BAD_FILES)
def test_import_of_a_malformed_row_names_the_line_and_writes_nothing(tmp_path, problem):
    line, change, message = BAD_FILES[problem]
    path = write_rows(tmp_path / "etr.csv", real_rows_with(line, change))

    with pytest.raises(CommandError, match=message):
        call_command("import_organisations", str(path))

    assert Organisation.objects.count() == 0
    assert Organisation.history.count() == 0


@pytest.mark.django_db
def test_import_of_a_bad_file_leaves_earlier_imports_untouched(tmp_path):
    run("import_organisations")
    before = list(Organisation.objects.order_by("ods_code").values())
    rows = real_rows_with(1, set_cell(1, "A NEW NAME"))
    rows[-1] = rows[-1][:5]
    path = write_rows(tmp_path / "etr.csv", rows)

    with pytest.raises(CommandError, match=f"Line {len(rows)}: expected 27 columns"):
        call_command("import_organisations", str(path))

    assert list(Organisation.objects.order_by("ods_code").values()) == before


@pytest.mark.django_db
def test_import_of_a_binary_file_is_refused(tmp_path):
    path = tmp_path / "etr.csv"
    path.write_bytes(b'"RRK","A TRUST"\n\x89PNG\r\n\x1a\n\xff\xfe\x00\x00')

    with pytest.raises(CommandError, match="Line 2: this is not a CSV text file"):
        call_command("import_organisations", str(path))
    assert Organisation.objects.count() == 0


@pytest.mark.django_db
def test_import_of_text_that_is_not_csv_is_refused(tmp_path):
    path = tmp_path / "etr.json"
    path.write_text('{"organisations": [{"code": "RRK"}]}\n')

    with pytest.raises(CommandError, match="Line 1: expected 27 columns, found 1"):
        call_command("import_organisations", str(path))


@pytest.mark.django_db
def test_import_of_a_row_with_a_broken_quote_is_refused(tmp_path):
    rows = [",".join(f'"{cell}"' for cell in row) for row in REAL_ROWS[:3]]
    rows[2] = rows[2].replace('"R0A"', '"R0"A"')
    path = tmp_path / "etr.csv"
    path.write_text("\n".join(rows) + "\n")

    with pytest.raises(CommandError, match="Line 3: this is not a valid CSV row"):
        call_command("import_organisations", str(path))
    assert Organisation.objects.count() == 0


@pytest.mark.django_db
def test_import_of_a_missing_or_empty_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="There is no file at"):
        call_command("import_organisations", str(tmp_path / "nowhere.csv"))
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(CommandError, match="has no rows"):
        call_command("import_organisations", str(empty))


# --- add_organisation ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_add_organisation_adds_a_regulator():
    output = run("add_organisation", "X24", "NHS England", kind="regulator")

    organisation = Organisation.objects.get(ods_code="X24")
    assert organisation.name == "NHS England"
    assert organisation.kind == OrganisationKind.REGULATOR
    assert organisation.history.get().history_user is None
    assert "Added X24 NHS England (Regulator)" in output


@pytest.mark.django_db
def test_add_organisation_takes_a_region():
    run("add_organisation", "qhl", "NHS Birmingham ICB", "--kind", "icb", "--region", "y60")

    organisation = Organisation.objects.get(ods_code="QHL")
    assert (organisation.kind, organisation.region_code) == (OrganisationKind.ICB, "Y60")
    assert organisation.region_name == "Midlands"


@pytest.mark.django_db
def test_add_organisation_looks_up_the_icb_name():
    run("add_organisation", "X99", "A body", kind="other", icb="qhl")

    organisation = Organisation.objects.get(ods_code="X99")
    assert organisation.icb_name == "NHS Birmingham and Solihull Integrated Care Board"


@pytest.mark.django_db
def test_add_organisation_refuses_an_unknown_region():
    with pytest.raises(CommandError, match="“Y99” is not an NHS England region"):
        call_command("add_organisation", "X99", "A body", kind="other", region="Y99")
    assert not Organisation.objects.exists()


@pytest.mark.django_db
def test_add_organisation_refuses_a_duplicate_code():
    OrganisationFactory(ods_code="RRK", name="Birmingham")

    with pytest.raises(CommandError, match="already exists"):
        call_command("add_organisation", "rrk", "Another", kind="trust")
    assert Organisation.objects.get(ods_code="RRK").name == "Birmingham"


@pytest.mark.django_db
def test_add_organisation_refuses_an_unknown_kind():
    with pytest.raises(CommandError, match="“hospital” is not a kind of organisation"):
        call_command("add_organisation", "X99", "Somewhere", kind="hospital")
    assert not Organisation.objects.exists()


@pytest.mark.django_db
def test_add_organisation_refuses_a_code_that_is_too_long():
    with pytest.raises(CommandError, match="at most 10 characters"):
        call_command("add_organisation", "X" * 11, "Somewhere", kind="other")
    assert not Organisation.objects.exists()


# --- add_member ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_add_member_creates_the_user_and_the_membership():
    OrganisationFactory(ods_code="RAL")

    output = run(
        "add_member", "asha", org="ral", role="executive", password="s3cret-pass", email="a@nhs.net"
    )

    user = User.objects.get(username="asha")
    assert user.check_password("s3cret-pass")
    assert user.email == "a@nhs.net"
    membership = Membership.objects.get(user=user)
    assert (membership.organisation_id, membership.role) == ("RAL", Role.EXECUTIVE)
    assert "Created user asha: executive at" in output


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("a", "This password is too short. It must contain at least 8 characters."),
        ("password", "This password is too common."),
        ("4815162342", "This password is entirely numeric."),
        ("asha.khan@nhs", "The password is too similar to the email address."),
    ],
)
def test_add_member_refuses_a_password_the_validators_refuse(password, message):
    OrganisationFactory(ods_code="RAL")

    with pytest.raises(CommandError, match=message):
        call_command(
            "add_member",
            "asha",
            org="RAL",
            role="viewer",
            password=password,
            email="asha.khan@nhs.net",
        )
    assert not User.objects.exists()


@pytest.mark.django_db
def test_add_member_refuses_a_weak_new_password_for_an_existing_user():
    user = UserFactory(username="asha")
    OrganisationFactory(ods_code="RAL")

    with pytest.raises(CommandError, match="too short"):
        call_command("add_member", "asha", org="RAL", role="viewer", password="a")
    user.refresh_from_db()
    assert user.check_password("correct-horse-battery")
    assert not Membership.objects.exists()


@pytest.mark.django_db
def test_add_member_without_a_password_creates_a_user_who_cannot_sign_in_yet():
    OrganisationFactory(ods_code="RAL")

    run("add_member", "asha", org="RAL", role="viewer")

    assert not User.objects.get(username="asha").has_usable_password()


@pytest.mark.django_db
def test_add_member_adds_a_second_organisation_to_an_existing_user():
    user = UserFactory(username="asha")
    ral = OrganisationFactory(ods_code="RAL")
    Membership.objects.create(user=user, organisation=ral, role=Role.VIEWER)
    OrganisationFactory(ods_code="RDD")

    run("add_member", "asha", org="RDD", role="programme_manager")

    assert set(user.memberships.values_list("organisation_id", "role")) == {
        ("RAL", Role.VIEWER),
        ("RDD", Role.PROGRAMME_MANAGER),
    }


@pytest.mark.django_db
def test_add_member_gives_the_regulator_role_only_in_a_regulator_organisation():
    OrganisationFactory(ods_code="RAL")
    RegulatorFactory(ods_code="X24")

    with pytest.raises(CommandError, match="only for members of a regulator organisation"):
        call_command("add_member", "ruth", org="RAL", role="regulator")
    assert not User.objects.filter(username="ruth").exists()

    run("add_member", "ruth", org="X24", role="regulator")
    assert Membership.objects.get(user__username="ruth").role == Role.REGULATOR


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("org", "role", "message"),
    [
        ("NOPE", "viewer", "There is no organisation with the ODS code NOPE"),
        ("RAL", "boss", "“boss” is not a role"),
    ],
)
def test_add_member_refuses_an_unknown_organisation_or_role(org, role, message):
    OrganisationFactory(ods_code="RAL")

    with pytest.raises(CommandError, match=message):
        call_command("add_member", "asha", org=org, role=role)
    assert not User.objects.filter(username="asha").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "email", "message"),
    [("asha", "not-an-email", "valid email"), ("asha smith!", None, "valid username")],
)
def test_add_member_refuses_a_bad_username_or_email(username, email, message):
    OrganisationFactory(ods_code="RAL")

    with pytest.raises(CommandError, match=message):
        call_command("add_member", username, org="RAL", role="viewer", email=email)
    assert not User.objects.exists()


@pytest.mark.django_db
def test_add_member_refuses_a_second_role_in_the_same_organisation():
    OrganisationFactory(ods_code="RAL")
    run("add_member", "asha", org="RAL", role="viewer")

    with pytest.raises(CommandError, match="already has a role in this organisation"):
        call_command("add_member", "asha", org="RAL", role="executive")
    assert Membership.objects.get(user__username="asha").role == Role.VIEWER


# --- issue_token and revoke_tokens ---------------------------------------------------------------


@pytest.mark.django_db
def test_issue_token_prints_only_a_token_that_authenticates(api_client, world):
    output = run("issue_token", "regulator")

    token = output.strip()
    assert output == token + "\n"
    assert " " not in token and len(token) == 64
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/v1/partnerships/").status_code == 200


@pytest.mark.django_db
def test_issue_token_stores_only_a_hash_and_expires_after_the_default_days(settings):
    UserFactory(username="asha")
    token = run("issue_token", "asha").strip()

    stored = AuthToken.objects.get(user__username="asha")
    assert token not in stored.digest
    assert stored.token_key == token[:15]
    expected = timezone.now() + timedelta(days=settings.API_TOKEN_DEFAULT_DAYS)
    assert abs(stored.expiry - expected) < timedelta(minutes=1)


@pytest.mark.django_db
def test_issue_token_takes_a_number_of_days():
    UserFactory(username="asha")
    run("issue_token", "asha", days=7)

    expiry = AuthToken.objects.get().expiry
    assert abs(expiry - (timezone.now() + timedelta(days=7))) < timedelta(minutes=1)


@pytest.mark.django_db
def test_issue_token_refuses_an_unknown_user_or_no_days():
    UserFactory(username="asha")
    with pytest.raises(CommandError, match="There is no user called bob"):
        call_command("issue_token", "bob")
    with pytest.raises(CommandError, match="--days must be between 1 and 365\\."):
        call_command("issue_token", "asha", days=0)
    with pytest.raises(CommandError, match="--days must be between 1 and 365\\."):
        call_command("issue_token", "asha", days=10**9)
    assert not AuthToken.objects.exists()


@pytest.mark.django_db
def test_revoke_tokens_all_deletes_every_token_of_that_user_only():
    UserFactory(username="asha")
    UserFactory(username="bob")
    for username in ("asha", "asha", "bob"):
        run("issue_token", username)

    output = run("revoke_tokens", "asha", "--all")

    assert output.strip() == "Revoked 2 tokens of asha."
    assert list(AuthToken.objects.values_list("user__username", flat=True)) == ["bob"]


@pytest.mark.django_db
def test_revoke_tokens_by_prefix_deletes_just_that_token(api_client, world):
    first = run("issue_token", "regulator").strip()
    second = run("issue_token", "regulator").strip()

    output = run("revoke_tokens", "regulator", token_prefix=first[:8])

    assert output.strip() == "Revoked 1 token of regulator."
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert api_client.get("/api/v1/partnerships/").status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {second}")
    assert api_client.get("/api/v1/partnerships/").status_code == 200


@pytest.mark.django_db
def test_revoke_tokens_needs_all_or_a_prefix_of_four_characters():
    UserFactory(username="asha")
    run("issue_token", "asha")

    with pytest.raises(CommandError, match="one of the arguments --all --token-prefix"):
        call_command("revoke_tokens", "asha")
    with pytest.raises(CommandError, match="at least the first 4 characters"):
        call_command("revoke_tokens", "asha", token_prefix="ab")
    with pytest.raises(CommandError, match="There is no user called bob"):
        call_command("revoke_tokens", "bob", "--all")
    assert AuthToken.objects.count() == 1


@pytest.mark.django_db
def test_knox_tokens_are_listed_and_issued_in_the_admin(client):
    admin = User.objects.create_superuser("admin", "admin@example.nhs.uk", "pw-for-admin")
    UserFactory(username="asha")
    run("issue_token", "asha")
    client.force_login(admin)

    listing = client.get("/admin/knox/authtoken/")
    assert listing.status_code == 200
    assert "asha" in listing.content.decode()

    response = client.post(
        "/admin/knox/authtoken/add/",
        {"user": User.objects.get(username="asha").pk, "expiry_0": "", "expiry_1": ""},
        follow=True,
    )
    assert response.status_code == 200
    assert "TOKEN " in response.content.decode()
    assert AuthToken.objects.filter(user__username="asha").count() == 2


@pytest.mark.django_db
def test_a_token_revoked_in_the_admin_no_longer_authenticates(client, api_client, world):
    admin = User.objects.create_superuser("admin", "admin@example.nhs.uk", "pw-for-admin")
    token = run("issue_token", "regulator").strip()
    stored = AuthToken.objects.get()
    client.force_login(admin)

    response = client.post(f"/admin/knox/authtoken/{stored.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/v1/partnerships/").status_code == 401


# --- seed_demo -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_demo_needs_the_trusts_imported_first():
    with pytest.raises(CommandError, match="import_organisations"):
        call_command("seed_demo")
    assert not Partnership.objects.exists()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_seed_demo_adds_the_real_pairs_the_demo_users_and_a_regulator():
    run("import_organisations")

    output = run("seed_demo")

    pairs = read_pairs()
    assert Partnership.objects.count() == len(pairs) + 1 == 13
    for pair in pairs:
        assert Partnership.objects.filter(
            parties__organisation_id=pair.supported, parties__role="supported"
        ).filter(parties__organisation_id=pair.buddy, parties__role="buddy")
    assert Organisation.objects.get(ods_code="X24").kind == OrganisationKind.REGULATOR
    assert f"password: {DEMO_PASSWORD}" in output
    for username in (
        "bhr-executive",
        "bhr-manager",
        "ral-executive",
        "ral-manager",
        "bhr-viewer",
        "ral-viewer",
        "regulator",
        "outsider",
    ):
        assert username in output
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD)


@pytest.mark.django_db
def test_seed_demo_gives_the_demo_users_their_roles():
    run("import_organisations")
    run("seed_demo")

    roles = set(Membership.objects.values_list("user__username", "organisation_id", "role"))
    assert roles >= {
        ("bhr-executive", "RF4", Role.EXECUTIVE),
        ("bhr-manager", "RF4", Role.PROGRAMME_MANAGER),
        ("ral-executive", "RAL", Role.EXECUTIVE),
        ("ral-manager", "RAL", Role.PROGRAMME_MANAGER),
        ("bhr-viewer", "RF4", Role.VIEWER),
        ("ral-viewer", "RAL", Role.VIEWER),
        ("regulator", "X24", Role.REGULATOR),
    }
    outsider = Membership.objects.get(user__username="outsider")
    pair_codes = {code for pair in read_pairs() for code in (pair.supported, pair.buddy)}
    assert outsider.organisation_id not in pair_codes


@pytest.mark.django_db
def test_seed_demo_statuses_vary_and_closed_ones_have_an_outcome_and_reason():
    run("import_organisations")
    run("seed_demo")

    statuses = list(Partnership.objects.values_list("status", flat=True))
    assert statuses.count(PartnershipStatus.PROPOSED) == 1
    assert statuses.count(PartnershipStatus.ACTIVE) >= 2
    assert statuses.count(PartnershipStatus.CLOSED) >= 2
    for closed in Partnership.objects.filter(status=PartnershipStatus.CLOSED):
        assert closed.closure_outcome == "completed"
        assert closed.closure_reason
        assert closed.planned_start.year == 2013


@pytest.mark.django_db
def test_seed_demo_takes_the_demo_pair_through_the_services_with_its_history():
    run("import_organisations")
    run("seed_demo")

    partnership = Partnership.objects.get(parties__organisation_id="RF4")
    assert partnership.status == PartnershipStatus.ACTIVE
    assert {a.approved_by.username for a in partnership.approvals.all()} == {
        "bhr-executive",
        "ral-executive",
    }
    assert partnership.objectives.count() == 2
    # Progress to chart: the 4-hour measure, month by month, recorded by the programme manager.
    waits = partnership.objectives.get(title="Reduce waits in the emergency department")
    measured = list(waits.measurements.values_list("value", "recorded_by__username"))
    assert [str(value) for value, _ in measured] == ["79.20", "81.50", "80.90", "84.30"]
    assert {who for _, who in measured} == {"bhr-manager"}
    history_users = {
        record.history_user.username for record in partnership.history.all() if record.history_user
    }
    assert {"bhr-manager", "bhr-executive", "ral-manager"} <= history_users


@pytest.mark.django_db
def test_seed_demo_a_second_time_does_nothing_and_says_so():
    run("import_organisations")
    run("seed_demo")
    users, partnerships = User.objects.count(), Partnership.objects.count()

    output = run("seed_demo")

    lines = output.splitlines()
    assert lines[0] == "There are partnerships already, so no demo data was added."
    assert lines[1] == f"Demo sign-ins (password: {DEMO_PASSWORD}):"
    assert len(lines) == 2 + 8
    assert (User.objects.count(), Partnership.objects.count()) == (users, partnerships)


@pytest.mark.django_db
def test_seed_demo_does_nothing_when_someone_else_has_added_partnerships(world):
    users = User.objects.count()

    output = run("seed_demo")

    assert output.startswith("There are partnerships already, so no demo data was added.")
    assert User.objects.count() == users
    assert Partnership.objects.count() == 1
    assert not Organisation.objects.filter(ods_code__in=["RLT", "RHM"]).exists()
