"""Organisation and staff: imports from HR's CSV files, deactivation."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from workstyle.csvfiles import read_csv
from workstyle.errors import ImportRejected
from workstyle.models import OrgUnit, Role, StaffProfile, User
from workstyle.services.audit import log_event

ORG_COLUMNS = ["code", "name", "kind", "parent_code"]
STAFF_COLUMNS = ["employee_number", "name", "name_kana", "email", "section_code", "title", "employment_type", "is_manager"]
TRUE_VALUES = {"1", "true", "yes", "y", "t", "はい", "○", "◯"}
FALSE_VALUES = {"0", "false", "no", "n", "f", "", "いいえ", "×"}


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    deactivated: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deactivated)

    def summary(self) -> str:
        return _("%(created)s new, %(updated)s changed, %(unchanged)s unchanged, %(deactivated)s deactivated.") % {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": self.unchanged,
            "deactivated": len(self.deactivated),
        }


def import_org(*, data: bytes, actor, file_name: str = "", dry_run: bool = False) -> ImportReport:
    """Create or update organisation units from `code,name,kind,parent_code`. All or nothing."""
    csvf = read_csv(data, name=file_name, required=ORG_COLUMNS)
    errors: list[tuple[int, str]] = []
    kinds = {k.value for k in OrgUnit.Kind}
    seen: dict[str, int] = {}
    parsed: dict[str, dict] = {}
    for line, row in csvf.rows:
        code, name, kind, parent = row["code"], row["name"], row["kind"].lower(), row["parent_code"]
        if not code:
            errors.append((line, _("code is empty")))
            continue
        if code in seen:
            errors.append((line, _("code %(code)s already appears on line %(other)s") % {"code": code, "other": seen[code]}))
            continue
        seen[code] = line
        if not name:
            errors.append((line, _("name is empty")))
        if kind not in kinds:
            errors.append((line, _("unknown kind %(kind)s (use bureau, ward, department or section)") % {"kind": kind}))
        elif kind in ("bureau", "ward") and parent:
            errors.append((line, _("a %(kind)s has no parent") % {"kind": kind}))
        elif kind in ("department", "section") and not parent:
            errors.append((line, _("a %(kind)s needs a parent_code") % {"kind": kind}))
        parsed[code] = {"line": line, "name": name, "kind": kind, "parent": parent}
    existing = {u.code: u for u in OrgUnit.objects.all()}
    for code, p in parsed.items():
        if p["parent"] and p["parent"] not in parsed and p["parent"] not in existing:
            errors.append((p["line"], _("unknown parent_code %(code)s") % {"code": p["parent"]}))
        if p["parent"] == code:
            errors.append((p["line"], _("a unit cannot be its own parent")))
    # cycle check
    for code in parsed:
        cur, hops = code, 0
        while cur and hops < 50:
            cur = parsed[cur]["parent"] if cur in parsed else (existing[cur].parent.code if cur in existing and existing[cur].parent_id else "")
            hops += 1
        if hops >= 50:
            errors.append((parsed[code]["line"], _("the parent chain of %(code)s forms a cycle") % {"code": code}))
    if errors:
        raise ImportRejected(_("The organisation file has errors; nothing was changed."), errors=sorted(errors))

    report = ImportReport(dry_run=dry_run)
    with transaction.atomic():
        units = dict(existing)
        # create/update in parent-first order
        def depth(c):
            d, cur = 0, c
            while cur and d < 50:
                cur = parsed[cur]["parent"] if cur in parsed else (units[cur].parent.code if units.get(cur) and units[cur].parent_id else "")
                d += 1
            return d

        for code in sorted(parsed, key=depth):
            p = parsed[code]
            parent = units[p["parent"]] if p["parent"] else None
            unit = units.get(code)
            if unit is None:
                unit = OrgUnit(code=code, name=p["name"], kind=p["kind"], parent=parent)
                report.created.append(code)
            else:
                if (unit.name, unit.kind, unit.parent_id, unit.is_active) == (
                    p["name"], p["kind"], parent.pk if parent else None, True
                ):
                    report.unchanged += 1
                    continue
                unit.name, unit.kind, unit.parent, unit.is_active = p["name"], p["kind"], parent, True
                report.updated.append(code)
            if not dry_run:
                unit.save()
            units[code] = unit
        if not dry_run:
            recompute_tree()
            log_event(
                actor=actor, action="org.import", object_type="workstyle.orgunit",
                details={"file": file_name, "sha256": csvf.sha256, "created": len(report.created),
                         "updated": len(report.updated), "unchanged": report.unchanged},
            )
    return report


def recompute_tree() -> None:
    """Recompute `path` and `top` for every unit (the tree is small: hundreds of rows)."""
    units = {u.pk: u for u in OrgUnit.objects.all()}
    changed = []
    for u in units.values():
        chain, cur = [], u
        while cur is not None:
            chain.append(cur)
            cur = units.get(cur.parent_id)
        path = "/" + "/".join(c.code for c in reversed(chain)) + "/"
        top_id = chain[-1].pk
        if u.path != path or u.top_id != top_id:
            u.path, u.top_id = path, top_id
            changed.append(u)
    if changed:
        OrgUnit.objects.bulk_update(changed, ["path", "top"])


def _parse_bool(value: str) -> bool | None:
    v = value.strip().lower()
    if v in TRUE_VALUES:
        return True
    if v in FALSE_VALUES:
        return False
    return None


def import_staff(
    *, data: bytes, actor, file_name: str = "", dry_run: bool = False, full: bool = True
) -> ImportReport:
    """Create or update staff from HR's CSV. With ``full``, active staff absent from the file are deactivated."""
    csvf = read_csv(data, name=file_name, required=STAFF_COLUMNS)
    sections = {u.code: u for u in OrgUnit.objects.filter(is_active=True)}
    types = {t.value for t in StaffProfile.EmploymentType}
    errors: list[tuple[int, str]] = []
    seen_numbers: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    parsed: dict[str, dict] = {}
    for line, row in csvf.rows:
        number = row["employee_number"]
        if not number:
            errors.append((line, _("employee_number is empty")))
            continue
        if number in seen_numbers:
            errors.append((line, _("employee number %(n)s is already on line %(other)s") % {"n": number, "other": seen_numbers[number]}))
            continue
        seen_numbers[number] = line
        if not row["name"]:
            errors.append((line, _("name is empty")))
        email = row["email"].lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors.append((line, _("bad e-mail address %(email)s") % {"email": row["email"]}))
            if email in seen_emails:
                errors.append((line, _("e-mail %(email)s is already on line %(other)s") % {"email": email, "other": seen_emails[email]}))
            seen_emails[email] = line
        if row["section_code"] not in sections:
            errors.append((line, _("unknown section code %(code)s") % {"code": row["section_code"]}))
        etype = row["employment_type"] or "regular"
        if etype not in types:
            errors.append((line, _("unknown employment type %(t)s (use %(choices)s)") % {"t": etype, "choices": ", ".join(sorted(types))}))
        manager = _parse_bool(row["is_manager"])
        if manager is None:
            errors.append((line, _("is_manager must be 1 or 0, got %(v)s") % {"v": row["is_manager"]}))
        parsed[number] = {
            "name": row["name"], "name_kana": row["name_kana"], "email": email, "section_code": row["section_code"],
            "title": row["title"], "employment_type": etype, "is_manager": bool(manager), "line": line,
        }
    if seen_emails:
        clash = (
            StaffProfile.objects.filter(email__in=list(seen_emails))
            .exclude(employee_number__in=list(parsed))
            .values_list("email", "employee_number")
        )
        for email, other in clash:
            errors.append((seen_emails[email], _("e-mail %(email)s belongs to employee %(n)s") % {"email": email, "n": other}))
    if errors:
        raise ImportRejected(_("The staff file has errors; nothing was changed."), errors=sorted(errors))

    report = ImportReport(dry_run=dry_run)
    with transaction.atomic():
        existing = {p.employee_number: p for p in StaffProfile.objects.select_related("user", "section")}
        new_users, new_profiles, changed_profiles, changed_users = [], [], [], []
        fields = ("name", "name_kana", "email", "title", "employment_type", "is_manager")
        for number, p in parsed.items():
            section = sections[p["section_code"]]
            prof = existing.get(number)
            if prof is None:
                user = User(username=number, email=p["email"], is_active=True)
                user.set_unusable_password()
                new_users.append(user)
                new_profiles.append((user, StaffProfile(employee_number=number, section=section, is_active=True,
                                                        **{f: p[f] for f in fields})))
                report.created.append(number)
                continue
            before = tuple(getattr(prof, f) for f in fields) + (prof.section_id, prof.is_active, prof.user.is_active)
            after = tuple(p[f] for f in fields) + (section.pk, True, True)
            if before == after:
                report.unchanged += 1
                continue
            for f in fields:
                setattr(prof, f, p[f])
            prof.section, prof.is_active = section, True
            changed_profiles.append(prof)
            if prof.user.email != p["email"] or not prof.user.is_active:
                prof.user.email, prof.user.is_active = p["email"], True
                changed_users.append(prof.user)
            report.updated.append(number)
        to_deactivate = []
        if full:
            to_deactivate = [prof for n, prof in existing.items() if n not in parsed and prof.is_active]
            report.deactivated = [p.employee_number for p in to_deactivate]
        if dry_run:
            transaction.set_rollback(True)
            return report
        User.objects.bulk_create(new_users, batch_size=1000)
        created_users = {u.username: u for u in User.objects.filter(username__in=[u.username for u in new_users])}
        profiles = []
        for user, prof in new_profiles:
            prof.user = created_users[user.username]
            profiles.append(prof)
        StaffProfile.objects.bulk_create(profiles, batch_size=1000)
        if changed_profiles:
            StaffProfile.objects.bulk_update(changed_profiles, [*fields, "section", "is_active"], batch_size=1000)
        if changed_users:
            User.objects.bulk_update(changed_users, ["email", "is_active"], batch_size=1000)
        sync_manager_group()
        employee_group, _c = Group.objects.get_or_create(name=Role.EMPLOYEE)
        employee_group.user_set.add(*created_users.values())
        for prof in to_deactivate:
            deactivate_staff(profile=prof, actor=actor, reason="absent from full staff import")
        log_event(
            actor=actor, action="staff.import", object_type="workstyle.staffprofile",
            details={"file": file_name, "sha256": csvf.sha256, "created": len(report.created),
                     "updated": len(report.updated), "unchanged": report.unchanged,
                     "deactivated": len(report.deactivated)},
        )
    return report


def sync_manager_group() -> None:
    group, _c = Group.objects.get_or_create(name=Role.MANAGER)
    managers = set(StaffProfile.objects.filter(is_manager=True, is_active=True).values_list("user_id", flat=True))
    current = set(group.user_set.values_list("id", flat=True))
    if managers - current:
        group.user_set.add(*(managers - current))
    if current - managers:
        group.user_set.remove(*(current - managers))


def deactivate_staff(*, profile: StaffProfile, actor, reason: str = "") -> None:
    """Deactivate a person: their login stops, their sessions end and their WebSockets close."""
    from workstyle.services.accounts import end_all_sessions

    with transaction.atomic():
        profile.is_active = False
        profile.save(update_fields=["is_active", "updated_at"])
        user = profile.user
        user.is_active = False
        user.save(update_fields=["is_active"])
        log_event(actor=actor, action="staff.deactivate", obj=profile, subject=user, details={"reason": reason})
        transaction.on_commit(lambda: end_all_sessions(user_id=user.pk))
