"""From canonical parser columns to validated job rows: times, counts, A4-equivalent sheets, sections."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from django.utils.translation import gettext as _

from paper_metrics.conversion import a4_sheets_array, normalise_size
from paper_metrics.models import Printer, SectionCodeMap
from paper_metrics.parsers import Chunk, ParseState
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
class Jobs:
    """Valid job rows as columns, ready to store: numpy arrays and arrow string arrays."""

    line: np.ndarray  # int64
    printed_at: np.ndarray  # datetime64[s], local time (Asia/Tokyo)
    month: np.ndarray  # datetime64[D], first day of the month
    user_name: pa.Array  # string, or dictionary of strings
    section: np.ndarray  # float64, NaN when unmapped
    printer: pa.Array
    document: pa.Array
    pages: np.ndarray  # int64
    copies: np.ndarray  # int64
    duplex: np.ndarray  # bool
    color: np.ndarray  # bool
    paper_size: pa.Array
    sheets: np.ndarray  # float64

    def __len__(self) -> int:
        return len(self.line)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> Jobs:
        def text(col):
            return pa.array(frame[col].to_numpy(dtype=object), type=pa.string())

        return cls(
            line=frame["line"].to_numpy(dtype=np.int64),
            printed_at=frame["printed_at"].to_numpy(dtype="datetime64[s]"),
            month=frame["month"].to_numpy(dtype="datetime64[D]"),
            user_name=text("user_name"),
            section=frame["section_id"].astype("float64").to_numpy(dtype=float, na_value=np.nan),
            printer=text("printer"),
            document=text("document"),
            pages=frame["pages"].to_numpy(dtype=np.int64),
            copies=frame["copies"].to_numpy(dtype=np.int64),
            duplex=frame["duplex"].to_numpy(dtype=bool),
            color=frame["color"].to_numpy(dtype=bool),
            paper_size=text("paper_size"),
            sheets=frame["sheets"].to_numpy(dtype=float),
        )


@dataclass
class Normalised:
    jobs: Jobs  # valid rows, storage columns
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
    return Normalised(jobs=Jobs.from_frame(frame), unmapped=unmapped, unmapped_count=int(unmapped_mask.sum()), unknown_sizes={str(k): int(v) for k, v in unknown.items()})



# -- the fast path ---------------------------------------------------------------------------------------------

_TIME_RE = r"^[0-9]{4}[-/][0-9]{2}[-/][0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$"
_CACHE_LIMIT = 200_000


class _Memo:
    """Per-value results (a stored name and, optionally, a section) for every distinct value seen in this
    import; each chunk's distinct values are found again with arrow's hash lookup (``index_in``), so Python
    runs once per new value, not once per chunk."""

    def __init__(self, name_fn, section_fn=None):
        self.name_fn, self.section_fn = name_fn, section_fn
        self._reset()

    def _reset(self) -> None:
        self._known = pa.array([], type=pa.string())
        self.names = pa.array([], type=pa.string())
        self.sections = np.empty(0, dtype=float)

    def lookup(self, arr: pa.Array) -> tuple[pa.Array, np.ndarray | None, np.ndarray]:
        """(stored name per distinct value of the chunk, section per distinct value, row → distinct index)."""
        if len(self._known) > _CACHE_LIMIT:
            self._reset()
        enc = pc.dictionary_encode(arr)
        ids = pc.index_in(enc.dictionary, value_set=self._known).to_numpy(zero_copy_only=False)
        new = np.isnan(ids) if ids.dtype.kind == "f" else np.zeros(len(ids), dtype=bool)
        if new.any():
            fresh = enc.dictionary.filter(pa.array(new))
            values = fresh.to_pylist()
            start = len(self._known)
            self._known = pa.concat_arrays([self._known, fresh.cast(pa.string())])
            self.names = pa.concat_arrays([self.names, pa.array([self.name_fn(v) for v in values], type=pa.string())])
            if self.section_fn is not None:
                self.sections = np.concatenate([self.sections, np.array([self.section_fn(v) for v in values], dtype=float)])
            ids = np.where(new, 0, np.nan_to_num(ids)).astype(np.int64)
            ids[new] = np.arange(start, start + len(values))
        gid = ids.astype(np.int64)
        return (self.names.take(pa.array(gid)), self.sections[gid] if self.section_fn is not None else None,
                enc.indices.to_numpy(zero_copy_only=False))


@dataclass
class FastCache:
    """Per-import memo of the per-value work (user, printer, document, size): logs repeat values a lot."""

    departments: dict[str, float] = field(default_factory=dict)
    sizes: dict[str, str] = field(default_factory=dict)
    memos: dict[str, _Memo] = field(default_factory=dict)

    def memo(self, key: str, name_fn, section_fn=None) -> _Memo:
        m = self.memos.get(key)
        if m is None:
            m = self.memos[key] = _Memo(name_fn, section_fn)
        return m


def _per_value(arr: pa.Array, memo: dict, fn, limit: int = _CACHE_LIMIT) -> tuple[list, np.ndarray]:
    """(results for the distinct values, row → distinct index); ``fn`` runs once per value per import."""
    enc = pc.dictionary_encode(arr)
    values = enc.dictionary.to_pylist()
    if len(memo) > limit:
        memo.clear()
    out = []
    for v in values:
        r = memo.get(v)
        if r is None:
            r = memo[v] = fn(v)
        out.append(r)
    return out, enc.indices.to_numpy(zero_copy_only=False)


def _all_match(arr: pa.Array, pattern: str) -> bool:
    return bool(pc.all(pc.match_substring_regex(arr, pattern)).as_py())


def _all_digits(arr: pa.Array) -> bool:
    """Every value 1–9 ASCII digits (what both paths read as the same whole number)."""
    return bool(pc.all(pc.ascii_is_decimal(arr)).as_py()) and pc.max(pc.binary_length(arr)).as_py() <= 9


def normalise_fast(chunk: Chunk, *, lookup: Lookup, factors: dict[str, float], time_format: str | None,
                   cache: FastCache) -> Normalised | None:
    """The vectorised path for well-formed chunks: gives exactly what ``normalise(chunk.frame())`` gives, or
    None when any value needs the exact path (a bad or unusual time, count or sheets value, a time format)."""
    n = len(chunk)
    if time_format or n == 0:
        return None
    cols = chunk.cols

    def col(key):
        return cols[key] if key in cols else pa.repeat(pa.scalar("", pa.string()), n)

    if "sheets" in cols and not bool(pc.all(pc.equal(cols["sheets"], "")).as_py()):
        return None
    # times: only the canonical form, which both parsers read alike; anything else takes the exact path
    time_raw = col("time")
    if not _all_match(time_raw, _TIME_RE):
        return None
    try:
        ts = pc.cast(pc.replace_substring(time_raw, "/", "-"), pa.timestamp("s"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    naive = ts.to_numpy(zero_copy_only=False).astype("datetime64[s]")
    years = naive.astype("datetime64[Y]").astype(np.int64) + 1970
    if not ((years >= 2000) & (years <= 2100)).all():
        return None
    # counts: plain digits (pages ≥ 0; copies ≥ 1 or empty = 1)
    pages_raw = col("pages")
    if not _all_digits(pages_raw):
        return None
    pages = pc.cast(pages_raw, pa.int64()).to_numpy()
    copies_raw = col("copies")
    copies_txt = pc.if_else(pc.equal(copies_raw, ""), "1", copies_raw)
    if not _all_digits(copies_txt):
        return None
    copies = pc.cast(copies_txt, pa.int64()).to_numpy()
    if (copies < 1).any():
        return None

    size_u, size_i = _per_value(col("paper_size"), cache.sizes, normalise_size)
    factor_u = np.array([factors.get(sz, 1.0) for sz in size_u], dtype=float)
    factor = factor_u[size_i]
    counts = np.bincount(size_i, minlength=len(size_u))
    unknown: dict[str, int] = {}
    for sz, c in zip(size_u, counts, strict=True):
        if sz not in factors and c:
            unknown[sz] = unknown.get(sz, 0) + int(c)
    duplex = chunk.duplex
    sheets = a4_sheets_array(pages, copies, duplex, factor).astype(float)

    user_names, user_sec, user_i = cache.memo(
        "user", lambda v: v.strip()[:150], lambda v: lookup.users.get(user_key(v), np.nan)).lookup(col("user"))
    section = user_sec[user_i]
    if "department" in cols and bool(pc.any(pc.not_equal(cols["department"], "")).as_py()):
        dept_u, dept_i = _per_value(cols["department"], cache.departments,
                                    lambda v: float(lookup.departments.get(v.strip().lower(), np.nan)))
        section = np.where(np.isnan(section), np.array(dept_u, dtype=float)[dept_i], section)
    printer_names, printer_sec, prn_i = cache.memo(
        "printer", lambda v: v.strip()[:200], lambda v: lookup.printers.get(printer_key(v), np.nan)).lookup(col("printer"))
    section = np.where(np.isnan(section), printer_sec[prn_i], section)
    doc_names, _none, doc_i = cache.memo("document", lambda v: v.strip()[:500]).lookup(col("document"))

    unmapped_mask = np.isnan(section)
    unmapped = []
    for i in np.flatnonzero(unmapped_mask)[:5000]:
        unmapped.append((int(chunk.line[i]), _("user %(user)r and printer %(printer)r are not mapped to a section")
                         % {"user": user_names[int(user_i[i])].as_py()[:40],
                            "printer": printer_names[int(prn_i[i])].as_py()[:60]}))
    jobs = Jobs(
        line=chunk.line.astype(np.int64),
        printed_at=naive,
        month=naive.astype("datetime64[M]").astype("datetime64[D]"),
        user_name=pa.DictionaryArray.from_arrays(pa.array(user_i), user_names),
        section=section,
        printer=pa.DictionaryArray.from_arrays(pa.array(prn_i), printer_names),
        document=pa.DictionaryArray.from_arrays(pa.array(doc_i), doc_names),
        pages=pages,
        copies=copies,
        duplex=duplex,
        color=chunk.color,
        paper_size=pa.DictionaryArray.from_arrays(pa.array(size_i), pa.array(size_u, type=pa.string())),
        sheets=sheets,
    )
    return Normalised(jobs=jobs, unmapped=unmapped, unmapped_count=int(unmapped_mask.sum()), unknown_sizes=unknown)
