"""``manage.py generate_scale_data`` fills a valid copy of national-scale data (here a small one)."""

import io

import pytest
from django.core.management import call_command

from partnerships.commitments.models import Commitment, Delivery
from partnerships.commitments.selectors import stored_totals_drift
from partnerships.models import Partnership
from risks.models import Risk

pytestmark = pytest.mark.django_db


def test_a_small_copy_loads_with_the_commitments_stored_totals_right():
    call_command("generate_scale_data", scale=0.005, stdout=io.StringIO())
    assert Partnership.objects.count() == 10
    assert Commitment.objects.count() == 100
    assert Delivery.objects.count() == 5000
    assert Risk.objects.count() == 500
    # The delivered totals the pages and rag=red read are the deliveries' sums.
    assert not stored_totals_drift().exists()
    assert Commitment.objects.filter(delivered_total__gt=0).exists()
