"""Score and band on the NPSA 5×5 matrix, in Python and in the database, for every pair."""

import pytest

from risks import matrix
from risks.choices import RiskBand
from risks.models import Risk
from tests.risks.factories import RiskFactory

EXPECTED_BAND = {
    **dict.fromkeys([1, 2, 3], RiskBand.LOW),
    **dict.fromkeys([4, 5, 6], RiskBand.MODERATE),
    **dict.fromkeys([8, 9, 10, 12], RiskBand.HIGH),
    **dict.fromkeys([15, 16, 20, 25], RiskBand.EXTREME),
}
PAIRS = [(likelihood, consequence) for likelihood in range(1, 6) for consequence in range(1, 6)]


@pytest.mark.parametrize(("likelihood", "consequence"), PAIRS)
def test_score_is_likelihood_times_consequence_and_band_follows_npsa(likelihood, consequence):
    score = matrix.score(likelihood, consequence)
    assert score == likelihood * consequence
    assert matrix.band_for(score) == EXPECTED_BAND[score]


def test_every_achievable_score_has_an_expected_band():
    assert {lik * con for lik, con in PAIRS} == set(EXPECTED_BAND)


def test_band_scores_lists_each_bands_achievable_scores():
    assert matrix.band_scores(RiskBand.LOW) == [1, 2, 3]
    assert matrix.band_scores(RiskBand.MODERATE) == [4, 5, 6]
    assert matrix.band_scores(RiskBand.HIGH) == [8, 9, 10, 12]
    assert matrix.band_scores(RiskBand.EXTREME) == [15, 16, 20, 25]


@pytest.mark.django_db
def test_database_computes_the_same_score_and_band_for_all_25_pairs(world):
    for likelihood, consequence in PAIRS:
        RiskFactory(
            partnership=world.partnership,
            owner=world.buddy_pm,
            title=f"{likelihood}x{consequence}",
            inherent_likelihood=likelihood,
            inherent_consequence=consequence,
            current_likelihood=likelihood,
            current_consequence=consequence,
            target_likelihood=1,
            target_consequence=1,
        )
    rows = Risk.objects.values_list(
        "current_likelihood",
        "current_consequence",
        "current_score",
        "current_band",
        "inherent_score",
    )
    assert len(rows) == 25
    for likelihood, consequence, score, band, inherent in rows:
        assert score == likelihood * consequence == inherent
        assert band == EXPECTED_BAND[score]
    # The band filter is SQL over the generated column.
    for band in RiskBand.values:
        expected = sum(1 for lik, con in PAIRS if EXPECTED_BAND[lik * con] == band)
        assert Risk.objects.filter(current_band=band).count() == expected


def test_forms_show_the_npsa_labels_and_descriptors_from_the_data_file():
    likelihood = matrix.likelihood_choices()
    assert [label for _, label, _ in likelihood] == [
        "1 – Rare",
        "2 – Unlikely",
        "3 – Possible",
        "4 – Likely",
        "5 – Almost certain",
    ]
    assert "This will probably never happen/recur" in likelihood[0][2]
    assert "<0.1%" in likelihood[0][2]
    assert [label for _, label, _ in matrix.consequence_choices()] == [
        "1 – Negligible",
        "2 – Minor",
        "3 – Moderate",
        "4 – Major",
        "5 – Catastrophic",
    ]
    assert "Finance including claims" in matrix.consequence_domains()
