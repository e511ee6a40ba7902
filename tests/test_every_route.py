"""Every route × method × persona gets the answer documented in one table.

The routes come from the URL conf (pages and the API router), so a route added without an entry in
``ROUTES`` fails ``test_every_route_has_an_entry``. Each entry names how to build the route's URL
from the test world and, per method, the status each persona gets, in the order of ``PERSONAS``:

    buddy_exec  buddy_pm  buddy_viewer  supported_exec  regulator  outsider  nobody  anonymous

(an executive, a programme manager and a viewer of the buddy; an executive of the supported party;
a regulator; a programme manager of an unrelated trust; a signed-in person with no membership;
nobody signed in). Writes send an empty body: they show what is refused before any validation
(404 not visible, 403 not allowed) and that a permitted person gets the form or field errors back.
The admin site (superusers only) is Django's own and is left out.
"""

import uuid
from dataclasses import dataclass
from datetime import date

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from buddying.notifications.models import Reminder
from buddying.tokens import services as token_services
from partnerships.commitments.models import DeliveryUpload
from risks.agreements import services as agreement_services
from tests.agreements import helpers as agreement_helpers
from tests.commitments.factories import CommitmentFactory, DeliveryFactory
from tests.reviews.factories import LearningFactory, ReviewFactory
from tests.risks.factories import RiskActionFactory, RiskAppetiteFactory, RiskFactory
from tests.secondments.factories import SecondmentFactory

PERSONAS = [
    "buddy_exec",
    "buddy_pm",
    "buddy_viewer",
    "supported_exec",
    "regulator",
    "outsider",
    "nobody",
    "anonymous",
]


@dataclass
class Objects:
    """What the routes' URLs are built from: one of each object, in the world's partnership."""

    world: object
    commitment: object
    delivery: object
    risk: object
    action: object
    objective: object
    party: object
    upload: object
    secondment: object
    review: object
    learning: object
    agreement: object = None  # version 2, a draft copied from version 1
    signed: object = None  # version 1, in force
    dispute: object = None  # about version 1
    token: object = None  # the buddy executive's API token
    report: object = None  # a weekly summary of the partnership, built
    reminder: object = None  # the buddy programme manager's
    measurement: object = None  # of the objective


@dataclass(frozen=True)
class Route:
    """``url`` builds the path from ``Objects``; ``answers`` maps a method to the statuses."""

    url: object
    answers: dict


def _codes(text: str) -> list[int]:
    codes = [int(code) for code in text.split()]
    assert len(codes) == len(PERSONAS), text
    return codes


P = "/partnerships"
A = "/api/v1"

