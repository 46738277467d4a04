"""Every state change of the paper module: imports, configuration, manual entries, follow-up."""

from __future__ import annotations

import contextlib
import datetime as dt
import queue
import threading
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from django.db import DataError, IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from paper_metrics.conversion import DEFAULT_SIZE_FACTORS, normalise_size
from paper_metrics.models import (
    ColumnMapping,
    EnteredBaseline,
    FollowUpComment,
    ImportBatch,
    MonthlyUsage,
    PaperPurchase,
    PaperSettings,
    Printer,
    PrinterMonthly,
    PrintJob,
    SectionCodeMap,
)
from paper_metrics.normalise import FastCache, Jobs, Lookup, normalise, normalise_fast
from paper_metrics.parsers import FORMATS, Chunk, FileInput, ParseState, parse
from workstyle.csvfiles import read_csv
from workstyle.errors import DomainError, ImportRejected, PermissionDenied
from workstyle.models import OrgUnit, Role
from workstyle.roles import has_role
from workstyle.services.audit import log_event
from workstyle.services.notifications import notify

IMPORT_LOCK_KEY = 731206
JOB_COLUMNS = ["batch_id", "line", "printed_at", "month", "user_name", "section_id", "printer", "document",
               "pages", "copies", "duplex", "color", "paper_size", "sheets"]


def bump_version() -> None:
    """Invalidate cached dashboard data (after the transaction commits)."""
    from django.core.cache import cache

    def bump():
        try:
            cache.incr("paper_metrics:version")
        except ValueError:
            cache.set("paper_metrics:version", 2, timeout=None)

    transaction.on_commit(bump)


def can_import(user) -> bool:
    return user is None or has_role(user, Role.DX_OFFICE, Role.ADMIN)


def _require_importer(actor) -> None:
    if not can_import(actor):
        raise PermissionDenied(_("Only the DX/AI strategy office and administrators may import or configure paper data."))


