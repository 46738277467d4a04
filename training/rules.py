"""Tier evaluation as pure functions over plain data (no queries), so that a whole city can be evaluated
with a constant number of queries and the logic can be property-tested.

A tier is reached when ANY of its active requirement sets is met; a set is met when ALL its requirements
are met. A set without requirements is never met (an empty rule must not award everybody).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class ReqSpec:
    kind: str  # all_of | any_n_of | previous_tier | project_report | min_hours
    course_ids: frozenset[int] = frozenset()
    n: int = 1
    tier: str = ""
    hours: Decimal = Decimal(0)
    id: int = 0


@dataclass(frozen=True)
class SetSpec:
    tier: str
    reqs: tuple[ReqSpec, ...]
    name: str = ""
    id: int = 0


@dataclass
class Facts:
    """What a person has: completed course ids, hours per tier of the completed courses, tiers held, a report."""

    completed: frozenset[int] = frozenset()
    hours_by_tier: dict[str, Decimal] = field(default_factory=dict)
    held: set[str] = field(default_factory=set)
    approved_report: bool = False


@dataclass
class Item:
    label: str
    done: bool
    missing: int  # how many units of work are missing for this item (courses, 1 for a tier or report, …)


def requirement_missing(req: ReqSpec, facts: Facts) -> int:
    """How many units are missing for a requirement (0 = met)."""
    if req.kind == "all_of":
        return len(req.course_ids - facts.completed)
    if req.kind == "any_n_of":
        have = len(req.course_ids & facts.completed)
        # an any-n-of over fewer than n courses can never be met: count the impossible remainder as missing
        return max(0, req.n - have)
    if req.kind == "previous_tier":
        return 0 if req.tier in facts.held else 1
    if req.kind == "project_report":
        return 0 if facts.approved_report else 1
    if req.kind == "min_hours":
        return 0 if facts.hours_by_tier.get(req.tier, Decimal(0)) >= req.hours else 1
    raise ValueError(f"unknown requirement kind {req.kind}")


def set_met(s: SetSpec, facts: Facts) -> bool:
    return bool(s.reqs) and all(requirement_missing(r, facts) == 0 for r in s.reqs)


def set_missing(s: SetSpec, facts: Facts) -> int:
    if not s.reqs:
        return 10**6
    return sum(requirement_missing(r, facts) for r in s.reqs)


def tier_met(sets: Iterable[SetSpec], tier: str, facts: Facts) -> bool:
    return any(set_met(s, facts) for s in sets if s.tier == tier)


def best_set(sets: Iterable[SetSpec], tier: str, facts: Facts) -> SetSpec | None:
    """The set of ``tier`` closest to being met (fewest missing units), or None when the tier has no rule."""
    candidates = [s for s in sets if s.tier == tier and s.reqs]
    if not candidates:
        return None
    return min(candidates, key=lambda s: (set_missing(s, facts), s.id))


def newly_met(sets: list[SetSpec], facts: Facts, order: Iterable[str], auto: set[str]) -> list[str]:
    """Tiers (in ``order``) the person reaches and does not hold yet, holding each new tier before the next
    is evaluated (so bronze → silver → gold can happen in one pass). Only tiers in ``auto`` are awarded."""
    held = set(facts.held)
    out = []
    for tier in order:
        if tier in held or tier not in auto:
            continue
        f = Facts(completed=facts.completed, hours_by_tier=facts.hours_by_tier, held=held,
                  approved_report=facts.approved_report)
        if tier_met(sets, tier, f):
            held.add(tier)
            out.append(tier)
    return out


def checklist(s: SetSpec, facts: Facts, course_names: dict[int, str], tier_names: dict[str, str]) -> list[Item]:
    items: list[Item] = []
    for r in s.reqs:
        missing = requirement_missing(r, facts)
        if r.kind == "all_of":
            for cid in sorted(r.course_ids, key=lambda c: course_names.get(c, "")):
                done = cid in facts.completed
                items.append(Item(course_names.get(cid, str(cid)), done, 0 if done else 1))
        elif r.kind == "any_n_of":
            names = ", ".join(sorted(course_names.get(c, str(c)) for c in r.course_ids))
            have = len(r.course_ids & facts.completed)
            items.append(Item(_("%(n)s of: %(courses)s (done: %(have)s)") % {"n": r.n, "courses": names, "have": have},
                              missing == 0, missing))
        elif r.kind == "previous_tier":
            items.append(Item(_("Hold the %(tier)s tier") % {"tier": tier_names.get(r.tier, r.tier)}, missing == 0, missing))
        elif r.kind == "project_report":
            items.append(Item(_("An approved DX project report"), missing == 0, missing))
        elif r.kind == "min_hours":
            have = facts.hours_by_tier.get(r.tier, Decimal(0))
            items.append(Item(_("%(hours)s hours of %(tier)s courses (done: %(have)s)") % {
                "hours": r.hours, "tier": tier_names.get(r.tier, r.tier), "have": have}, missing == 0, missing))
    return items