# fmt: off
ROUTES: dict[str, Route] = {
    # --- The shell and the dashboard ---------------------------------------------------------
    "dashboard": Route(lambda o: "/", {
        "GET":  "200 200 200 200 200 200 200 302"}),
    "portfolio": Route(lambda o: "/portfolio/", {
        "GET":  "200 200 200 200 200 200 200 302"}),
    "nhsuk-icon": Route(lambda o: "/assets/images/nhsuk-icon-arrow-up-down.svg", {
        "GET":  "302 302 302 302 302 302 302 302"}),
    "search": Route(lambda o: "/search/?q=reduce", {
        "GET":  "200 200 200 200 200 200 200 302"}),
    "healthz": Route(lambda o: "/healthz", {
        "GET":  "200 200 200 200 200 200 200 200"}),
    "login": Route(lambda o: "/sign-in/", {
        "GET":  "302 302 302 302 302 302 302 200"}),
    "logout": Route(lambda o: "/sign-out/", {
        "GET":  "200 200 200 200 200 200 200 200"}),
    # --- Partnerships (pages) -----------------------------------------------------------------
    "partnerships:list": Route(lambda o: f"{P}/", {
        "GET":  "200 200 200 200 200 200 200 302"}),
    "partnerships:create": Route(lambda o: f"{P}/propose/", {
        "GET":  "200 200 403 200 403 200 403 302",
        "POST": "200 200 403 200 403 200 403 302"}),
    "partnerships:detail": Route(lambda o: f"{P}/{o.world.partnership.pk}/", {
        "GET":  "200 200 200 200 200 404 404 302"}),
    "partnerships:section": Route(lambda o: f"{P}/{o.world.partnership.pk}/sections/risks/", {
        "GET":  "200 200 200 200 200 404 404 302"}),
    "partnerships:history": Route(lambda o: f"{P}/{o.world.partnership.pk}/history/", {
        "GET":  "200 200 200 200 200 404 404 302"}),
    "partnerships:update": Route(lambda o: f"{P}/{o.world.partnership.pk}/edit/", {
        "GET":  "200 200 403 200 403 404 404 302",
        "POST": "200 200 403 200 403 404 404 302"}),
    "partnerships:approve": Route(lambda o: f"{P}/{o.world.partnership.pk}/approve/", {
        "POST": "302 403 403 302 403 404 404 302"}),
    "partnerships:transition": Route(lambda o: f"{P}/{o.world.partnership.pk}/status/", {
        "GET":  "200 200 403 200 403 404 404 302",
        "POST": "200 200 403 200 403 404 404 302"}),
    "partnerships:party-add": Route(lambda o: f"{P}/{o.world.partnership.pk}/parties/add/", {
        "GET":  "200 200 403 200 403 404 404 302",
        "POST": "200 200 403 200 403 404 404 302"}),
    "partnerships:party-update": Route(
        lambda o: f"{P}/{o.world.partnership.pk}/parties/{o.party.pk}/edit/", {
        "GET":  "200 200 403 200 403 404 404 302",
        "POST": "302 302 403 302 403 404 404 302"}),
    "partnerships:party-remove": Route(
        lambda o: f"{P}/{o.world.partnership.pk}/parties/{o.party.pk}/remove/", {
        "GET":  "200 200 403 200 403 404 404 302",
        "POST": "200 200 403 200 403 404 404 302"}),
    "partnerships:objective-add": Route(lambda o: f"{P}/{o.world.partnership.pk}/objectives/add/", {
        "GET":  "200 200 403 200 403 404 404 302",
        "POST": "200 200 403 200 403 404 404 302"}),
    "partnerships:objective-detail": Route(
        lambda o: f"{P}/{o.world.partnership.pk}/objectives/{o.objective.pk}/", {
        "GET":  "200 200 200 200 200 404 404 302",
        "POST": "200 200 403 200 403 404 404 302"}),
    "partnerships:objective-update": Route(
        lambda o: f"{P}/{o.world.partnership.pk}/objectives/{o.objective.pk}/edit/", {
        "GET":  "200 200 403 200 403 404 404 302",
        "POST": "200 200 403 200 403 404 404 302"}),
    "partnerships:objective-delete": Route(
        lambda o: f"{P}/{o.world.partnership.pk}/objectives/{o.objective.pk}/delete/", {
        "GET":  "200 200 403 200 403 404 404 302",
        "POST": "302 302 403 302 403 404 404 302"}),
    "partnerships:measurement-update": Route(
        lambda o: f"{P}/{o.world.partnership.pk}/objectives/{o.objective.pk}"
        f"/measurements/{o.measurement.pk}/edit/", {
        "GET":  "200 200 403 200 403 404 404 302",
        "POST": "200 200 403 200 403 404 404 302"}),
    "partnerships:measurement-delete": Route(
        lambda o: f"{P}/{o.world.partnership.pk}/objectives/{o.objective.pk}"
        f"/measurements/{o.measurement.pk}/delete/", {
        "GET":  "200 200 403 200 403 404 404 302",
        "POST": "302 302 403 302 403 404 404 302"}),
    # --- Commitments (pages); the commitment is the buddy's ---------------------------------------
    "commitments:create": Route(lambda o: f"{P}/{o.world.partnership.pk}/commitments/add/", {
        "GET":  "200 200 403 200 403 404 404 302",
        "POST": "200 200 403 200 403 404 404 302"}),
    "commitments:upload": Route(lambda o: f"{P}/{o.world.partnership.pk}/deliveries/upload/", {
        "GET":  "200 200 403 200 403 404 404 302",
        "POST": "200 200 403 200 403 404 404 302"}),
    "commitments:upload-status": Route(
        lambda o: f"{P}/{o.world.partnership.pk}/deliveries/uploads/{o.upload.pk}/", {
        "GET":  "200 200 200 200 200 404 404 302"}),
    "commitments:detail": Route(lambda o: f"{P}/commitments/{o.commitment.pk}/", {
        "GET":  "200 200 200 200 200 404 404 302"}),
    "commitments:update": Route(lambda o: f"{P}/commitments/{o.commitment.pk}/edit/", {
        "GET":  "200 200 403 403 403 404 404 302",
        "POST": "200 200 403 403 403 404 404 302"}),
    "commitments:delivery-log": Route(lambda o: f"{P}/commitments/{o.commitment.pk}/log/", {
        "GET":  "302 302 403 403 403 404 404 302",
        "POST": "200 200 403 403 403 404 404 302"}),
    "commitments:delivery-update": Route(lambda o: f"{P}/deliveries/{o.delivery.pk}/edit/", {
        "GET":  "200 200 403 403 403 404 404 302",
        "POST": "200 200 403 403 403 404 404 302"}),
    "commitments:delivery-delete": Route(lambda o: f"{P}/deliveries/{o.delivery.pk}/delete/", {
        "GET":  "200 200 403 403 403 404 404 302",
        "POST": "302 302 403 403 403 404 404 302"}),
    # --- Secondments (pages); the secondment is of the buddy's staff, hosted by the supported ----
    "secondments:list": Route(lambda o: f"{P}/{o.world.partnership.pk}/secondments/", {
        "GET":  "200 200 200 200 200 404 404 302"}),
    "secondments:development": Route(
        lambda o: f"{P}/{o.world.partnership.pk}/secondments/development/", {
        "GET":  "200 200 200 200 200 404 404 302"}),
    # The supported trust's executive records its own staff's secondments.
    "secondments:create": Route(lambda o: f"{P}/{o.world.partnership.pk}/secondments/add/", {
        "GET":  "200 200 403 200 403 404 404 302",
        "POST": "200 200 403 200 403 404 404 302"}),
    "secondments:detail": Route(lambda o: f"/secondments/{o.secondment.pk}/", {
        "GET":  "200 200 200 200 200 404 404 302"}),
    "secondments:update": Route(lambda o: f"/secondments/{o.secondment.pk}/edit/", {
        "GET":  "200 200 403 403 403 404 404 302",
        "POST": "200 200 403 403 403 404 404 302"}),
    "secondments:end": Route(lambda o: f"/secondments/{o.secondment.pk}/end/", {
        "GET":  "200 200 403 403 403 404 404 302",
        "POST": "200 200 403 403 403 404 404 302"}),
    "secondments:cancel": Route(lambda o: f"/secondments/{o.secondment.pk}/cancel/", {
        "GET":  "200 200 403 403 403 404 404 302",
        "POST": "200 200 403 403 403 404 404 302"}),
    "secondments:capacity": Route(lambda o: f"/organisations/{o.world.buddy.pk}/capacity/", {
        "GET":  "200 200 200 200 200 404 404 302"}),
    # The talent-pool warning's button (an empty body: the home's managers get the problem).
    "secondments:capacity-raise-risk": Route(
        lambda o: f"/organisations/{o.world.buddy.pk}/capacity/raise-risk/", {
        "POST": "400 400 403 403 403 404 404 302"}),
    "secondments:capacity-settings": Route(
        lambda o: f"/organisations/{o.world.buddy.pk}/capacity/settings/", {
        "GET":  "200 200 403 403 403 404 404 302",
        "POST": "200 200 403 403 403 404 404 302"}),
    # --- Risks (pages) ------------------------------------------------------------------------
    "risks:register": Route(lambda o: f"{P}/{o.world.partnership.pk}/risks/", {
        "GET":  "200 200 200 200 200 404 404 302"}),
    "risks:heat_map": Route(lambda o: f"{P}/{o.world.partnership.pk}/risks/heat-map/", {
        "GET":  "200 200 200 200 200 404 404 302"}),
    # The old single page for a new risk: it starts the steps below (a redirect to the first).
    "risks:create": Route(lambda o: f"{P}/{o.world.partnership.pk}/risks/new/", {
        "GET":  "302 302 403 302 403 404 404 302",
        "POST": "302 302 403 302 403 404 404 302"}),
    # A step of adding a risk (the first of three): an empty answer gets the form's errors back.
    "risks:create_step": Route(lambda o: f"{P}/{o.world.partnership.pk}/risks/new/about/", {
        "GET":  "200 200 403 200 403 404 404 302",
        "POST": "200 200 403 200 403 404 404 302"}),
    # "Check your answers": with no steps answered yet, it sends the person to the first step.
    "risks:create_check": Route(lambda o: f"{P}/{o.world.partnership.pk}/risks/new/check/", {
        "GET":  "302 302 403 302 403 404 404 302",
        "POST": "302 302 403 302 403 404 404 302"}),
    "risks:comparison": Route(lambda o: f"{P}/{o.world.partnership.pk}/risk-appetite/", {
        "GET":  "200 200 200 200 200 404 404 302"}),
    "risks:detail": Route(lambda o: f"/risks/{o.risk.pk}/", {
        "GET":  "200 200 200 200 200 404 404 302"}),
    "risks:edit": Route(lambda o: f"/risks/{o.risk.pk}/edit/", {
        "GET":  "200 200 403 200 403 404 404 302",
        "POST": "200 200 403 200 403 404 404 302"}),
    "risks:action_create": Route(lambda o: f"/risks/{o.risk.pk}/actions/new/", {
        "GET":  "200 200 403 200 403 404 404 302",
        "POST": "200 200 403 200 403 404 404 302"}),
    "risks:action_edit": Route(lambda o: f"/risk-actions/{o.action.pk}/edit/", {
        "GET":  "200 200 403 200 403 404 404 302",
        "POST": "200 200 403 200 403 404 404 302"}),
    # The buddy's own appetite: its members, its partners and regulators read it.
    "risks:appetite": Route(lambda o: f"/organisations/{o.world.buddy.pk}/risk-appetite/", {
        "GET":  "200 200 200 200 200 404 404 302"}),
    "risks:appetite_edit": Route(
        lambda o: f"/organisations/{o.world.buddy.pk}/risk-appetite/financial/", {
        "GET":  "200 403 403 403 403 404 404 302",
        "POST": "200 403 403 403 403 404 404 302"}),
    # --- Reviews and learning (pages): an interim review, not yet started (so submitting and
    # signing off are refused by its state, 409), and an unpublished learning item ---------------
    "reviews:create": Route(lambda o: f"{P}/{o.world.partnership.pk}/reviews/add/", {
        "GET":  "200 200 403 200 403 404 404 302",
        "POST": "200 200 403 200 403 404 404 302"}),
    "reviews:detail": Route(lambda o: f"/reviews/{o.review.pk}/", {
        "GET":  "200 200 200 200 200 404 404 302"}),
    "reviews:edit": Route(lambda o: f"/reviews/{o.review.pk}/edit/", {
        "GET":  "200 200 403 200 403 404 404 302",
        "POST": "200 200 403 200 403 404 404 302"}),
    "reviews:submit": Route(lambda o: f"/reviews/{o.review.pk}/submit/", {
        "POST": "409 409 403 409 403 404 404 302"}),
    "reviews:sign-off": Route(lambda o: f"/reviews/{o.review.pk}/sign-off/", {
        "POST": "409 403 403 409 403 404 404 302"}),
    "reviews:learning-create": Route(lambda o: f"{P}/{o.world.partnership.pk}/learning/add/", {
        "GET":  "200 200 403 200 403 404 404 302",
        "POST": "200 200 403 200 403 404 404 302"}),
    "reviews:library": Route(lambda o: "/learning/library/", {
        "GET":  "200 200 200 200 200 200 404 302"}),
    "reviews:learning-detail": Route(lambda o: f"/learning/{o.learning.pk}/", {
        "GET":  "200 200 200 200 200 404 404 302"}),
    "reviews:learning-edit": Route(lambda o: f"/learning/{o.learning.pk}/edit/", {
        "GET":  "200 200 403 200 403 404 404 302",
        "POST": "200 200 403 200 403 404 404 302"}),
    # --- Agreements (pages): version 1 in force, version 2 a draft; a dispute about version 1 ---
    # Drafting is refused (409) while version 2 is being made; signing a draft is refused (409).
    "agreements:list": Route(lambda o: f"{P}/{o.world.partnership.pk}/agreements/", {
        "GET":  "200 200 200 200 200 404 404 302"}),
    "agreements:create": Route(lambda o: f"{P}/{o.world.partnership.pk}/agreements/new/", {
        "GET":  "409 409 403 409 403 404 404 302",
        "POST": "409 409 403 409 403 404 404 302"}),
    "agreements:detail": Route(lambda o: f"/agreements/{o.agreement.pk}/", {
        "GET":  "200 200 200 200 200 404 404 302"}),
    "agreements:print": Route(lambda o: f"/agreements/{o.signed.pk}/print/", {
        "GET":  "200 200 200 200 200 404 404 302"}),
    "agreements:edit": Route(lambda o: f"/agreements/{o.agreement.pk}/edit/", {
        "GET":  "200 200 403 200 403 404 404 302",
        "POST": "302 302 403 302 403 404 404 302"}),
    "agreements:line_create": Route(lambda o: f"/agreements/{o.agreement.pk}/lines/new/", {
        "GET":  "200 200 403 200 403 404 404 302",
        "POST": "200 200 403 200 403 404 404 302"}),
    "agreements:line_edit": Route(
        lambda o: f"/agreement-lines/{o.agreement.lines.get().pk}/edit/", {
        "GET":  "200 200 403 200 403 404 404 302",
        "POST": "200 200 403 200 403 404 404 302"}),
    "agreements:line_delete": Route(
        lambda o: f"/agreement-lines/{o.agreement.lines.get().pk}/delete/", {
        "GET":  "200 200 403 200 403 404 404 302",
        "POST": "302 302 403 302 403 404 404 302"}),
    "agreements:submit": Route(lambda o: f"/agreements/{o.agreement.pk}/submit/", {
        "POST": "302 302 403 302 403 404 404 302"}),
    "agreements:return": Route(lambda o: f"/agreements/{o.agreement.pk}/return-to-draft/", {
        "POST": "409 409 403 409 403 404 404 302"}),
    "agreements:sign": Route(lambda o: f"/agreements/{o.agreement.pk}/sign/", {
        "GET":  "409 403 403 409 403 404 404 302",
        "POST": "409 403 403 409 403 404 404 302"}),
    "agreements:new_version": Route(lambda o: f"/agreements/{o.signed.pk}/new-version/", {
        "POST": "409 409 403 409 403 404 404 302"}),
    "agreements:terminate": Route(lambda o: f"/agreements/{o.signed.pk}/terminate/", {
        "GET":  "200 403 403 200 403 404 404 302",
        "POST": "200 403 403 200 403 404 404 302"}),
    "agreements:dispute_create": Route(lambda o: f"/agreements/{o.signed.pk}/disputes/new/", {
        "GET":  "200 200 403 200 403 404 404 302",
        "POST": "200 200 403 200 403 404 404 302"}),
    "agreements:dispute_detail": Route(lambda o: f"/disputes/{o.dispute.pk}/", {
        "GET":  "200 200 200 200 200 404 404 302"}),
    "agreements:dispute_edit": Route(lambda o: f"/disputes/{o.dispute.pk}/edit/", {
        "GET":  "200 200 403 200 403 404 404 302",
        "POST": "200 200 403 200 403 404 404 302"}),
    "agreements:dispute_transition": Route(lambda o: f"/disputes/{o.dispute.pk}/status/", {
        "GET":  "200 200 403 200 403 404 404 302",
        "POST": "200 200 403 200 403 404 404 302"}),
    # --- Reports (pages): a weekly summary of the world's partnership, built ---------------------
    # Asking for a report is reading: anyone signed in gets the form (and its errors back).
    "reports:list": Route(lambda o: "/reports/", {
        "GET":  "200 200 200 200 200 200 200 302"}),
    "reports:create": Route(lambda o: "/reports/request/", {
        "GET":  "200 200 200 200 200 200 200 302",
        "POST": "200 200 200 200 200 200 200 302"}),
    "reports:detail": Route(lambda o: f"/reports/{o.report.pk}/", {
        "GET":  "200 200 200 200 200 404 404 302"}),
    "reports:download": Route(lambda o: f"/reports/{o.report.pk}/download/pdf/", {
        "GET":  "200 200 200 200 200 404 404 302"}),
    # --- Notifications: every signed-in person has their own; the reminder is the buddy PM's --
    "notifications:list": Route(lambda o: "/notifications/", {
        "GET":  "200 200 200 200 200 200 200 302"}),
    "notifications:read-all": Route(lambda o: "/notifications/read-all/", {
        "POST": "302 302 302 302 302 302 302 302"}),
    "notifications:preferences": Route(lambda o: "/notifications/preferences/", {
        "GET":  "200 200 200 200 200 200 200 302",
        "POST": "200 200 200 200 200 200 200 302"}),
    "notifications:read": Route(lambda o: f"/notifications/{o.reminder.pk}/read/", {
        "POST": "404 302 404 404 404 404 404 302"}),
    # --- API ----------------------------------------------------------------------------------
    "organisation-list": Route(lambda o: f"{A}/organisations/", {
        "GET":  "200 200 200 200 200 200 200 401"}),
    "organisation-detail": Route(lambda o: f"{A}/organisations/{o.world.buddy.pk}/", {
        "GET":  "200 200 200 200 200 200 404 401"}),
    "partnership-list": Route(lambda o: f"{A}/partnerships/", {
        "GET":  "200 200 200 200 200 200 200 401",
        "POST": "400 400 403 400 403 400 403 401"}),
    "partnership-detail": Route(lambda o: f"{A}/partnerships/{o.world.partnership.pk}/", {
        "GET":  "200 200 200 200 200 404 404 401",
        "PATCH": "200 200 403 200 403 404 404 401"}),
    "partnership-approve": Route(lambda o: f"{A}/partnerships/{o.world.partnership.pk}/approve/", {
        "POST": "200 403 403 200 403 404 404 401"}),
    "partnership-transition": Route(
        lambda o: f"{A}/partnerships/{o.world.partnership.pk}/transition/", {
        "POST": "400 400 403 400 403 404 404 401"}),
    "commitment-list": Route(lambda o: f"{A}/commitments/", {
        "GET":  "200 200 200 200 200 200 200 401",
        "POST": "400 400 403 400 403 400 403 401"}),
    "commitment-detail": Route(lambda o: f"{A}/commitments/{o.commitment.pk}/", {
        "GET":  "200 200 200 200 200 404 404 401",
        "PATCH": "200 200 403 403 403 404 404 401"}),
    "commitment-delivery-list": Route(lambda o: f"{A}/commitments/{o.commitment.pk}/deliveries/", {
        "GET":  "200 200 200 200 200 404 404 401",
        "POST": "400 400 403 403 403 404 404 401"}),
    "delivery-list": Route(lambda o: f"{A}/deliveries/", {
        "GET":  "200 200 200 200 200 200 200 401"}),
    "secondment-list": Route(lambda o: f"{A}/secondments/", {
        "GET":  "200 200 200 200 200 200 200 401",
        "POST": "400 400 403 400 403 400 403 401"}),
    "secondment-detail": Route(lambda o: f"{A}/secondments/{o.secondment.pk}/", {
        "GET":  "200 200 200 200 200 404 404 401",
        "PATCH": "200 200 403 403 403 404 404 401"}),
    "capacity-list": Route(lambda o: f"{A}/capacity/", {
        "GET":  "200 200 200 200 200 200 200 401"}),
    "capacity-raise-risk": Route(lambda o: f"{A}/capacity/raise-risk/", {
        "POST": "400 400 403 400 403 400 403 401"}),
    "risk-list": Route(lambda o: f"{A}/risks/", {
        "GET":  "200 200 200 200 200 200 200 401",
        "POST": "400 400 403 400 403 400 403 401"}),
    "risk-detail": Route(lambda o: f"{A}/risks/{o.risk.pk}/", {
        "GET":  "200 200 200 200 200 404 404 401",
        "PATCH": "200 200 403 200 403 404 404 401"}),
    "risk-action-list": Route(lambda o: f"{A}/risk-actions/", {
        "GET":  "200 200 200 200 200 200 200 401",
        "POST": "400 400 403 400 403 400 403 401"}),
    "risk-action-detail": Route(lambda o: f"{A}/risk-actions/{o.action.pk}/", {
        "GET":  "200 200 200 200 200 404 404 401",
        "PATCH": "200 200 403 200 403 404 404 401"}),
    "risk-appetite-list": Route(lambda o: f"{A}/risk-appetites/", {
        "GET":  "200 200 200 200 200 200 200 401",
        "POST": "400 400 403 400 403 400 403 401"}),
    "risk-appetite-detail": Route(lambda o: f"{A}/risk-appetites/{o.world.appetite.pk}/", {
        "GET":  "200 200 200 200 200 404 404 401"}),
    "risk-appetite-comparison-detail": Route(
        lambda o: f"{A}/risk-appetite-comparisons/{o.world.partnership.pk}/", {
        "GET":  "200 200 200 200 200 404 404 401"}),
    "review-list": Route(lambda o: f"{A}/reviews/", {
        "GET":  "200 200 200 200 200 200 200 401",
        "POST": "400 400 403 400 403 400 403 401"}),
    "review-detail": Route(lambda o: f"{A}/reviews/{o.review.pk}/", {
        "GET":  "200 200 200 200 200 404 404 401",
        "PATCH": "200 200 403 200 403 404 404 401"}),
    "review-submit": Route(lambda o: f"{A}/reviews/{o.review.pk}/submit/", {
        "POST": "409 409 403 409 403 404 404 401"}),
    "review-sign-off": Route(lambda o: f"{A}/reviews/{o.review.pk}/sign-off/", {
        "POST": "409 403 403 409 403 404 404 401"}),
    "learning-list": Route(lambda o: f"{A}/learning/", {
        "GET":  "200 200 200 200 200 200 200 401",
        "POST": "400 400 403 400 403 400 403 401"}),
    "learning-detail": Route(lambda o: f"{A}/learning/{o.learning.pk}/", {
        "GET":  "200 200 200 200 200 404 404 401",
        "PATCH": "200 200 403 200 403 404 404 401"}),
    "value-for-money-detail": Route(lambda o: f"{A}/value-for-money/{o.world.partnership.pk}/", {
        "GET":  "200 200 200 200 200 404 404 401"}),
    "agreement-list": Route(lambda o: f"{A}/agreements/", {
        "GET":  "200 200 200 200 200 200 200 401",
        "POST": "400 400 403 400 403 400 403 401"}),
    "agreement-detail": Route(lambda o: f"{A}/agreements/{o.agreement.pk}/", {
        "GET":  "200 200 200 200 200 404 404 401",
        "PATCH": "200 200 403 200 403 404 404 401"}),
    "agreement-sign": Route(lambda o: f"{A}/agreements/{o.agreement.pk}/sign/", {
        "POST": "409 403 403 409 403 404 404 401"}),
    "agreement-verify": Route(lambda o: f"{A}/agreements/{o.signed.pk}/verify/", {
        "GET":  "200 200 200 200 200 404 404 401"}),
    "agreement-transition": Route(lambda o: f"{A}/agreements/{o.agreement.pk}/transition/", {
        "POST": "400 400 403 400 403 404 404 401"}),
    "agreement-new-version": Route(lambda o: f"{A}/agreements/{o.signed.pk}/new-version/", {
        "POST": "409 409 403 409 403 404 404 401"}),
    "dispute-list": Route(lambda o: f"{A}/disputes/", {
        "GET":  "200 200 200 200 200 200 200 401",
        "POST": "400 400 403 400 403 400 403 401"}),
    "dispute-detail": Route(lambda o: f"{A}/disputes/{o.dispute.pk}/", {
        "GET":  "200 200 200 200 200 404 404 401",
        "PATCH": "200 200 403 200 403 404 404 401"}),
    "dispute-transition": Route(lambda o: f"{A}/disputes/{o.dispute.pk}/transition/", {
        "POST": "400 400 403 400 403 404 404 401"}),
    # --- Sync, history, FHIR and tokens (issue 14): reads scoped by the policy; anyone signed in
    # manages their own tokens (an empty POST is a 400: a name is needed) ------------------------
    "change-list": Route(lambda o: f"{A}/history/", {
        "GET":  "200 200 200 200 200 200 200 401"}),
    "deletion-list": Route(lambda o: f"{A}/deleted/", {
        "GET":  "200 200 200 200 200 200 200 401"}),
    # One object's history: read by whoever may see the object (404 for anyone else).
    "partnership-history": Route(lambda o: f"{A}/partnerships/{o.world.partnership.pk}/history/", {
        "GET":  "200 200 200 200 200 404 404 401"}),
    "commitment-history": Route(lambda o: f"{A}/commitments/{o.commitment.pk}/history/", {
        "GET":  "200 200 200 200 200 404 404 401"}),
    "secondment-history": Route(lambda o: f"{A}/secondments/{o.secondment.pk}/history/", {
        "GET":  "200 200 200 200 200 404 404 401"}),
    "risk-history": Route(lambda o: f"{A}/risks/{o.risk.pk}/history/", {
        "GET":  "200 200 200 200 200 404 404 401"}),
    "risk-action-history": Route(lambda o: f"{A}/risk-actions/{o.action.pk}/history/", {
        "GET":  "200 200 200 200 200 404 404 401"}),
    "agreement-history": Route(lambda o: f"{A}/agreements/{o.agreement.pk}/history/", {
        "GET":  "200 200 200 200 200 404 404 401"}),
    "dispute-history": Route(lambda o: f"{A}/disputes/{o.dispute.pk}/history/", {
        "GET":  "200 200 200 200 200 404 404 401"}),
    "review-history": Route(lambda o: f"{A}/reviews/{o.review.pk}/history/", {
        "GET":  "200 200 200 200 200 404 404 401"}),
    "learning-history": Route(lambda o: f"{A}/learning/{o.learning.pk}/history/", {
        "GET":  "200 200 200 200 200 404 404 401"}),
    "fhir-organization-affiliation": Route(lambda o: f"{A}/fhir/OrganizationAffiliation", {
        "GET":  "200 200 200 200 200 200 200 401"}),
    "fhir-organization-affiliation-read": Route(
        lambda o: f"{A}/fhir/OrganizationAffiliation/party-"
        f"{o.world.partnership.parties.get(organisation=o.world.buddy).pk}", {
        "GET":  "200 200 200 200 200 404 404 401"}),
    "fhir-not-found": Route(lambda o: f"{A}/fhir/Patient", {
        "GET":  "404 404 404 404 404 404 404 401"}),
    "token-list": Route(lambda o: f"{A}/tokens/", {
        "GET":  "200 200 200 200 200 200 200 401",
        "POST": "400 400 400 400 400 400 400 401"}),
    "token-detail": Route(lambda o: f"{A}/tokens/{o.token.pk}/", {
        "DELETE": "204 404 404 404 404 404 404 401"}),
    "tokens:list": Route(lambda o: "/account/tokens/", {
        "GET":  "200 200 200 200 200 200 200 302",
        "POST": "200 200 200 200 200 200 200 302"}),
    "tokens:revoke": Route(lambda o: f"/account/tokens/{o.token.pk}/revoke/", {
        "POST": "302 404 404 404 404 404 404 302"}),
    "report-list": Route(lambda o: f"{A}/reports/", {
        "GET":  "200 200 200 200 200 200 200 401",
        "POST": "400 400 400 400 400 400 400 401"}),
    "report-detail": Route(lambda o: f"{A}/reports/{o.report.pk}/", {
        "GET":  "200 200 200 200 200 404 404 401"}),
    "report-download": Route(lambda o: f"{A}/reports/{o.report.pk}/download/pdf/", {
        "GET":  "200 200 200 200 200 404 404 401"}),
    "schema": Route(lambda o: "/api/schema/", {
        "GET":  "200 200 200 200 200 200 200 200"}),
    "api-docs": Route(lambda o: "/api/docs/", {
        "GET":  "200 200 200 200 200 200 200 200"}),
}
# fmt: on