def _lock_imports() -> None:
    """Imports add to shared roll-ups: one at a time (PostgreSQL advisory lock; SQLite serialises writers)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])


def _refuse_duplicate(sha: str) -> None:
    prior = ImportBatch.objects.filter(sha256=sha).select_related("imported_by").first()
    if prior is not None:
        raise DomainError(
            _("This file was already imported on %(when)s (import #%(id)s, %(name)s); it is not counted twice.")
            % {"when": timezone.localtime(prior.imported_at).strftime("%Y-%m-%d %H:%M"), "id": prior.pk,
               "name": prior.file_name},
            code="duplicate",
        )


def _create_batch(**kwargs) -> ImportBatch:
    try:
        with transaction.atomic():
            return ImportBatch.objects.create(**kwargs)
    except IntegrityError:
        _refuse_duplicate(kwargs["sha256"])
        raise


# -- storing raw rows ----------------------------------------------------------------------------------------

_INT_MAX = 2**31 - 1
_PG_EPOCH_US = np.datetime64("2000-01-01T00:00:00", "us")
_PG_EPOCH_DAY = np.datetime64("2000-01-01", "D")
_TOKYO_OFFSET_US = 9 * 3600 * 1_000_000  # Asia/Tokyo has had no daylight saving time since 1951
# COPY BINARY: the fixed-width part of each tuple (field count, then length + value per field, big-endian)
_FIXED = np.dtype([
    ("nfields", ">i2"),
    ("l_batch", ">i4"), ("batch_id", ">i8"), ("l_line", ">i4"), ("line", ">i4"),
    ("l_printed", ">i4"), ("printed_at", ">i8"), ("l_month", ">i4"), ("month", ">i4"),
    ("l_pages", ">i4"), ("pages", ">i4"), ("l_copies", ">i4"), ("copies", ">i4"),
    ("l_duplex", ">i4"), ("duplex", "u1"), ("l_color", ">i4"), ("color", "u1"),
    ("l_sheets", ">i4"), ("sheets", ">f8"),
])
_BINARY_COLUMNS = ["batch_id", "line", "printed_at", "month", "pages", "copies", "duplex", "color", "sheets",
                   "section_id", "user_name", "printer", "document", "paper_size"]


def _fixed_binary(values: np.ndarray, width: int) -> pa.Array:
    return pa.FixedSizeBinaryArray.from_buffers(pa.binary(width), len(values), [None, pa.py_buffer(values)]).cast(pa.binary())


def _text_fields(arr: pa.Array) -> pa.Array:
    """Text values as COPY BINARY fields: a big-endian length, then the UTF-8 bytes."""
    data = pc.cast(arr, pa.binary())
    lengths = pc.binary_length(data).to_numpy(zero_copy_only=False).astype(">i4")
    return pc.binary_join_element_wise(_fixed_binary(lengths, 4), data, b"")


def _binary_rows(batch_id: int, jobs: Jobs) -> memoryview:
    """The tuples of a COPY … (FORMAT binary) stream for ``jobs``, built column-wise (no Python per row)."""
    n = len(jobs)
    for name in ("line", "pages", "copies"):  # integer columns: refuse what would wrap, as the database would
        values = getattr(jobs, name)
        if n and (values.max() > _INT_MAX or values.min() < -_INT_MAX - 1):
            raise DataError(f"integer out of range ({name})")
    fixed = np.empty(n, dtype=_FIXED)
    fixed["nfields"] = len(_BINARY_COLUMNS)
    for name, width in (("l_batch", 8), ("l_line", 4), ("l_printed", 8), ("l_month", 4), ("l_pages", 4),
                        ("l_copies", 4), ("l_duplex", 1), ("l_color", 1), ("l_sheets", 8)):
        fixed[name] = width
    fixed["batch_id"] = batch_id
    fixed["line"] = jobs.line
    fixed["printed_at"] = (jobs.printed_at.astype("datetime64[us]") - _PG_EPOCH_US).astype(np.int64) - _TOKYO_OFFSET_US
    fixed["month"] = (jobs.month.astype("datetime64[D]") - _PG_EPOCH_DAY).astype(np.int64)
    fixed["pages"] = jobs.pages
    fixed["copies"] = jobs.copies
    fixed["duplex"] = jobs.duplex
    fixed["color"] = jobs.color
    fixed["sheets"] = jobs.sheets
    mapped = ~np.isnan(jobs.section)
    section = np.empty(n, dtype=[("len", ">i4"), ("value", ">i8")])
    section["len"] = np.where(mapped, 8, -1)  # -1: NULL, no value bytes follow
    section["value"] = np.where(mapped, jobs.section, 0).astype(np.int64)
    if mapped.all():
        section_field = _fixed_binary(section, 12)
    else:
        keep = np.ones((n, 12), dtype=bool)
        keep[:, 4:] = mapped[:, None]
        values = section.view(np.uint8).reshape(n, 12)[keep]
        offsets = np.zeros(n + 1, dtype=np.int32)
        np.cumsum(np.where(mapped, 12, 4), out=offsets[1:])
        section_field = pa.BinaryArray.from_buffers(pa.binary(), n, [None, pa.py_buffer(offsets), pa.py_buffer(values)])
    parts = [_fixed_binary(fixed, _FIXED.itemsize), section_field]
    for arr in (jobs.user_name, jobs.printer, jobs.document, jobs.paper_size):
        if isinstance(arr, pa.DictionaryArray):  # encode each distinct value once
            parts.append(_text_fields(arr.dictionary).take(arr.indices))
        else:
            parts.append(_text_fields(arr))
    rows = pc.binary_join_element_wise(*parts, b"")
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int32, count=n + 1, offset=rows.offset * 4)
    return memoryview(rows.buffers()[2])[offsets[0]:offsets[-1]]


class _CopySink:
    """One COPY … FROM STDIN (FORMAT binary) for the whole import, fed by a writer thread, so that the
    database stores chunk N while this process parses chunk N + 1 (on the transaction's connection)."""

    def __init__(self):
        self._queue: queue.Queue = queue.Queue(maxsize=1)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self):
        qn = connection.ops.quote_name
        sql = (f"COPY {qn(PrintJob._meta.db_table)} ({', '.join(qn(c) for c in _BINARY_COLUMNS)}) "
               "FROM STDIN WITH (FORMAT binary)")
        self._cursor = connection.connection.cursor()
        self._copy_cm = self._cursor.copy(sql)
        self._copy = self._copy_cm.__enter__()
        self._copy.write(b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8)  # signature, flags, no header extension
        self._thread = threading.Thread(target=self._run, name="paper-copy", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while (data := self._queue.get()) is not None:
            if self._error is None:
                try:
                    self._copy.write(data)
                except BaseException as exc:  # noqa: BLE001 — handed to the importing thread
                    self._error = exc

    def write(self, data) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(data)

    def __exit__(self, exc_type, exc, tb):
        self._queue.put(None)
        self._thread.join()
        try:
            if exc is None and self._error is None:
                self._copy.write(b"\xff\xff")  # end of tuples
            failure = exc or self._error
            self._copy_cm.__exit__(type(failure) if failure else None, failure, None)
        finally:
            self._cursor.close()
        if exc is None and self._error is not None:
            raise self._error
        return False


_sink = threading.local()


def _copy_jobs(batch_id: int, jobs: Jobs) -> None:
    """PostgreSQL: binary COPY rows, through the import's open COPY when there is one."""
    data = _binary_rows(batch_id, jobs)
    sink = getattr(_sink, "current", None)
    if sink is not None:
        sink.write(data)
        return
    with _CopySink() as one:
        one.write(data)


def _copy_text(v) -> str:
    """One value in COPY's text format."""
    if v is None:
        return "\\N"
    if isinstance(v, str):
        return v.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    if isinstance(v, bool):
        return "t" if v else "f"
    if isinstance(v, float):
        return float.__repr__(v)  # also for numpy floats (their repr names the type)
    return str(v)  # int, date (ISO)


def _insert_rows(model, cols: list[str], rows) -> None:
    """Bulk insert of plain tuples: COPY on PostgreSQL, executemany elsewhere (the ORM's per-object work
    would cost far more than the database)."""
    qn = connection.ops.quote_name
    rows = list(rows)
    if not rows:
        return
    if connection.vendor == "postgresql":
        sql = f"COPY {qn(model._meta.db_table)} ({', '.join(qn(c) for c in cols)}) FROM STDIN"
        text = "".join("\t".join(map(_copy_text, row)) + "\n" for row in rows)
        with connection.connection.cursor() as cur, cur.copy(sql) as copy:
            copy.write(text.encode())
        return
    sql = (f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(c) for c in cols)}) "
           f"VALUES ({', '.join(['%s'] * len(cols))})")
    with connection.cursor() as cur:
        for start in range(0, len(rows), 5000):
            cur.executemany(sql, rows[start:start + 5000])


