"""The NPSA 5×5 risk matrix (2008): labels, descriptors, score and band.

The labels and descriptors are read at run time from ``risks/data/npsa_risk_matrix_2008.json``
so forms show exactly what the reference data says.
"""

import json
from functools import lru_cache
from pathlib import Path

from django.db.models import Case, CharField, Value, When
from django.db.models.lookups import LessThanOrEqual

from risks.choices import RiskBand

DATA_FILE = Path(__file__).resolve().parent / "data" / "npsa_risk_matrix_2008.json"
SCALE = range(1, 6)

# Upper score of each band, lowest first (NPSA grading: 1–3, 4–6, 8–12, 15–25).
BAND_LIMITS: tuple[tuple[int, str], ...] = (
    (3, RiskBand.LOW),
    (6, RiskBand.MODERATE),
    (12, RiskBand.HIGH),
    (25, RiskBand.EXTREME),
)


@lru_cache(maxsize=1)
def matrix() -> dict:
    with DATA_FILE.open(encoding="utf-8") as handle:
        return json.load(handle)


def likelihood_scale() -> list[dict]:
    """Each likelihood score with its label, frequency and probability."""
    return sorted(matrix()["likelihood"], key=lambda item: item["score"])


def consequence_scale() -> list[dict]:
    return sorted(matrix()["consequence"], key=lambda item: item["score"])


def consequence_domains() -> list[str]:
    return list(matrix()["consequence_domains"])


def likelihood_label(score: int) -> str:
    return {item["score"]: item["label"] for item in likelihood_scale()}.get(score, "")


def consequence_label(score: int) -> str:
    return {item["score"]: item["label"] for item in consequence_scale()}.get(score, "")


def likelihood_choices() -> list[tuple[int, str, str]]:
    """(score, "4 – Likely", descriptor) for forms."""
    return [
        (
            item["score"],
            f"{item['score']} – {item['label']}",
            f"{item['frequency']} (probability {item['probability']}).",
        )
        for item in likelihood_scale()
    ]


def consequence_choices() -> list[tuple[int, str, str]]:
    return [
        (item["score"], f"{item['score']} – {item['label']}", item.get("descriptor", ""))
        for item in consequence_scale()
    ]


def score(likelihood: int, consequence: int) -> int:
    return likelihood * consequence


def band_for(value: int) -> str:
    """The band of a score from 1 to 25."""
    for upper, band in BAND_LIMITS:
        if value <= upper:
            return band
    return RiskBand.EXTREME


def band_expression(score_expression) -> Case:
    """The same banding as ``band_for``, as SQL over a score expression."""
    return Case(
        *(
            When(LessThanOrEqual(score_expression, upper), then=Value(str(band)))
            for upper, band in BAND_LIMITS
        ),
        default=Value(str(RiskBand.EXTREME)),
        output_field=CharField(max_length=10),
    )


def band_scores(band: str) -> list[int]:
    """Every achievable score in a band (for filtering by band on any score column)."""
    products = sorted({lik * con for lik in SCALE for con in SCALE})
    return [value for value in products if band_for(value) == band]


# --- Appetite: the one rule for "outside appetite", in Python and in SQL ------------------------
# A risk is outside an organisation's appetite for its category when its current score is above
# the tolerance the organisation set (the highest current score it accepts).


def outside_tolerance(score: int, tolerance: int) -> bool:
    return score > tolerance


def tolerance_exceeded_by(score_expression) -> dict:
    """The same rule as a lookup on ``RiskAppetite``: ``tolerance`` below the score expression."""
    return {"tolerance__lt": score_expression}