def _route_names() -> set[str]:
    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                inner = ":".join(n for n in (namespace, pattern.namespace) if n) or None
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern):
                if pattern.name is None:
                    raise AssertionError(f"Route {pattern.pattern} has no name")
                yield ":".join(n for n in (namespace, pattern.name) if n)

    return set(walk(get_resolver().url_patterns))


def test_every_route_has_an_entry():
    routes = _route_names()
    assert sorted(routes - set(ROUTES)) == [], "Add these routes to ROUTES with their answers"
    assert sorted(set(ROUTES) - routes) == [], "These entries name no route any more"


def _built_report(world):
    from django.core.files.base import ContentFile

    from buddying.reports.models import ReportRequest

    report = ReportRequest.objects.create(
        kind="partnership_weekly",
        partnership=world.partnership,
        period_start="2026-06-01",
        period_end="2026-06-07",
        status="done",
    )
    report.pdf_file.save("report.pdf", ContentFile(b"%PDF-1.7"), save=False)
    report.body_file.save("body.html", ContentFile(b"<p>Figures</p>"), save=True)
    return report


@pytest.fixture
def objects(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    commitment = CommitmentFactory(partnership=world.partnership, organisation=world.buddy)
    risk = RiskFactory(partnership=world.partnership, owner=world.buddy_pm)
    world.appetite = RiskAppetiteFactory(organisation=world.buddy, category="financial")
    signed = agreement_helpers.in_force(world)
    objective = world.partnership.objectives.create(title="Reduce waits")
    return Objects(
        world=world,
        commitment=commitment,
        delivery=DeliveryFactory(commitment=commitment),
        risk=risk,
        action=RiskActionFactory(risk=risk, owner=world.buddy_pm),
        objective=objective,
        measurement=objective.measurements.create(measured_on=date(2026, 7, 1), value=64),
        party=world.partnership.parties.get(organisation=world.supported),
        upload=DeliveryUpload.objects.create(
            partnership=world.partnership, uploaded_by=world.buddy_pm, rows=1
        ),
        secondment=SecondmentFactory(
            partnership=world.partnership,
            home_organisation=world.buddy,
            host_organisation=world.supported,
        ),
        review=ReviewFactory(partnership=world.partnership),
        learning=LearningFactory(partnership=world.partnership),
        agreement=agreement_services.agreement_new_version(agreement=signed, by=world.buddy_pm),
        signed=signed,
        dispute=agreement_services.dispute_raise(
            agreement=signed, by=world.buddy_pm, raised_by_organisation=world.buddy, title="Cap"
        ),
        token=token_services.token_create(user=world.buddy_exec, name="Mirror")[0],
        report=_built_report(world),
        reminder=Reminder.objects.create(
            rule="review_overdue",
            item_type="reviews.outcomereview",
            item_id=uuid.uuid4(),
            due_date=date(2026, 7, 14),
            user=world.buddy_pm,
            partnership=world.partnership,
            text="Interim review overdue",
            url="/",
            raised_on=date(2026, 7, 15),
            run=uuid.uuid4(),
        ),
    )


CASES = [(name, method) for name, route in ROUTES.items() for method in route.answers]


@pytest.mark.parametrize(("name", "method"), CASES, ids=[f"{n}-{m}" for n, m in CASES])
def test_each_persona_gets_the_documented_answer(name, method, objects):
    from django.db import transaction

    route = ROUTES[name]
    expected = _codes(route.answers[method])
    url = route.url(objects)
    got = []
    for persona in PERSONAS:
        # Each persona starts from the same world: their request is rolled back afterwards.
        with transaction.atomic():
            client = APIClient()
            if persona != "anonymous":
                client.force_login(objects.world.user(persona))
            response = getattr(client, method.lower())(
                url, {} if method != "GET" else None, format="json" if url.startswith(A) else None
            )
            got.append(response.status_code)
            transaction.set_rollback(True)
    assert got == expected, f"{method} {url}: {dict(zip(PERSONAS, got, strict=True))}"