def _bulk_jobs(batch_id: int, jobs: Jobs) -> None:
    ops = connection.ops
    tz = timezone.get_current_timezone()
    printed = [ops.adapt_datetimefield_value(t.replace(tzinfo=tz)) for t in jobs.printed_at.astype("datetime64[us]").tolist()]
    months = [ops.adapt_datefield_value(m) for m in jobs.month.astype("datetime64[D]").tolist()]
    sections = [None if np.isnan(v) else int(v) for v in jobs.section.tolist()]
    _insert_rows(PrintJob, JOB_COLUMNS, zip(
        [batch_id] * len(jobs), jobs.line.tolist(), printed, months,
        jobs.user_name.to_pylist(), sections, jobs.printer.to_pylist(), jobs.document.to_pylist(),
        jobs.pages.tolist(), jobs.copies.tolist(), jobs.duplex.tolist(),
        jobs.color.tolist(), jobs.paper_size.to_pylist(), jobs.sheets.tolist(),
        strict=True))


def _store_jobs(batch_id: int, jobs: Jobs) -> None:
    if not len(jobs):
        return
    if connection.vendor == "postgresql":
        _copy_jobs(batch_id, jobs)
    else:
        _bulk_jobs(batch_id, jobs)


def _merge(model, *, keys: tuple[str, str], fixed: dict, sums: dict, extra=None) -> None:
    """Add ``sums`` {(key0, key1): [sheets, jobs]} to a roll-up table (inside the import lock)."""
    if not sums:
        return
    qs = model.objects.filter(**fixed, **{f"{keys[0]}__in": {k[0] for k in sums}, f"{keys[1]}__in": {k[1] for k in sums}})
    existing = {(a, b): (pk, sh, jb) for a, b, pk, sh, jb in qs.values_list(*keys, "pk", "sheets", "jobs")}
    new, changed = [], []
    for key, (sheets, jobs) in sums.items():
        old = existing.get(key)
        if old is None:
            new.append((*key, *fixed.values(), *(extra(key) if extra else ()), sheets, int(jobs)))
        else:
            changed.append(model(pk=old[0], sheets=old[1] + sheets, jobs=old[2] + int(jobs)))
    extra_cols = ["section_id"] if extra else []
    _insert_rows(model, [*keys, *fixed, *extra_cols, "sheets", "jobs"], new)
    model.objects.bulk_update(changed, ["sheets", "jobs"], batch_size=1000)


def _add_rollups(*, kind: str, source: str, sums: dict[tuple[int, dt.date], list[float]]) -> None:
    _merge(MonthlyUsage, keys=("section_id", "month"), fixed={"kind": kind, "source": source}, sums=sums)


def _add_printer_rollups(*, source: str, sums: dict[tuple[str, dt.date], list[float]], printers: dict[str, int]) -> None:
    _merge(PrinterMonthly, keys=("printer", "month"), fixed={"source": source}, sums=sums,
           extra=lambda key: (printers.get(key[0].lower()),))


