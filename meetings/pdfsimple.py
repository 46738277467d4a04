"""A tiny PDF writer without dependencies: multi-page text PDFs in Helvetica (small demo, benchmarks)."""

from __future__ import annotations

import io


def _esc(s: str) -> str:
    return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def text_pdf(title: str, pages: int, lines: list[str] | None = None, *, size=(842, 595)) -> bytes:
    """``pages`` landscape A4 pages, each with a title, a few lines, a bar chart of rectangles and a page number."""
    w, h = size
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for n in range(1, pages + 1):
        ops = [f"BT /F1 28 Tf 50 {h - 70} Td ({_esc(title)}) Tj ET"]
        for i, line in enumerate((lines or [])[:4]):
            ops.append(f"BT /F1 16 Tf 60 {h - 120 - 26 * i} Td (- {_esc(line)}) Tj ET")
        for b in range(10):
            bh = 40 + ((n * 7 + b * 13) % 10) * 18
            ops.append(f"0.18 0.43 0.71 rg {90 + b * 65} 60 40 {bh} re f")
        ops.append(f"0 0 0 rg BT /F1 12 Tf {w - 90} 30 Td ({n} / {pages}) Tj ET")
        content = "\n".join(ops).encode()
        page_no = len(objects) + 1
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w} {h}] /Resources << /Font << /F1 3 0 R >> >> "
                       f"/Contents {page_no + 1} 0 R >>".encode())
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        kids.append(f"{page_no} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {pages} >>".encode()
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()
