"""National-scale data for the benchmark (issue 15): the real trusts, thousands of partnerships.

Writes with PostgreSQL ``COPY`` straight into the tables (no model ``save()``, no history rows),
so a million deliveries load in a minute or two. Reproducible from ``--seed`` (dates are relative
to ``--today``). Run by hand against a database of its own, never in CI::

    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/buddying_bench \\
        .venv/bin/python manage.py generate_scale_data --flush

Sizes default to the issue's national scale; ``--scale 0.01`` makes a small copy for a quick try.
Every trust gets two people (``bench-<ods>`` a programme manager, ``bench-<ods>-exec`` an
executive); ``bench-trust`` is the typical trust user (a programme manager of a trust that is a
party to about 40 partnerships, including the largest) and ``bench-regulator`` a regulator. All
have the password ``bench-password``.
"""

import io
import random
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.management import BaseCommand, CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

PASSWORD = "bench-password"  # noqa: S105 — benchmark data only
TYPICAL_USER = "bench-trust"
REGULATOR_USER = "bench-regulator"
REGULATOR_ODS = "X24"
TYPICAL_PARTNERSHIPS = 40

COMMITMENT_CATEGORIES = [
    "executive_time",
    "clinical_time",
    "quality_improvement",
    "training",
    "finance",
    "estates",
    "digital",
    "other",
]
STAFF_GROUPS = [
    "medical_dental",
    "nursing_midwifery",
    "allied_health",
    "healthcare_scientists",
    "additional_clinical",
    "admin_clerical",
    "estates_ancillary",
    "senior_managers",
]
RISK_CATEGORIES = [
    "strategic",
    "reputational",
    "financial",
    "quality_safety",
    "workforce_capacity",
    "regulatory",
    "operational",
]
BANDS = ["4", "5", "6", "7", "8a", "8b", "8c", "8d", "9", "medical", "vsm"]
THEMES = [
    "leadership",
    "governance",
    "quality_improvement",
    "clinical_practice",
    "patient_flow",
    "workforce",
    "finance",
    "digital",
]
WORDS = [
    "board",
    "assurance",
    "flow",
    "discharge",
    "theatre",
    "productivity",
    "elective",
    "recovery",
    "workforce",
    "rota",
    "safeguarding",
    "governance",
    "maternity",
    "urgent",
    "emergency",
    "care",
    "pathway",
    "audit",
    "staffing",
    "digital",
    "records",
    "estates",
    "finance",
    "plan",
    "coaching",
    "mentoring",
    "quality",
    "improvement",
    "leadership",
    "culture",
]

# Table → the columns written, in order. Generated columns (risk scores and band) are left out.
TABLES = {
    "auth_user": "id password is_superuser username first_name last_name email is_staff "
    "is_active date_joined",
    "partnerships_membership": "role created_at user_id organisation_id",
    "partnerships_partnership": "id created_at updated_at reference title kind scope_areas "
    "shared_intent planned_start planned_end actual_end remuneration_gbp funding_source "
    "consultancy_equivalent_gbp status closure_outcome closure_reason version",
    "partnerships_party": "role sponsor_name sponsor_job_title deputy_name deputy_job_title "
    "updated_at organisation_id partnership_id version sponsor_since",
    "partnerships_objective": "id title measure baseline target target_date updated_at "
    "partnership_id version",
    "partnerships_commitment": "id created_at updated_at reference category description unit "
    "planned_quantity start_date end_date owner organisation_id partnership_id version "
    "delivered_total",
    "partnerships_delivery": "id created_at updated_at date quantity staff_group note "
    "commitment_id logged_by_id version",
    "risks_risk": "id created_at updated_at number reference title description category "
    "inherent_likelihood inherent_consequence current_likelihood current_consequence "
    "target_likelihood target_consequence controls review_frequency next_review_date status "
    "closing_reason closed_on owner_id owner_organisation_id partnership_id version",
    "risks_riskaction": "id created_at updated_at description due_date status completed_on "
    "owner_id risk_id partnership_id version",
    "risks_riskappetite": "id created_at updated_at category level tolerance statement "
    "organisation_id version",
    "secondments_secondment": "version id created_at updated_at reference staff_reference "
    "role_title staff_group band fte start_date end_date backfilled monthly_recharge "
    "development_objectives learning_outcomes cancelled cancellation_reason home_organisation_id "
    "host_organisation_id partnership_id",
    "reviews_outcomereview": "version id created_at updated_at kind period_start period_end "
    "due_date status benefits_supported benefits_buddy development_outcomes cqc_rating_before "
    "cqc_rating_after overall_rag partnership_id",
    "reviews_learningitem": "version id created_at updated_at title description direction theme "
    "adopted published partnership_id",
    "agreements_agreement": "version id created_at updated_at number status shared_intent scope "
    "effective_from review_date dispute_process exit_terms termination_reason partnership_id",
    "agreements_agreementline": "version id created_at updated_at liability_cap_gbp "
    "responsibilities agreement_id lead_organisation_id risk_id",
    "agreements_lineshare": "version id created_at updated_at percent line_id organisation_id",
    "partnerships_approval": "approved_at approved_by_id partnership_id party_id",
    "partnerships_referencecounter": "scope last",
}

