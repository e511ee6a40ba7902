"""The search box: partnerships, risks and organisations found by words (DESIGN §8, issue 16).

Each kind is read through the one access policy (``partnerships.access``): a person finds only the
partnerships and risks they may see, and organisations (public reference data) only once they
belong to the service. On PostgreSQL the words are matched by full-text search, stemmed in
English, each word also as the start of a longer one ("roy fre" finds "Royal Free"), best match
first; on other databases every word must appear in one of the same fields. Each kind shows its
first ``LIMIT`` matches, with a flag when there are more: three queries whatever the data.
"""

import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from partnerships import access
from partnerships.models import Party
from risks import selectors as risk_selectors

CONFIG = "english"
LIMIT = 20
MAX_WORDS = 8

PARTNERSHIP_FIELDS = (
    ("reference", "A"),
    ("title", "A"),
    ("shared_intent", "B"),
    ("scope_areas", "C"),
)
RISK_FIELDS = (("reference", "A"), ("title", "A"), ("description", "B"), ("controls", "C"))
ORGANISATION_FIELDS = (("ods_code", "A"), ("name", "A"), ("icb_name", "C"), ("region_name", "C"))


@dataclass
class Found:
    """The first matches of one kind, and whether there are more than those shown."""

    items: list = field(default_factory=list)
    more: bool = False


@dataclass
class SearchResults:
    text: str
    words: list[str]
    partnerships: Found
    risks: Found
    organisations: Found

    @property
    def total_shown(self) -> int:
        return len(self.partnerships.items) + len(self.risks.items) + len(self.organisations.items)


def words_of(text: str) -> list[str]:
    """The words to look for: letters and digits only (so nothing in them is query syntax)."""
    return re.findall(r"[^\W_]+", (text or "").lower())[:MAX_WORDS]


def _vector(fields, prefix: str = "") -> SearchVector:
    vector = None
    for name, weight in fields:
        part = SearchVector(f"{prefix}{name}", weight=weight, config=CONFIG)
        vector = part if vector is None else vector + part
    return vector


def _query(words: list[str]) -> SearchQuery:
    """Every word, each also as a prefix: ``royal:* & free:*``."""
    return SearchQuery(" & ".join(f"{word}:*" for word in words), search_type="raw", config=CONFIG)


def _contains(words: list[str], fields, prefix: str = "") -> Q:
    """SQLite and friends: every word appears in one of the fields."""
    condition = Q()
    for word in words:
        any_field = Q()
        for name, _weight in fields:
            any_field |= Q(**{f"{prefix}{name}__icontains": word})
        condition &= any_field
    return condition


def _matching(
    queryset: QuerySet, words: list[str], fields, *, full_text: bool, also: Q | None = None
) -> QuerySet:
    if not full_text:
        condition = _contains(words, fields)
        return queryset.filter(condition | also if also is not None else condition).order_by("pk")
    query = _query(words)
    queryset = queryset.annotate(search_document=_vector(fields))
    condition = Q(search_document=query)
    return (
        queryset.filter(condition | also if also is not None else condition)
        .annotate(search_rank=SearchRank(F("search_document"), query))
        .order_by("-search_rank", "pk")
    )


def _party_named(words: list[str], *, full_text: bool) -> Q:
    """A partnership one of whose organisations matches the words ("Royal Free" finds the
    partnerships the Royal Free is in)."""
    parties = Party.objects.filter(partnership_id=OuterRef("pk"))
    if not full_text:
        parties = parties.filter(_contains(words, ORGANISATION_FIELDS, prefix="organisation__"))
    else:
        parties = parties.annotate(
            organisation_document=_vector(ORGANISATION_FIELDS, prefix="organisation__")
        ).filter(organisation_document=_query(words))
    return Q(Exists(parties))


def _first(queryset: QuerySet) -> Found:
    rows = list(queryset[: LIMIT + 1])
    return Found(items=rows[:LIMIT], more=len(rows) > LIMIT)


def search(user, text: str, *, full_text: bool | None = None) -> SearchResults:
    """What ``user`` may see that matches ``text``: by full-text search on PostgreSQL, by the
    simple match elsewhere (``full_text`` chooses, for the tests of both on one database)."""
    if full_text is None:
        full_text = connection.vendor == "postgresql"
    words = words_of(text)
    if not words:
        return SearchResults(
            text=text or "", words=[], partnerships=Found(), risks=Found(), organisations=Found()
        )
    partnerships = _matching(
        access.partnerships_visible_to(user),
        words,
        PARTNERSHIP_FIELDS,
        full_text=full_text,
        also=_party_named(words, full_text=full_text),
    )
    risks = _matching(
        risk_selectors.risks_visible_to(user).select_related("partnership"),
        words,
        RISK_FIELDS,
        full_text=full_text,
    )
    organisations = _matching(
        access.organisations_visible_to(user), words, ORGANISATION_FIELDS, full_text=full_text
    )
    return SearchResults(
        text=text,
        words=words,
        partnerships=_first(partnerships),
        risks=_first(risks),
        organisations=_first(organisations),
    )
