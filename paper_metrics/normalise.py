"""From canonical parser columns to validated job rows: times, counts, A4-equivalent sheets, sections."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _

from paper_metrics.conversion import a4_sheets_array, normalise_size
from paper_metrics.models import Printer, SectionCodeMap
from paper_metrics.parsers import ParseState
from workstyle.models import OrgUnit, StaffProfile

TZ_NAME = "Asia/Tokyo"


@dataclass
class Lookup:
    """Where a log line belongs: user → staff → section; department code → section; printer → section."""

    users: dict[str, int] = field(default_factory=dict)
    departments: dict[str, int] = field(default_factory=dict)
    printers: dict[str, int] = field(default_factory=dict)

    @classmethod
    def build(cls) -> Lookup:
        users: dict[str, int] = {}
        by_email: dict[str, int] = {}
        for number, email, section_id, _active in StaffProfile.objects.values_list(
            "employee_number", "email", "section_id", "is_active"
        ).order_by("is_active"):  # active staff last, so they win
            users[number.strip().lower()] = section_id
            if email and "@" in email:
                by_email[email.split("@", 1)[0].strip().lower()] = section_id
        for local, sid in by_email.items():
            users.setdefault(local, sid)  # the employee number takes precedence
        departments = {code.lower(): pk for code, pk in OrgUnit.objects.filter(kind="section").values_list("code", "pk")}
        for old, new in SectionCodeMap.objects.values_list("old_code", "new_section_id"):
            departments[old.lower()] = new
        printers = dict(Printer.objects.values_list("name_key", "section_id"))
        return cls(users=users, departments=departments, printers=printers)


def _map_unique(s: pd.Series, fn) -> pd.Series:
    """Apply ``fn`` once per distinct value (logs repeat users, printers and documents a lot)."""
    values = s.to_numpy(dtype=object)
    uniq = pd.unique(values)
    table = {v: fn(v) for v in uniq}
    return pd.Series([table[v] for v in values], index=s.index, dtype=object)


def user_key(value: str) -> str:
    """'CITY\\Sato', 'sato@city.example.jp', ' SATO ' → 'sato'."""
    return value.strip().lower().rsplit("\\", 1)[-1].split("@", 1)[0]


def printer_key(value: str) -> str:
    return value.strip().rsplit("\\", 1)[-1].rsplit("/", 1)[-1].lower()


def _parse_times(s: pd.Series, fmt: str | None) -> pd.Series:
    s = s.str.strip()
    if fmt:
        return pd.to_datetime(s, format=fmt, errors="coerce")
    t = pd.to_datetime(s.str.replace("/", "-", regex=False), format="%Y-%m-%d %H:%M:%S", errors="coerce")
    bad = t.isna() & s.ne("")
    if bad.any():
        t2 = pd.to_datetime(s[bad].str.replace("/", "-", regex=False), format="ISO8601", errors="coerce")
        t.loc[bad] = t2
    return t


@dataclass
class Normalised:
    frame: pd.DataFrame  # valid rows, storage columns
    unmapped: list[tuple[int, str]]  # the first 5,000
    unmapped_count: int
    unknown_sizes: dict[str, int]


def normalise(df: pd.DataFrame, *, state: ParseState, lookup: Lookup, factors: dict[str, float],
              time_format: str | None = None) -> Normalised:
    n = len(df)
    line = df["line"].to_numpy(dtype=np.int64)
    times = _parse_times(df["time"].astype(str), time_format)
    bad_time = times.isna().to_numpy()
    if bad_time.any():
        year_ok = np.ones(n, dtype=bool)
    else:
        years = times.dt.year.to_numpy()
        year_ok = (years >= 2000) & (years <= 2100)

    sheets_col = df["sheets"].astype(str).str.strip()
    has_sheets = sheets_col.ne("").to_numpy()
    pages_raw = df["pages"].astype(str).str.strip()
    pages = pd.to_numeric(pages_raw, errors="coerce").to_numpy(dtype=float)
    copies_raw = df["copies"].astype(str).str.strip()
    copies = pd.to_numeric(copies_raw.where(copies_raw.ne(""), "1"), errors="coerce").to_numpy(dtype=float)
    given = pd.to_numeric(sheets_col.where(sheets_col.ne(""), "nan"), errors="coerce").to_numpy(dtype=float)

    bad_pages = ~has_sheets & (np.isnan(pages) | (pages < 0) | (np.nan_to_num(pages) % 1 != 0))
    bad_copies = np.isnan(copies) | (copies < 1) | (np.nan_to_num(copies) % 1 != 0)
    bad_sheets = has_sheets & (np.isnan(given) | (given < 0))
    bad = bad_time | ~year_ok | bad_pages | bad_copies | bad_sheets
    if bad.any():
        for i in np.flatnonzero(bad)[:5000]:
            if bad_time[i]:
                msg = _("bad date or time %(value)r") % {"value": str(df["time"].iat[i])[:40]}
            elif not year_ok[i]:
                msg = _("date out of range %(value)r") % {"value": str(df["time"].iat[i])[:40]}
            elif bad_pages[i]:
                msg = _("pages must be a whole number ≥ 0, found %(value)r") % {"value": pages_raw.iat[i][:20]}
            elif bad_copies[i]:
                msg = _("copies must be a whole number ≥ 1, found %(value)r") % {"value": copies_raw.iat[i][:20]}
            else:
                msg = _("sheets must be a number ≥ 0, found %(value)r") % {"value": sheets_col.iat[i][:20]}
            state.add_error(int(line[i]), msg)
        state.error_count += max(0, int(bad.sum()) - 5000)
        keep = ~bad
        df, line, times = df[keep], line[keep], times[keep]
        pages, copies, given, has_sheets = pages[keep], copies[keep], given[keep], has_sheets[keep]

    sizes_raw = df["paper_size"].astype(str)
    uniq = {v: normalise_size(v) for v in pd.unique(sizes_raw)}
    sizes = sizes_raw.map(uniq)
    factor = sizes.map(lambda s: factors.get(s, 1.0)).to_numpy(dtype=float)
    unknown = sizes[~sizes.isin(list(factors))].value_counts().to_dict()
    duplex = df["duplex"].to_numpy(dtype=bool)
    p_int = np.nan_to_num(pages).astype(np.int64)
    c_int = copies.astype(np.int64)
    sheets = np.where(has_sheets, np.nan_to_num(given) * factor,
                      a4_sheets_array(p_int, c_int, duplex, factor))

    users = _map_unique(df["user"], lambda v: str(v).strip()[:150])
    section = _map_unique(df["user"], lambda v: lookup.users.get(user_key(str(v)), np.nan)).astype(float)
    dept = df["department"]
    if (dept != "").any():
        section = section.fillna(_map_unique(dept, lambda v: lookup.departments.get(str(v).strip().lower(), np.nan))
                                 .astype(float))
    printers = _map_unique(df["printer"], lambda v: str(v).strip()[:200])
    section = section.fillna(_map_unique(df["printer"], lambda v: lookup.printers.get(printer_key(str(v)), np.nan))
                             .astype(float))
    section_arr = section.to_numpy(dtype=float)
    unmapped_mask = np.isnan(section_arr)
    unmapped = []
    for i in np.flatnonzero(unmapped_mask)[:5000]:
        unmapped.append((int(line[i]), _("user %(user)r and printer %(printer)r are not mapped to a section")
                         % {"user": users.iat[i][:40], "printer": printers.iat[i][:60]}))

    naive = times.to_numpy(dtype="datetime64[s]")
    frame = pd.DataFrame({
        "line": line,
        "printed_at": naive,
        "month": naive.astype("datetime64[M]").astype("datetime64[D]"),
        "user_name": users.to_numpy(dtype=object),
        "section_id": pd.array(np.where(unmapped_mask, 0, section_arr).astype(np.int64), dtype="Int64"),
        "printer": printers.to_numpy(dtype=object),
        "document": _map_unique(df["document"], lambda v: str(v).strip()[:500]).to_numpy(dtype=object),
        "pages": np.where(has_sheets & np.isnan(pages), 0, p_int),
        "copies": c_int,
        "duplex": duplex,
        "color": df["color"].to_numpy(dtype=bool),
        "paper_size": sizes.to_numpy(dtype=object),
        "sheets": sheets.astype(float),
    })
    frame.loc[unmapped_mask, "section_id"] = pd.NA
    return Normalised(frame=frame, unmapped=unmapped, unmapped_count=int(unmapped_mask.sum()), unknown_sizes={str(k): int(v) for k, v in unknown.items()})