# Truncated by --flush (children first is not needed: TRUNCATE … CASCADE).
FLUSH = [
    "partnerships_partnership",
    "partnerships_referencecounter",
    "risks_riskappetite",
    "partnerships_membership",
]


def _copy_value(value) -> str:
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


class _Copier:
    """Buffers rows for one table and sends them with COPY every ``batch`` rows."""

    def __init__(self, cursor, table: str, batch: int = 100_000):
        self.cursor, self.table, self.batch = cursor, table, batch
        self.columns = TABLES[table].split()
        self.buffer = io.StringIO()
        self.pending = 0
        self.count = 0

    def add(self, *row) -> None:
        self.buffer.write("\t".join(_copy_value(v) for v in row))
        self.buffer.write("\n")
        self.pending += 1
        if self.pending >= self.batch:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        self.buffer.seek(0)
        self.cursor.copy_expert(
            f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN", self.buffer
        )
        self.count += self.pending
        self.buffer = io.StringIO()
        self.pending = 0


def _allocate(rng: random.Random, total: int, weights: list[float]) -> list[int]:
    """Split ``total`` items over len(weights) owners in proportion to the weights (largest
    remainder, so the sum is exact and the result reproducible)."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    short = total - sum(counts)
    order = sorted(range(len(weights)), key=lambda i: shares[i] - counts[i], reverse=True)
    for i in order[:short]:
        counts[i] += 1
    return counts


class Command(BaseCommand):
    help = "Fill PostgreSQL with national-scale data for scripts/benchmark_national.py (by hand)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=15)
        parser.add_argument("--scale", type=float, default=1.0, help="multiply every size")
        parser.add_argument("--partnerships", type=int, default=2_000)
        parser.add_argument("--commitments", type=int, default=20_000)
        parser.add_argument("--deliveries", type=int, default=1_000_000)
        parser.add_argument("--risks", type=int, default=100_000)
        parser.add_argument("--actions", type=int, default=200_000)
        parser.add_argument("--secondments", type=int, default=20_000)
        parser.add_argument("--today", type=date.fromisoformat, default=None)
        parser.add_argument(
            "--flush", action="store_true", help="empty the domain tables first (TRUNCATE)"
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("generate_scale_data needs PostgreSQL (it writes with COPY).")
        scale = options["scale"]
        self.sizes = {
            key: max(1, int(options[key] * scale))
            for key in (
                "partnerships",
                "commitments",
                "deliveries",
                "risks",
                "actions",
                "secondments",
            )
        }
        self.rng = random.Random(options["seed"])
        self.today = options["today"] or timezone.localdate()
        self.now = timezone.now()
        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM partnerships_organisation WHERE kind <> 'regulator'"
            )
            if cursor.fetchone()[0] == 0:
                call_command("import_organisations")
        with transaction.atomic(), connection.cursor() as cursor:
            if options["flush"]:
                cursor.execute(f"TRUNCATE {', '.join(FLUSH)} CASCADE")
                cursor.execute("DELETE FROM auth_user WHERE username LIKE 'bench-%%'")
            else:
                cursor.execute("SELECT count(*) FROM partnerships_partnership")
                if cursor.fetchone()[0]:
                    raise CommandError(
                        "The database has partnerships: add --flush to replace them."
                    )
            self.cursor = cursor
            self._load()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(f"Done in {time.monotonic() - started:.0f} s.")

    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def _words(self, n: int) -> str:
        return " ".join(self.rng.choices(WORDS, k=n)).capitalize()

    def _step(self, label: str, copier: _Copier) -> None:
        copier.flush()
        self.stdout.write(f"  {label}: {copier.count:,} rows")

    def _load(self) -> None:
        rng, cur, today, now = self.rng, self.cursor, self.today, self.now
        sizes = self.sizes
        cur.execute(
            "SELECT ods_code FROM partnerships_organisation WHERE kind <> 'regulator' "
            "AND active ORDER BY ods_code"
        )
        trusts = [row[0] for row in cur.fetchall()]
        cur.execute(
            "INSERT INTO partnerships_organisation (ods_code, name, kind, region_code, "
            "region_name, icb_code, icb_name, address, postcode, telephone, cqc_rating, "
            "in_recovery_support, active, updated_at) VALUES (%s, 'NHS England', 'regulator', "
            "'', '', '', '', '', '', '', '', false, true, now()) ON CONFLICT DO NOTHING",
            [REGULATOR_ODS],
        )

        # People: two per trust, the typical user and a regulator.
        password = make_password(PASSWORD)
        cur.execute("SELECT coalesce(max(id), 0) FROM auth_user")
        next_id = cur.fetchone()[0] + 1
        users = _Copier(cur, "auth_user")
        members = _Copier(cur, "partnerships_membership")
        pm_of, exec_of = {}, {}
        typical = trusts[len(trusts) // 3]
        people = [(f"bench-{ods.lower()}", ods, "programme_manager") for ods in trusts]
        people += [(f"bench-{ods.lower()}-exec", ods, "executive") for ods in trusts]
        people += [(TYPICAL_USER, typical, "programme_manager")]
        people += [(REGULATOR_USER, REGULATOR_ODS, "regulator")]
        for username, ods, role in people:
            users.add(next_id, password, False, username, "Bench", ods, "", False, True, now)
            members.add(role, now, next_id, ods)
            (exec_of if role == "executive" else pm_of).setdefault(ods, next_id)
            next_id += 1
        self._step("people", users)
        members.flush()
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('auth_user', 'id'), "
            "(SELECT max(id) FROM auth_user))"
        )

        # Appetites: every trust, every category.
        appetites = _Copier(cur, "risks_riskappetite")
        for ods in trusts:
            for category in RISK_CATEGORIES:
                level = rng.choice(["avoid", "minimal", "cautious", "open", "seek"])
                tolerance = {"avoid": 4, "minimal": 6, "cautious": 10, "open": 15, "seek": 20}[
                    level
                ]
                appetites.add(self._uuid(), now, now, category, level, tolerance, "", ods, 1)
        self._step("risk appetites", appetites)

        # Partnerships: the typical trust is in ~40 (the first is the largest of all).
        n = sizes["partnerships"]
        partnerships = _Copier(cur, "partnerships_partnership")
        parties = _Copier(cur, "partnerships_party")
        objectives = _Copier(cur, "partnerships_objective")
        counters = _Copier(cur, "partnerships_referencecounter")
        self.partnerships = []  # (id, reference, status, start, end, buddy, supported)
        year_counts: dict[int, int] = {}
        others = [t for t in trusts if t != typical]
        for i in range(n):
            pid = self._uuid()
            start = today - timedelta(days=rng.randint(-60, 900))
            end = start + timedelta(days=rng.randint(365, 900))
            year = start.year
            year_counts[year] = year_counts.get(year, 0) + 1
            reference = f"BP-{year}-{year_counts[year]:04d}"
            roll = rng.random()
            status = (
                "proposed"
                if start > today
                else "active"
                if roll < 0.75
                else "agreed"
                if roll < 0.85
                else "closed"
            )
            buddy, supported = rng.sample(others, 2)
            if i < TYPICAL_PARTNERSHIPS and i < n:
                if i % 2 == 0:
                    buddy = typical
                else:
                    supported = typical
            closed = status == "closed"
            partnerships.add(
                pid,
                now,
                now,
                reference,
                f"{self._words(3)} support",
                "buddying" if rng.random() < 0.8 else "mentoring",
                self._words(6),
                self._words(20),
                start,
                end,
                end if closed else None,
                Decimal(rng.randint(0, 400)) * 1000,
                "nhs_england",
                Decimal(rng.randint(100, 900)) * 1000,
                status,
                "completed" if closed else "",
                "Objectives met." if closed else "",
                1,
            )
            roles = [("buddy", buddy), ("supported", supported)]
            if rng.random() < 0.1:
                roles.append(
                    ("broker", rng.choice([t for t in others if t not in (buddy, supported)]))
                )
            for role, ods in roles:
                parties.add(
                    role,
                    "Alex Sponsor",
                    "Chief executive",
                    "Sam Deputy",
                    "Deputy chief executive",
                    now,
                    ods,
                    pid,
                    1,
                    start,
                )
            for k in range(3):
                objectives.add(
                    self._uuid(),
                    f"Objective {k + 1}: {self._words(4)}",
                    "Per cent",
                    "60",
                    "85",
                    end,
                    now,
                    pid,
                    1,
                )
            self.partnerships.append((pid, reference, status, start, end, buddy, supported))
        for year, last in year_counts.items():
            counters.add(f"BP-{year}", last)
        self._step("partnerships", partnerships)
        parties.flush()
        objectives.flush()
        counters.flush()

        # Approvals of the principal parties of partnerships past "proposed".
        cur.execute(
            "SELECT p.id, pa.id, pa.organisation_id, pa.role FROM partnerships_partnership p "
            "JOIN partnerships_party pa ON pa.partnership_id = p.id "
            "WHERE p.status <> 'proposed' AND pa.role IN ('buddy', 'supported')"
        )
        approvals = _Copier(cur, "partnerships_approval")
        for pid, party_id, ods, _role in cur.fetchall():
            approvals.add(now, exec_of[ods], pid, party_id)
        self._step("approvals", approvals)

        # Sizes per partnership: skewed, the first partnership the largest.
        weights = [rng.paretovariate(1.6) for _ in range(n)]
        weights[0] = max(weights) * 2

        # Commitments and their deliveries.
        per_partnership = _allocate(rng, sizes["commitments"], weights)
        commitments = _Copier(cur, "partnerships_commitment")
        commitment_rows = []  # (id, start, end, planned, org)
        for (pid, reference, _status, p_start, _end, buddy, supported), count in zip(
            self.partnerships, per_partnership, strict=True
        ):
            for k in range(count):
                cid = self._uuid()
                org = buddy if rng.random() < 0.8 else supported
                unit = rng.choice(["hours", "days", "fte", "gbp"])
                planned = {
                    "hours": Decimal(rng.randint(20, 800)),
                    "days": Decimal(rng.randint(5, 200)),
                    "fte": Decimal(rng.randint(2, 30)) / 10,
                    "gbp": Decimal(rng.randint(5, 500)) * 1000,
                }[unit]
                start = p_start + timedelta(days=rng.randint(0, 90))
                end = start + timedelta(days=rng.randint(90, 600))
                commitments.add(
                    cid,
                    now,
                    now,
                    f"C-{k + 1:04d}",
                    rng.choice(COMMITMENT_CATEGORIES),
                    self._words(8),
                    unit,
                    planned,
                    start,
                    end,
                    "Jo Owner, Director of operations",
                    org,
                    pid,
                    1,
                    0,  # delivered_total: recomputed once the deliveries are in (_after_load)
                )
                commitment_rows.append((cid, start, end, planned, org))
            if count:
                counters.add(f"C-{reference}", count)
        self._step("commitments", commitments)
        counters.flush()

        elapsed = [
            max(0, (min(end, today) - start).days + 1) if start <= today else 0
            for _cid, start, end, _planned, _org in commitment_rows
        ]
        per_commitment = (
            _allocate(rng, sizes["deliveries"], [e or 0.0 for e in elapsed])
            if any(elapsed)
            else [0] * len(elapsed)
        )
        deliveries = _Copier(cur, "partnerships_delivery")
        randint, choice, random_ = rng.randint, rng.choice, rng.random
        groups = [*STAFF_GROUPS, ""]
        for (cid, start, end, planned, org), days, count in zip(
            commitment_rows, elapsed, per_commitment, strict=True
        ):
            if not count:
                continue
            period = (end - start).days + 1
            # Some on track, some behind: delivered = expected × a factor from 0.3 to 1.2.
            target = planned * Decimal(days) / Decimal(period) * Decimal(randint(30, 120)) / 100
            each = max(Decimal("0.01"), (target / count).quantize(Decimal("0.01")))
            logged_by = pm_of[org]
            for _ in range(count):
                when = start + timedelta(days=randint(0, days - 1))
                deliveries.add(
                    uuid.UUID(int=rng.getrandbits(128), version=4),
                    now,
                    now,
                    when,
                    each,
                    choice(groups),
                    "" if random_() < 0.7 else "Logged at the monthly review",
                    cid,
                    logged_by,
                    1,
                )
        self._step("deliveries", deliveries)

        # Risks and actions.
        per_partnership = _allocate(rng, sizes["risks"], weights)
        risks = _Copier(cur, "risks_risk")
        risk_rows = []  # (id, owner, pid, org)
        self.risks_by_partnership: dict = {}
        for (pid, _reference, _status, _s, _e, buddy, supported), count in zip(
            self.partnerships, per_partnership, strict=True
        ):
            for k in range(count):
                rid = self._uuid()
                org = buddy if rng.random() < 0.6 else supported
                cl, cc = randint(1, 5), randint(1, 5)
                il, ic = randint(cl, 5), randint(cc, 5)
                tl, tc = randint(1, cl), randint(1, cc)
                is_open = rng.random() < 0.9
                risks.add(
                    rid,
                    now,
                    now,
                    k + 1,
                    f"R-{k + 1:03d}",
                    self._words(5),
                    self._words(25),
                    choice(RISK_CATEGORIES),
                    il,
                    ic,
                    cl,
                    cc,
                    tl,
                    tc,
                    self._words(10),
                    choice(["monthly", "quarterly", "six_monthly", "annually"]),
                    today + timedelta(days=randint(-90, 180)),
                    "open" if is_open else "closed",
                    "" if is_open else "Mitigated",
                    None if is_open else today - timedelta(days=randint(1, 200)),
                    pm_of[org],
                    org,
                    pid,
                    1,
                )
                risk_rows.append((rid, pm_of[org], pid, org))
                self.risks_by_partnership.setdefault(pid, []).append((rid, org))
            if count:
                counters.add(f"risks:{pid}", count)
        self._step("risks", risks)
        counters.flush()

        actions = _Copier(cur, "risks_riskaction")
        per_risk = _allocate(rng, sizes["actions"], [random_() + 0.2 for _ in risk_rows])
        for (rid, owner, pid, _org), count in zip(risk_rows, per_risk, strict=True):
            for _ in range(count):
                done = random_() < 0.4
                actions.add(
                    self._uuid(),
                    now,
                    now,
                    self._words(7),
                    today + timedelta(days=randint(-120, 240)),
                    "done" if done else "open",
                    today - timedelta(days=randint(0, 100)) if done else None,
                    owner,
                    rid,
                    pid,
                    1,
                )
        self._step("risk actions", actions)

        # Secondments: buddy staff working at the supported trust.
        secondments = _Copier(cur, "secondments_secondment")
        per_partnership = _allocate(rng, sizes["secondments"], weights)
        staff = 0
        for (pid, reference, _status, p_start, _e, buddy, supported), count in zip(
            self.partnerships, per_partnership, strict=True
        ):
            for k in range(count):
                staff += 1
                start = p_start + timedelta(days=randint(0, 200))
                secondments.add(
                    1,
                    self._uuid(),
                    now,
                    now,
                    f"S-{k + 1:04d}",
                    f"EMP{staff:07d}",
                    f"{self._words(2)} lead",
                    choice(STAFF_GROUPS),
                    choice(BANDS),
                    Decimal(randint(1, 10)) / 10,
                    start,
                    start + timedelta(days=randint(60, 400)),
                    random_() < 0.5,
                    Decimal(randint(0, 9000)),
                    self._words(12),
                    "",
                    False,
                    "",
                    buddy,
                    supported,
                    pid,
                )
            if count:
                counters.add(f"S-{reference}", count)
        self._step("secondments", secondments)
        counters.flush()

        # Reviews (quarterly, for partnerships under way), learning items and draft agreements.
        reviews = _Copier(cur, "reviews_outcomereview")
        learning = _Copier(cur, "reviews_learningitem")
        agreements = _Copier(cur, "agreements_agreement")
        lines = _Copier(cur, "agreements_agreementline")
        shares = _Copier(cur, "agreements_lineshare")
        for pid, _reference, status, p_start, _e, buddy, supported in self.partnerships:
            if status in ("active", "closed"):
                for q in range(4):
                    begin = p_start + timedelta(days=91 * q)
                    due = begin + timedelta(days=105)
                    reviews.add(
                        1,
                        self._uuid(),
                        now,
                        now,
                        "quarterly",
                        begin,
                        begin + timedelta(days=90),
                        due,
                        "draft" if due < today else "scheduled",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        pid,
                    )
            for _ in range(2):
                learning.add(
                    1,
                    self._uuid(),
                    now,
                    now,
                    self._words(5),
                    self._words(30),
                    choice(["buddy_to_supported", "supported_to_buddy", "mutual"]),
                    choice(THEMES),
                    random_() < 0.5,
                    random_() < 0.3,
                    pid,
                )
            partnership_risks = self.risks_by_partnership.get(pid, [])
            if status != "proposed" and partnership_risks and random_() < 0.6:
                aid = self._uuid()
                agreements.add(
                    1,
                    aid,
                    now,
                    now,
                    1,
                    "draft",
                    self._words(20),
                    self._words(10),
                    None,
                    None,
                    "Mediation by the ICB",
                    "Three months' notice",
                    "",
                    pid,
                )
                for rid, org in partnership_risks[:5]:
                    lid = self._uuid()
                    lines.add(
                        1,
                        lid,
                        now,
                        now,
                        Decimal(randint(1, 50)) * 10000,
                        self._words(10),
                        aid,
                        org,
                        rid,
                    )
                    shares.add(1, self._uuid(), now, now, Decimal(50), lid, buddy)
                    shares.add(1, self._uuid(), now, now, Decimal(50), lid, supported)
        for label, copier in (
            ("outcome reviews", reviews),
            ("learning items", learning),
            ("agreements", agreements),
            ("agreement lines", lines),
            ("line shares", shares),
        ):
            self._step(label, copier)
        self._after_load()

    def _after_load(self) -> None:
        """Stored figures the application keeps up to date itself on every write."""
        cur = self.cursor
        cur.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_name = 'partnerships_commitment' "
            "AND column_name = 'delivered_total'"
        )
        if cur.fetchone():
            call_command("recompute_commitment_totals", "--fix", stdout=io.StringIO())
            self.stdout.write("  commitment totals recomputed")
