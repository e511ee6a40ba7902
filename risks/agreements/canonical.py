"""The canonical content of a shared-risk agreement, and the SHA-256 hash each signature records.

When an executive signs, the signature stores ``content_hash(agreement)``; verifying recomputes it
from the agreement as it is now and compares. The serialisation is documented here so anyone can
recompute the hash outside this service (``format`` names this layout; a new layout would get a
new name and the old one would stay computable).

**Serialisation, format ``buddying-agreement/1``** — one JSON object, encoded as UTF-8:

- keys sorted, no whitespace between tokens (separators ``,`` and ``:``), non-ASCII characters
  written as themselves (not ``\\u`` escapes);
- text: Unicode NFC, line endings ``\\r\\n`` and ``\\r`` turned into ``\\n``, surrounding
  whitespace removed;
- dates: ``YYYY-MM-DD``, or ``null`` when not set;
- money and shares: decimal strings with exactly two places (``"250000.00"``, ``"33.33"``);
- organisations: their ODS code (``"RAL"``); the agreement, the partnership and risks: their id
  (a lower-case UUID with hyphens); risks also by reference (``"R-003"``).

The object::

    {
      "format": "buddying-agreement/1",
      "agreement": "<agreement id>",
      "partnership": "<partnership id>",
      "number": 2,                          # the agreement's version, 1, 2, …
      "shared_intent": "…", "scope": "…",
      "effective_from": "2026-04-01", "review_date": "2027-04-01",
      "mediator_organisation": "X24",       # or null
      "dispute_process": "…", "exit_terms": "…",
      "lines": [                            # ordered by risk reference, then risk id
        {
          "risk": "<risk id>", "risk_reference": "R-003",
          "lead": "RAL",
          "shares": [{"organisation": "RAL", "percent": "60.00"}, …],  # ordered by ODS code
          "liability_cap_gbp": "250000.00",
          "responsibilities": "…"
        }
      ]
    }

Left out on purpose: the status, dates of signing, the edit counter, the signatures themselves and
the risks' titles and scores — the risk register moves on after signing, while what was agreed
(which risk, by its id and reference, and how it is shared) does not.
"""

import hashlib
import json
import unicodedata
from decimal import Decimal

FORMAT = "buddying-agreement/1"


def _text(value: str | None) -> str:
    value = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", value).strip()


def _date(value) -> str | None:
    return value.isoformat() if value else None


def _decimal(value) -> str:
    return f"{Decimal(value).quantize(Decimal('0.01')):f}"


def content(agreement) -> dict:
    """The agreement's content as the canonical object (lines read through ``agreement.lines``,
    so prefetch ``lines__risk`` and ``lines__shares`` to read it in a fixed number of queries)."""
    lines = sorted(agreement.lines.all(), key=lambda line: (line.risk.reference, str(line.risk_id)))
    return {
        "format": FORMAT,
        "agreement": str(agreement.pk),
        "partnership": str(agreement.partnership_id),
        "number": agreement.number,
        "shared_intent": _text(agreement.shared_intent),
        "scope": _text(agreement.scope),
        "effective_from": _date(agreement.effective_from),
        "review_date": _date(agreement.review_date),
        "mediator_organisation": agreement.mediator_organisation_id,
        "dispute_process": _text(agreement.dispute_process),
        "exit_terms": _text(agreement.exit_terms),
        "lines": [
            {
                "risk": str(line.risk_id),
                "risk_reference": line.risk.reference,
                "lead": line.lead_organisation_id,
                "shares": [
                    {"organisation": share.organisation_id, "percent": _decimal(share.percent)}
                    for share in sorted(line.shares.all(), key=lambda s: s.organisation_id)
                ],
                "liability_cap_gbp": _decimal(line.liability_cap_gbp),
                "responsibilities": _text(line.responsibilities),
            }
            for line in lines
        ],
    }


def serialise(agreement) -> bytes:
    """The canonical bytes of the agreement's content."""
    return json.dumps(
        content(agreement), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def content_hash(agreement) -> str:
    """SHA-256 of the canonical bytes, as 64 lower-case hexadecimal characters."""
    return hashlib.sha256(serialise(agreement)).hexdigest()