_MONTH_SPAN = 4096  # months since 1970 stay below this (years are checked to lie in 2000–2100)


def _month_date(m: int) -> dt.date:
    return dt.date(1970 + m // 12, m % 12 + 1, 1)


class _Rollups:
    """Sheets and jobs per (section, month) and per (printer, month), reduced chunk by chunk with numpy."""

    def __init__(self):
        self._sections: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._printers: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._printer_ids: dict[str, int] = {}
        self._key_ids: dict[str, int] = {}

    @staticmethod
    def _reduce(keys: np.ndarray, sheets: np.ndarray, counts: np.ndarray | None = None):
        inv, uniq = pd.factorize(keys)
        jobs = (np.bincount(inv, minlength=len(uniq)) if counts is None
                else np.bincount(inv, weights=counts, minlength=len(uniq)).astype(np.int64))
        return uniq, np.bincount(inv, weights=sheets, minlength=len(uniq)), jobs

    def _printer_id(self, name: str) -> int:
        i = self._printer_ids.get(name)
        if i is None:
            key = name.rsplit("\\", 1)[-1].rsplit("/", 1)[-1][:200]
            i = self._printer_ids[name] = self._key_ids.setdefault(key, len(self._key_ids))
        return i

    def add(self, jobs: Jobs) -> None:
        if not len(jobs):
            return
        month = jobs.month.astype("datetime64[M]").astype(np.int64)
        mapped = ~np.isnan(jobs.section)
        if mapped.any():
            keys = jobs.section[mapped].astype(np.int64) * _MONTH_SPAN + month[mapped]
            self._sections.append(self._reduce(keys, jobs.sheets[mapped]))
        enc = jobs.printer if isinstance(jobs.printer, pa.DictionaryArray) else pc.dictionary_encode(jobs.printer)
        ids = np.array([self._printer_id(p) for p in enc.dictionary.to_pylist()], dtype=np.int64)
        keys = ids[enc.indices.to_numpy(zero_copy_only=False)] * _MONTH_SPAN + month
        self._printers.append(self._reduce(keys, jobs.sheets))

    def _total(self, parts) -> list[tuple[int, int, float, int]]:
        if not parts:
            return []
        keys, sheets, jobs = self._reduce(*(np.concatenate(col) for col in zip(*parts, strict=True)))
        return [(k // _MONTH_SPAN, k % _MONTH_SPAN, s, j)
                for k, s, j in zip(keys.tolist(), sheets.tolist(), jobs.tolist(), strict=True)]

    def section_sums(self) -> dict[tuple[int, dt.date], list]:
        return {(sid, _month_date(m)): [s, j] for sid, m, s, j in self._total(self._sections)}

    def printer_sums(self) -> dict[tuple[str, dt.date], list]:
        names = list(self._key_ids)
        return {(names[p], _month_date(m)): [s, j] for p, m, s, j in self._total(self._printers)}


# -- print-log import ------------------------------------------------------------------------------------------

def _hash_and_encoding(inp: FileInput) -> tuple[str, str | None, ImportRejected | None]:
    """The file's SHA-256 (in a thread: hashlib releases the GIL) while this thread detects its encoding."""
    out: dict = {}

    def digest():
        try:
            out["sha"] = inp.sha256()
        except BaseException as exc:  # noqa: BLE001 — re-raised below in the importing thread
            out["error"] = exc

    worker = threading.Thread(target=digest, name="paper-sha256")
    worker.start()
    try:
        encoding, bad = inp.detect_encoding(), None
    except ImportRejected as exc:
        encoding, bad = None, exc
    finally:
        worker.join()
    if "error" in out:
        raise out["error"]
    return out["sha"], encoding, bad


def import_print_log(
    *, actor, fmt: str, data: bytes | None = None, path: Path | None = None, file_name: str = "",
    source: str = "", strict: bool = False,
) -> ImportBatch:
    """Import a PaperCut, CUPS or mapped CSV print log. Atomic; the same file again is refused.

    Rows whose user and printer map to no section are stored without a section and listed (line numbers)
    in the import record; with ``strict`` they refuse the whole file.
    """
    _require_importer(actor)
    if fmt not in FORMATS:
        raise ImportRejected(_("Unknown format %(fmt)s; use papercut, cups or mapped.") % {"fmt": fmt})
    inp = FileInput(data=data, path=path, name=file_name or (path.name if path else ""))
    if inp.size() == 0:
        raise ImportRejected(_("The file is empty."))
    if data is not None and len(data) > settings.CSV_UPLOAD_MAX_BYTES:
        raise ImportRejected(_("The file is %(size)s bytes; the limit is %(limit)s bytes.")
                             % {"size": len(data), "limit": settings.CSV_UPLOAD_MAX_BYTES})
    if b"\x00" in inp.head(4096):
        raise ImportRejected(_("This is not a text (CSV) file."))
    source = (source or fmt).strip()[:50]
    mapping = None
    if fmt == "mapped":
        mapping = ColumnMapping.objects.filter(source=source).first()
        if mapping is None:
            raise ImportRejected(_("No column mapping is saved for source %(source)s.") % {"source": source})
    sha, encoding, bad_encoding = _hash_and_encoding(inp)
    _refuse_duplicate(sha)
    if bad_encoding is not None:
        raise bad_encoding
    conf = PaperSettings.load()
    factors = {k.upper(): float(v) for k, v in (conf.size_factors or DEFAULT_SIZE_FACTORS).items()}
    state = ParseState()
    with transaction.atomic():
        _lock_imports()
        batch = _create_batch(kind=ImportBatch.Kind.PRINT_LOG, format=fmt, source=source, file_name=inp.name[:255],
                              sha256=sha, encoding=encoding, imported_by=actor if getattr(actor, "pk", None) else None)
        lookup = Lookup.build()
        rollups = _Rollups()
        unmapped: list[tuple[int, str]] = []
        unmapped_count = 0
        unknown_sizes: dict[str, int] = defaultdict(int)
        stored = 0
        total_sheets = 0.0
        cache = FastCache()
        time_format = mapping.time_format if mapping else None
        sink = _CopySink() if connection.vendor == "postgresql" else contextlib.nullcontext()
        with sink:
            _sink.current = sink if connection.vendor == "postgresql" else None
            try:
                for chunk in parse(fmt, inp, encoding, state, mapping):
                    result = None
                    if isinstance(chunk, Chunk):
                        result = normalise_fast(chunk, lookup=lookup, factors=factors, time_format=time_format,
                                                cache=cache)
                        if result is None:
                            chunk = chunk.frame()  # noqa: PLW2901 — the exact path finds and reports the bad rows
                    if result is None:
                        result = normalise(chunk, state=state, lookup=lookup, factors=factors, time_format=time_format)
                    unmapped_count += result.unmapped_count
                    if len(unmapped) < 5000:
                        unmapped.extend(result.unmapped[: 5000 - len(unmapped)])
                    for k, v in result.unknown_sizes.items():
                        unknown_sizes[k] += v
                    if state.error_count or (strict and unmapped_count):
                        continue  # keep reading to report every bad line; nothing will be kept
                    _store_jobs(batch.pk, result.jobs)
                    rollups.add(result.jobs)
                    stored += len(result.jobs)
                    total_sheets += float(result.jobs.sheets.sum())
            finally:
                _sink.current = None
        if strict and unmapped_count:
            for line, msg in unmapped:
                state.add_error(line, msg)
        if state.error_count:
            errors = sorted(state.errors)
            raise ImportRejected(
                _("The file was not imported: %(n)s bad lines. Nothing was stored.") % {"n": state.error_count},
                errors=errors,
            )
        if state.rows_read == 0:
            raise ImportRejected(_("The file has no data lines."))
        sums = rollups.section_sums()
        _add_rollups(kind=MonthlyUsage.Kind.PRINT, source=source, sums=sums)
        _add_printer_rollups(source=source, sums=rollups.printer_sums(), printers=lookup.printers)
        batch.rows_read = state.rows_read
        batch.rows_stored = stored
        batch.sheets = round(total_sheets, 2)
        batch.unmapped_count = unmapped_count
        batch.unmapped = [list(u) for u in sorted(unmapped)]
        batch.details = {"unknown_sizes": dict(unknown_sizes), "months": len({k[1] for k in sums})}
        batch.save()
        bump_version()
        log_event(actor=actor, action="paper.import", obj=batch,
                  details={"format": fmt, "source": source, "rows": stored, "sheets": batch.sheets,
                           "unmapped": unmapped_count, "sha256": sha})
    return batch


def summary_of(batch: ImportBatch) -> str:
    return _("%(read)s rows read, %(stored)s rows stored, %(sheets)s A4-equivalent sheets, %(unmapped)s unmapped rows.") % {
        "read": f"{batch.rows_read:,}", "stored": f"{batch.rows_stored:,}", "sheets": f"{batch.sheets:,.1f}",
        "unmapped": f"{batch.unmapped_count:,}",
    }


# -- purchases and manual entries -----------------------------------------------------------------------------

PURCHASE_COLUMNS = ["date", "section_code", "paper_size", "packs", "sheets_per_pack"]


def _parse_date(value: str) -> dt.date | None:
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y-%m", "%Y/%m"):
        try:
            return dt.datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    return None


def import_paper_purchases(*, actor, data: bytes, file_name: str = "") -> ImportBatch:
    """Purchases: date, section_code, paper_size, packs, sheets_per_pack. All lines must be valid."""
    _require_importer(actor)
    csvf = read_csv(data, name=file_name, required=PURCHASE_COLUMNS)
    _refuse_duplicate(csvf.sha256)
    conf = PaperSettings.load()
    factors = {k.upper(): float(v) for k, v in (conf.size_factors or DEFAULT_SIZE_FACTORS).items()}
    lookup = Lookup.build()
    errors: list[tuple[int, str]] = []
    rows = []
    for line, row in csvf.rows:
        day = _parse_date(row["date"])
        sid = lookup.departments.get(row["section_code"].strip().lower())
        try:
            packs = int(row["packs"])
            per_pack = int(row["sheets_per_pack"] or "500")
        except ValueError:
            errors.append((line, _("packs and sheets_per_pack must be whole numbers")))
            continue
        if day is None:
            errors.append((line, _("bad date %(value)r") % {"value": row["date"]}))
        elif sid is None:
            errors.append((line, _("unknown section code %(value)r") % {"value": row["section_code"]}))
        elif packs < 0 or per_pack <= 0:
            errors.append((line, _("packs must be ≥ 0 and sheets_per_pack > 0")))
        else:
            size = normalise_size(row["paper_size"])
            rows.append((line, day, sid, size, packs, per_pack, packs * per_pack * factors.get(size, 1.0)))
    if errors:
        raise ImportRejected(_("The file was not imported: %(n)s bad lines. Nothing was stored.") % {"n": len(errors)},
                             errors=errors)
    if not rows:
        raise ImportRejected(_("The file has no data lines."))
    with transaction.atomic():
        _lock_imports()
        batch = _create_batch(kind=ImportBatch.Kind.PURCHASES, format="purchases", source="purchases",
                              file_name=file_name[:255], sha256=csvf.sha256, encoding=csvf.encoding,
                              imported_by=actor if getattr(actor, "pk", None) else None)
        PaperPurchase.objects.bulk_create([
            PaperPurchase(batch=batch, line=line, date=day, section_id=sid, paper_size=size, packs=packs,
                          sheets_per_pack=pp, sheets=sheets)
            for line, day, sid, size, packs, pp, sheets in rows
        ])
        sums: dict = {}
        for _line, day, sid, _size, _packs, _pp, sheets in rows:
            acc = sums.setdefault((sid, day.replace(day=1)), [0.0, 0])
            acc[0] += sheets
            acc[1] += 1
        _add_rollups(kind=MonthlyUsage.Kind.PURCHASE, source="purchases", sums=sums)
        batch.rows_read = batch.rows_stored = len(rows)
        batch.sheets = round(sum(r[-1] for r in rows), 2)
        batch.save()
        bump_version()
        log_event(actor=actor, action="paper.import_purchases", obj=batch,
                  details={"rows": len(rows), "sheets": batch.sheets, "sha256": csvf.sha256})
    return batch


def set_manual_entry(*, actor, section: OrgUnit, month: dt.date, sheets: float, note: str = "") -> MonthlyUsage:
    """The monthly A4-equivalent sheets of a section without printer logs (replaces an earlier entry)."""
    _require_importer(actor)
    if section.kind != OrgUnit.Kind.SECTION:
        raise DomainError(_("Manual entries are made per section."))
    if sheets < 0:
        raise DomainError(_("Sheets must not be negative."))
    month = month.replace(day=1)
    with transaction.atomic():
        row, created = MonthlyUsage.objects.select_for_update().get_or_create(
            section=section, month=month, kind=MonthlyUsage.Kind.MANUAL, source="manual",
            defaults={"sheets": sheets, "jobs": 0},
        )
        before = None if created else row.sheets
        if not created:
            row.sheets = sheets
            row.save(update_fields=["sheets"])
        bump_version()
        log_event(actor=actor, action="paper.manual_entry", object_type="paper_metrics.monthlyusage",
                  object_id=str(row.pk), object_repr=f"{section.code} {month:%Y-%m}",
                  details={"sheets": sheets, "before": before, "note": note[:200]})
    return row


# -- configuration -------------------------------------------------------------------------------------------

def update_settings(*, actor, co2_g_per_sheet: float, sheets_per_tree: float, at_risk_margin: float,
                    size_factors: dict[str, float], target_steps: dict[str, float]) -> PaperSettings:
    _require_importer(actor)
    if co2_g_per_sheet < 0 or sheets_per_tree <= 0 or at_risk_margin < 0:
        raise DomainError(_("Factors must be positive."))
    if any(v <= 0 for v in size_factors.values()):
        raise DomainError(_("Every paper size factor must be greater than 0."))
    if any(not (0 <= v <= 100) for v in target_steps.values()):
        raise DomainError(_("Yearly reductions are percentages between 0 and 100."))
    with transaction.atomic():
        conf = PaperSettings.load()
        before = {"co2": conf.co2_g_per_sheet, "tree": conf.sheets_per_tree, "sizes": conf.size_factors,
                  "steps": conf.target_steps, "margin": conf.at_risk_margin}
        conf.co2_g_per_sheet = co2_g_per_sheet
        conf.sheets_per_tree = sheets_per_tree
        conf.at_risk_margin = at_risk_margin
        conf.size_factors = {k.strip().upper(): float(v) for k, v in size_factors.items()}
        conf.target_steps = {str(int(k)): float(v) for k, v in target_steps.items()}
        conf.save()
        bump_version()
        log_event(actor=actor, action="paper.settings", obj=conf, object_repr="paper settings",
                  details={"before": before})
    return conf


def save_printer(*, actor, name: str, section: OrgUnit, location: str = "", model_name: str = "") -> Printer:
    _require_importer(actor)
    name = name.strip()
    if not name:
        raise DomainError(_("A printer needs a name."))
    if section.kind != OrgUnit.Kind.SECTION:
        raise DomainError(_("Printers belong to a section."))
    with transaction.atomic():
        printer = Printer.objects.filter(name_key=Printer.key_for(name)).first() or Printer(name=name)
        printer.name, printer.section, printer.location, printer.model_name = name, section, location, model_name
        printer.save()
        bump_version()
        log_event(actor=actor, action="paper.printer", obj=printer, details={"section": section.code})
    return printer


def save_code_mapping(*, actor, old_code: str, new_section: OrgUnit, note: str = "") -> SectionCodeMap:
    _require_importer(actor)
    old_code = old_code.strip()
    if not old_code or old_code == new_section.code:
        raise DomainError(_("The old code must differ from the new section's code."))
    if new_section.kind != OrgUnit.Kind.SECTION:
        raise DomainError(_("Old codes map to a section."))
    if SectionCodeMap.objects.filter(old_code=new_section.code).exists():
        raise DomainError(_("The new section's code is itself mapped away; map to its successor instead."))
    with transaction.atomic():
        obj, _created = SectionCodeMap.objects.update_or_create(
            old_code=old_code, defaults={"new_section": new_section, "note": note})
        bump_version()
        log_event(actor=actor, action="paper.code_mapping", obj=obj, details={"new": new_section.code})
    return obj


def save_column_mapping(*, actor, source: str, columns: dict[str, str], time_format: str = "",
                        duplex_values: str = "", color_values: str = "", skip_lines: int = 0) -> ColumnMapping:
    _require_importer(actor)
    cols = {k: v.strip() for k, v in columns.items() if k in ColumnMapping.FIELDS and v and v.strip()}
    if "time" not in cols:
        raise DomainError(_("The mapping needs the time column."))
    if "pages" not in cols and "sheets" not in cols:
        raise DomainError(_("The mapping needs a pages or a sheets column."))
    if not ({"user", "department", "printer"} & set(cols)):
        raise DomainError(_("The mapping needs a user, department or printer column to find the section."))
    with transaction.atomic():
        obj = ColumnMapping.objects.filter(source=source).first() or ColumnMapping(source=source)
        obj.columns = cols
        obj.time_format = time_format.strip()
        if duplex_values.strip():
            obj.duplex_values = duplex_values.strip()
        if color_values.strip():
            obj.color_values = color_values.strip()
        obj.skip_lines = skip_lines
        obj.full_clean()
        obj.save()
        log_event(actor=actor, action="paper.column_mapping", obj=obj, details={"columns": cols})
    return obj


def set_entered_baseline(*, actor, section: OrgUnit, annual_sheets: float | None, note: str = "") -> EnteredBaseline | None:
    """Enter (or, with None, remove) a section's FY2023 baseline, used instead of the computed one."""
    _require_importer(actor)
    if section.kind != OrgUnit.Kind.SECTION:
        raise DomainError(_("Baselines are entered per section."))
    with transaction.atomic():
        if annual_sheets is None:
            EnteredBaseline.objects.filter(section=section).delete()
            bump_version()
            log_event(actor=actor, action="paper.baseline_removed", obj=section)
            return None
        if annual_sheets < 0:
            raise DomainError(_("Sheets must not be negative."))
        obj, _created = EnteredBaseline.objects.update_or_create(
            section=section, defaults={"annual_sheets": annual_sheets, "note": note, "entered_at": timezone.now()})
        bump_version()
        log_event(actor=actor, action="paper.baseline_entered", obj=section, details={"annual_sheets": annual_sheets})
    return obj


# -- follow-up -----------------------------------------------------------------------------------------------

def can_follow_up(user) -> bool:
    return has_role(user, Role.DX_OFFICE, Role.ADMIN, Role.EXECUTIVE)


def add_comment(*, actor, unit: OrgUnit, body: str) -> FollowUpComment:
    from paper_metrics.selectors import can_view_unit

    body = body.strip()
    if not body:
        raise DomainError(_("The comment is empty."))
    if not can_view_unit(actor, unit):
        raise PermissionDenied(_("You cannot comment on this unit."))
    with transaction.atomic():
        c = FollowUpComment.objects.create(unit=unit, author=actor, body=body[:4000])
        log_event(actor=actor, action="paper.comment", obj=unit, details={"comment": c.pk})
    return c


def send_reminders(*, actor, units: list[OrgUnit], fy: int) -> int:
    """Notify the chiefs of off-track units and note the reminder in each unit's log."""
    from workstyle.selectors.org import chief_of

    if not can_follow_up(actor):
        raise PermissionDenied(_("Only the DX/AI strategy office, executives and administrators send reminders."))
    sent = 0
    with transaction.atomic():
        for unit in units:
            chief = chief_of(unit)
            body = _("Paper use of %(unit)s is off track for the −50%% target against FY2023 (FY%(fy)s). "
                     "Please review the figures and agree on measures.") % {"unit": unit.name, "fy": fy}
            FollowUpComment.objects.create(unit=unit, author=actor, kind=FollowUpComment.Kind.REMINDER,
                                           body=body + (f" ({chief.name})" if chief else ""))
            if chief is None:
                continue
            notify(recipients=[chief.user], title=_("Paper use off track: %(unit)s") % {"unit": unit.name},
                   body=body, url=reverse("paper_metrics:unit", args=[unit.code]), kind="paper.reminder")
            sent += 1
        log_event(actor=actor, action="paper.reminders", details={"units": [u.code for u in units], "sent": sent, "fy": fy})
    return sent


def reassign_unmapped(*, actor, batch: ImportBatch) -> int:
    """Re-map a print log's rows that had no section, after printers or staff were added; returns rows mapped.

    The raw rows get their section and the roll-ups grow by their sheets (the file is not imported again).
    """
    from paper_metrics.normalise import printer_key, user_key

    _require_importer(actor)
    if batch.kind != ImportBatch.Kind.PRINT_LOG:
        raise DomainError(_("Only print logs have rows to re-map."))
    with transaction.atomic():
        _lock_imports()
        lookup = Lookup.build()
        rows = list(PrintJob.objects.filter(batch=batch, section__isnull=True)
                    .values_list("pk", "line", "user_name", "printer", "month", "sheets"))
        by_section: dict[int, list[int]] = defaultdict(list)
        sums: dict = {}
        mapped_lines = set()
        for pk, line, user, printer, month, sheets in rows:
            sid = lookup.users.get(user_key(user)) or lookup.printers.get(printer_key(printer))
            if sid is None:
                continue
            by_section[sid].append(pk)
            acc = sums.setdefault((sid, month), [0.0, 0])
            acc[0] += sheets
            acc[1] += 1
            mapped_lines.add(line)
        for sid, pks in by_section.items():
            for start in range(0, len(pks), 5000):
                PrintJob.objects.filter(pk__in=pks[start:start + 5000]).update(section_id=sid)
        _add_rollups(kind=MonthlyUsage.Kind.PRINT, source=batch.source, sums=sums)
        n = len(mapped_lines)
        batch.unmapped_count = max(0, batch.unmapped_count - n)
        batch.unmapped = [u for u in batch.unmapped if u[0] not in mapped_lines]
        batch.save(update_fields=["unmapped_count", "unmapped"])
        bump_version()
        log_event(actor=actor, action="paper.reassign_unmapped", obj=batch, details={"mapped": n})
    return n
