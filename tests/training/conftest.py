import datetime as dt

import pytest

from training.models import Course, Requirement, RequirementSet, TierSetting


@pytest.fixture
def catalogue(db):
    """Six courses and simple rules: bronze = B1+B2; silver = bronze, S1, any 1 of S2/S3, a report;
    gold = silver and G1. Silver and gold valid 36 months, reminder 90 days before."""
    c = {}
    for code, tier in [("B1", "bronze"), ("B2", "bronze"), ("S1", "silver"), ("S2", "silver"), ("S3", "silver"),
                       ("G1", "gold")]:
        c[code] = Course.objects.create(code=code, title=f"Course {code}", tier=tier, kind="elearning", hours=6)
    b = RequirementSet.objects.create(tier="bronze", name="basic")
    r = Requirement.objects.create(requirement_set=b, kind="all_of")
    r.courses.set([c["B1"], c["B2"]])
    s = RequirementSet.objects.create(tier="silver", name="leader")
    Requirement.objects.create(requirement_set=s, kind="previous_tier", tier="bronze")
    r = Requirement.objects.create(requirement_set=s, kind="all_of")
    r.courses.set([c["S1"]])
    r = Requirement.objects.create(requirement_set=s, kind="any_n_of", n=1)
    r.courses.set([c["S2"], c["S3"]])
    Requirement.objects.create(requirement_set=s, kind="project_report")
    g = RequirementSet.objects.create(tier="gold", name="strategy")
    Requirement.objects.create(requirement_set=g, kind="previous_tier", tier="silver")
    r = Requirement.objects.create(requirement_set=g, kind="all_of")
    r.courses.set([c["G1"]])
    TierSetting.objects.create(tier="silver", validity_months=36, remind_days_before=90)
    TierSetting.objects.create(tier="gold", validity_months=36, remind_days_before=90)
    return c


@pytest.fixture
def past():
    from workstyle import dates

    return dates.today() - dt.timedelta(days=10)
