"""Reading printer logs into canonical column batches, streaming, with line numbers.

The CSV parsers (PaperCut, mapped) yield ``Chunk``s: arrow string columns named canonically (time, user,
department, printer, document, pages, copies, sheets, paper_size; those the file has), the duplex and colour
flags and the physical line numbers; ``Chunk.frame()`` gives the canonical pandas DataFrame (every column,
empty string when absent) that the exact path (``normalise.normalise``) reads. The CUPS parser yields that
DataFrame directly. Whole-line problems (wrong number of fields …) are recorded in ``errors`` as (line, message).

The CSV formats are read with pyarrow's streaming CSV reader (one record per physical line; a value
with an embedded line break is reported as a bad line). Line numbers are the physical lines of the file.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from django.utils.translation import gettext as _

from workstyle.csvfiles import decode_bytes
from workstyle.errors import ImportRejected

CANONICAL = ("time", "user", "department", "printer", "document", "pages", "copies", "sheets", "paper_size")
BLOCK_SIZE = 4 << 20
HEAD_BYTES = 256 << 10

PAPERCUT_COLUMNS = {
    "time": "Time", "user": "User", "pages": "Pages", "copies": "Copies", "printer": "Printer",
    "document": "Document Name", "paper_size": "Paper Size",
}
PAPERCUT_REQUIRED = ("Time", "User", "Pages", "Copies", "Printer")


@dataclass
class FileInput:
    """An uploaded file (bytes) or a file on disk (path; streamed, never read whole)."""

    data: bytes | None = None
    path: Path | None = None
    name: str = ""

    def open(self):
        return io.BytesIO(self.data) if self.data is not None else open(self.path, "rb")  # noqa: SIM115

    def size(self) -> int:
        return len(self.data) if self.data is not None else self.path.stat().st_size

    def head(self, n: int = HEAD_BYTES) -> bytes:
        if self.data is not None:
            return self.data[:n]
        with open(self.path, "rb") as fh:
            return fh.read(n)

    def sha256(self) -> str:
        if self.data is not None:
            return hashlib.sha256(self.data).hexdigest()
        h = hashlib.sha256()
        with open(self.path, "rb") as fh:
            for chunk in iter(lambda: fh.read(4 << 20), b""):
                h.update(chunk)
        return h.hexdigest()

    def detect_encoding(self) -> str:
        """UTF-8 (BOM optional), else CP932 — the order of workstyle.csvfiles.decode_bytes (streamed for paths)."""
        if self.data is not None:
            return decode_bytes(self.data)[1]
        with open(self.path, "rb") as fh:
            if fh.read(3) == b"\xef\xbb\xbf":
                return "utf-8-sig"
        for enc in ("utf-8", "cp932"):
            dec = codecs.getincrementaldecoder(enc)()
            try:
                with open(self.path, "rb") as fh:
                    for chunk in iter(lambda: fh.read(4 << 20), b""):
                        dec.decode(chunk)
                    dec.decode(b"", final=True)
                return enc
            except UnicodeDecodeError:
                continue
        raise ImportRejected(_("The file is neither UTF-8 nor Shift_JIS (CP932) text."))


@dataclass
class ParseState:
    errors: list[tuple[int, str]] = field(default_factory=list)
    error_count: int = 0
    rows_read: int = 0

    def add_error(self, line: int, msg: str) -> None:
        self.error_count += 1
        if len(self.errors) < 5000:
            self.errors.append((line, msg))


def _head_lines(inp: FileInput, encoding: str, n: int = 60) -> list[str]:
    text = inp.head().decode("utf-8" if encoding == "utf-8-sig" else encoding, errors="replace")
    return text.lstrip("\ufeff").splitlines()[:n]


def _split(line: str) -> list[str]:
    return next(csv.reader([line]), [])


def _csv_batches(inp: FileInput, *, encoding: str, header_index: int, names: list[str], rename: dict[str, str],
                 state: ParseState) -> Iterator[tuple[dict[str, pa.Array], np.ndarray]]:
    """Stream the data lines after the header (physical line header_index + 1, 0-based) as arrow string
    columns (nulls as "") with their physical line numbers."""
    skipped: list[int] = []  # 1-based row numbers (relative to the first data line) of empty or bad lines
    first_line = header_index + 2  # physical 1-based line number of relative row 1

    def on_invalid(row):  # row.number is the physical line (empty lines are counted: ignore_empty_lines=False)
        skipped.append(row.number - header_index - 1)
        if (row.text or "").strip():
            state.rows_read += 1
            state.add_error(row.number,
                            _("expected %(n)s fields, found %(m)s") % {"n": row.expected_columns, "m": row.actual_columns})
        return "skip"

    read_opts = pacsv.ReadOptions(
        skip_rows=header_index + 1, column_names=names, use_threads=False, block_size=BLOCK_SIZE,
        encoding="utf8" if encoding.startswith("utf-8") else encoding,
    )
    parse_opts = pacsv.ParseOptions(invalid_row_handler=on_invalid, newlines_in_values=False, ignore_empty_lines=False)
    wanted = sorted(set(rename.values()))
    convert_opts = pacsv.ConvertOptions(
        column_types={n: pa.string() for n in names}, strings_can_be_null=False, quoted_strings_can_be_null=False,
        include_columns=wanted,
    )
    seen = 0
    with inp.open() as fh:
        try:
            reader = pacsv.open_csv(fh, read_options=read_opts, parse_options=parse_opts, convert_options=convert_opts)
            for batch in reader:
                n = batch.num_rows
                if n == 0:
                    continue
                g = np.arange(seen, seen + n)
                seen += n
                if skipped:
                    arr = np.asarray(skipped, dtype=np.int64)
                    arr.sort()
                    a = arr - np.arange(len(arr)) - 1
                    rel = g + 1 + np.searchsorted(a, g, side="right")
                else:
                    rel = g + 1
                cols = {key: batch.column(col) for key, col in rename.items()}
                cols = {k: pc.fill_null(v, "") if v.null_count else v for k, v in cols.items()}
                lines = (rel + first_line - 1).astype(np.int64)
                blank = None
                for arr in cols.values():
                    empty = pc.equal(arr, "")
                    blank = empty if blank is None else pc.and_(blank, empty)
                    if not pc.any(blank).as_py():
                        blank = None  # a column without empty values: no blank rows in this batch
                        break
                if blank is not None:  # empty lines (or lines of commas only) are not rows
                    keep = pc.invert(blank)
                    cols = {k: pc.filter(v, keep) for k, v in cols.items()}
                    lines = lines[keep.to_numpy(zero_copy_only=False)]
                state.rows_read += len(lines)
                if len(lines):
                    yield cols, lines
        except pa.ArrowInvalid as exc:
            raise ImportRejected(_("The file could not be read as CSV: %(error)s") % {"error": exc}) from exc


def per_unique(arr: pa.Array, fn) -> np.ndarray:
    """``fn`` (a pandas string Series → array-like) applied once per distinct value of ``arr``, expanded to
    every row. Elementwise functions give exactly what they give on the whole column, at a fraction of the cost
    (logs repeat the same few values)."""
    enc = pc.dictionary_encode(arr)
    uniq = pd.Series(enc.dictionary.to_numpy(zero_copy_only=False))
    table = np.asarray(fn(uniq))
    return table[enc.indices.to_numpy(zero_copy_only=False)] if len(arr) else table[:0]


@dataclass
class Chunk:
    """A batch of CSV rows: canonical arrow string columns (those the file has), the duplex and colour flags,
    physical line numbers. ``frame()`` gives the canonical pandas DataFrame of the exact (row-wise) path."""

    cols: dict[str, pa.Array]
    duplex: np.ndarray
    color: np.ndarray
    line: np.ndarray

    def __len__(self) -> int:
        return len(self.line)

    def frame(self) -> pd.DataFrame:
        df = pd.DataFrame({k: v.to_numpy(zero_copy_only=False) for k, v in self.cols.items()})
        df = _with_missing(df)
        df["duplex"] = self.duplex
        df["color"] = self.color
        df["line"] = self.line
        return df


def _with_missing(df: pd.DataFrame) -> pd.DataFrame:
    for key in CANONICAL:
        if key not in df:
            df[key] = ""
    return df


def _find_header(lines: list[str], must: tuple[str, ...]) -> int | None:
    for i, line in enumerate(lines):
        fields = [f.strip().lstrip("\ufeff") for f in _split(line)]
        if all(m in fields for m in must):
            return i
    return None


def _names_with_trailing(header: list[str], lines: list[str], index: int) -> list[str]:
    """Add unnamed columns when the data lines end with trailing commas."""
    names = list(header)
    for line in lines[index + 1:index + 6]:
        if not line.strip():
            continue
        fields = _split(line)
        extra = len(fields) - len(names)
        if extra > 0 and all(not f.strip() for f in fields[len(names):]):
            names += [f"__trailing{i}" for i in range(extra)]
        break
    return names


def parse_papercut(inp: FileInput, encoding: str, state: ParseState) -> Iterator[Chunk]:
    lines = _head_lines(inp, encoding)
    index = _find_header(lines, ("Time", "User", "Pages"))
    if index is None:
        raise ImportRejected(
            _("This is not a PaperCut Print Logger file: no header line starting Time,User,Pages,Copies,Printer."),
            errors=[(1, _("no PaperCut header line found"))],
        )
    header = [h.strip().lstrip("\ufeff") for h in _split(lines[index])]
    while header and header[-1] == "":
        header.pop()
    missing = [c for c in PAPERCUT_REQUIRED if c not in header]
    if missing:
        raise ImportRejected(_("Missing columns: %(missing)s.") % {"missing": ", ".join(missing)},
                             errors=[(index + 1, _("missing columns: %(missing)s") % {"missing": ", ".join(missing)})])
    names = _names_with_trailing(header, lines, index)
    rename = {k: v for k, v in PAPERCUT_COLUMNS.items() if v in header}
    for extra in ("Duplex", "Grayscale"):
        if extra in header:
            rename[extra.lower()] = extra
    for cols, line in _csv_batches(inp, encoding=encoding, header_index=index, names=names, rename=rename, state=state):
        duplex = cols.pop("duplex", None)
        gray = cols.pop("grayscale", None)
        yield Chunk(
            cols=cols,
            duplex=(np.zeros(len(line), dtype=bool) if duplex is None
                    else per_unique(duplex, lambda v: v.str.strip().str.upper().eq("DUPLEX").to_numpy())),
            color=(np.zeros(len(line), dtype=bool) if gray is None
                   else per_unique(gray, lambda v: v.str.strip().str.upper().eq("NOT GRAYSCALE").to_numpy())),
            line=line,
        )


def parse_mapped(inp: FileInput, encoding: str, state: ParseState, mapping) -> Iterator[Chunk]:
    lines = _head_lines(inp, encoding, n=mapping.skip_lines + 10)
    index = mapping.skip_lines
    if index >= len(lines):
        raise ImportRejected(_("The file has no header line."))
    header = [h.strip().lstrip("\ufeff") for h in _split(lines[index])]
    while header and header[-1] == "":
        header.pop()
    cols = {k: v for k, v in (mapping.columns or {}).items() if v}
    missing = [v for v in cols.values() if v not in header]
    if missing:
        raise ImportRejected(
            _("Missing columns: %(missing)s. Expected columns: %(expected)s.")
            % {"missing": ", ".join(missing), "expected": ",".join(cols.values())},
            errors=[(index + 1, _("missing columns: %(missing)s") % {"missing": ", ".join(missing)})],
        )
    names = _names_with_trailing(header, lines, index)
    dup_values = {v.strip().lower() for v in mapping.duplex_values.split(",") if v.strip()}
    col_values = {v.strip().lower() for v in mapping.color_values.split(",") if v.strip()}
    for chunk_cols, line in _csv_batches(inp, encoding=encoding, header_index=index, names=names, rename=cols,
                                         state=state):
        duplex = chunk_cols.pop("duplex", None)
        color = chunk_cols.pop("color", None)
        yield Chunk(
            cols=chunk_cols,
            duplex=(np.zeros(len(line), dtype=bool) if duplex is None
                    else per_unique(duplex, lambda v: v.str.strip().str.lower().isin(dup_values).to_numpy())),
            color=(np.zeros(len(line), dtype=bool) if color is None
                   else per_unique(color, lambda v: v.str.strip().str.lower().isin(col_values).to_numpy())),
            line=line,
        )


_CUPS_RE = re.compile(r"^(\S+)\s+(\S+)\s+(\S+)\s+\[([^\]]+)\]\s+(\S+)\s+(\S+)\s+(.*)$")


def parse_cups(inp: FileInput, encoding: str, state: ParseState) -> Iterator[pd.DataFrame]:
    """CUPS page_log: ``printer user job-id [date-time] total num-sheets billing host job-name media sides``.

    Older CUPS writes one line per page (a page number instead of ``total`` and the copies in the next
    field); those lines are combined into one job per job id.
    """
    with inp.open() as fh:
        text = io.TextIOWrapper(fh, encoding="utf-8-sig" if encoding.startswith("utf-8") else encoding, newline="")
        jobs: dict[tuple[str, str], dict] = {}
        order: list[tuple[str, str]] = []
        for lineno, raw in enumerate(text, start=1):
            line = raw.rstrip("\r\n")
            if not line.strip():
                continue
            state.rows_read += 1
            m = _CUPS_RE.match(line)
            if not m:
                state.add_error(lineno, _("not a CUPS page_log line"))
                continue
            printer, user, job_id, when, page, count, rest = m.groups()
            tail = rest.split()
            if len(tail) < 4:
                state.add_error(lineno, _("not a CUPS page_log line"))
                continue
            media, sides = tail[-2], tail[-1]
            job_name = " ".join(tail[2:-2])
            try:
                time = pd.to_datetime(when, format="%d/%b/%Y:%H:%M:%S %z")
                time = time.tz_convert("Asia/Tokyo").strftime("%Y-%m-%d %H:%M:%S")
            except (ValueError, TypeError):
                time = "!" + when
            key = (printer, job_id)
            if page == "total":
                jobs[key] = {"line": lineno, "time": time, "user": user, "printer": printer, "document": job_name,
                             "pages": count, "copies": "1", "paper_size": media,
                             "duplex": sides.startswith("two-sided"), "color": False}
                order.append(key)
            else:
                job = jobs.get(key)
                if job is None:
                    job = jobs[key] = {"line": lineno, "time": time, "user": user, "printer": printer,
                                       "document": job_name, "pages": 0, "copies": count, "paper_size": media,
                                       "duplex": sides.startswith("two-sided"), "color": False, "_pages": set()}
                    order.append(key)
                if "_pages" in job:
                    job["_pages"].add(page)
        rows = []
        for key in order:
            job = jobs[key]
            if "_pages" in job:
                job["pages"] = str(len(job.pop("_pages")))
            rows.append(job)
    if rows:
        df = pd.DataFrame(rows)
        df = _with_missing(df)
        df["line"] = df["line"].astype(np.int64)
        yield df


FORMATS = ("papercut", "cups", "mapped")


def parse(fmt: str, inp: FileInput, encoding: str, state: ParseState, mapping=None) -> Iterator[Chunk | pd.DataFrame]:
    if fmt == "papercut":
        return parse_papercut(inp, encoding, state)
    if fmt == "cups":
        return parse_cups(inp, encoding, state)
    if fmt == "mapped":
        if mapping is None:
            raise ImportRejected(_("No column mapping is saved for this source."))
        return parse_mapped(inp, encoding, state, mapping)
    raise ImportRejected(_("Unknown format %(fmt)s; use papercut, cups or mapped.") % {"fmt": fmt})
