"""Reading uploaded CSV files: size check, encoding detection (UTF-8 with or without BOM, Shift_JIS/CP932),
required columns, and line numbers for every row. Shared by every import in every app."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from workstyle.errors import ImportRejected


@dataclass
class CsvFile:
    name: str
    sha256: str
    encoding: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (line number in the file, row)


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Return (text, encoding). UTF-8 (BOM optional) first, then CP932 (a superset of Shift_JIS)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932"), "cp932"
    except UnicodeDecodeError:
        raise ImportRejected(_("The file is neither UTF-8 nor Shift_JIS (CP932) text."))


def read_csv(
    data: bytes,
    *,
    name: str = "",
    required: list[str],
    optional: list[str] | None = None,
    max_bytes: int | None = None,
    skip_lines: int = 0,
) -> CsvFile:
    """Parse a CSV file with a header row. Raises ImportRejected for a wrong size, encoding or header."""
    limit = max_bytes or settings.CSV_UPLOAD_MAX_BYTES
    if len(data) > limit:
        raise ImportRejected(
            _("The file is %(size)s bytes; the limit is %(limit)s bytes.") % {"size": len(data), "limit": limit}
        )
    if not data.strip():
        raise ImportRejected(_("The file is empty."))
    if b"\x00" in data[:4096]:
        raise ImportRejected(_("This is not a text (CSV) file."))
    text, encoding = decode_bytes(data)
    lines = io.StringIO(text, newline="")
    for _i in range(skip_lines):
        lines.readline()
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportRejected(_("The file has no header line."))
    except csv.Error as exc:
        raise ImportRejected(_("Line %(line)s: %(error)s") % {"line": skip_lines + 1, "error": exc})
    header = [h.strip().lstrip("\ufeff") for h in header]
    while header and header[-1] == "":
        header.pop()
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportRejected(
            _("Missing columns: %(missing)s. Expected columns: %(expected)s.")
            % {"missing": ", ".join(missing), "expected": ",".join(required + (optional or []))},
            errors=[(skip_lines + 1, _("missing columns: %(missing)s") % {"missing": ", ".join(missing)})],
        )
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for values in reader:
            line = reader.line_num + skip_lines
            if not any(v.strip() for v in values):
                continue
            while len(values) > len(header) and values[-1] == "":
                values.pop()
            row = {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header)}
            if len(values) > len(header):
                row["__extra__"] = "1"
            rows.append((line, row))
    except csv.Error as exc:
        raise ImportRejected(_("Line %(line)s: %(error)s") % {"line": reader.line_num + skip_lines, "error": exc})
    return CsvFile(
        name=name, sha256=hashlib.sha256(data).hexdigest(), encoding=encoding, header=header, rows=rows
    )


def format_errors(errors: list[tuple[int, str]], limit: int = 50) -> list[str]:
    out = [_("Line %(line)s: %(error)s") % {"line": line, "error": msg} for line, msg in errors[:limit]]
    if len(errors) > limit:
        out.append(_("… and %(n)s more errors.") % {"n": len(errors) - limit})
    return out
