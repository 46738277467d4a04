"""PDFs the tests build themselves: valid ones and a hostile corpus."""

from __future__ import annotations

import io
import zlib


def _assemble(objects: list[bytes], *, root: int = 1, extra_trailer: bytes = b"", header: bytes = b"%PDF-1.7\n") -> bytes:
    out = io.BytesIO()
    out.write(header + b"%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, extra_trailer, xref))
    return out.getvalue()


def make_pdf(pages: int = 3, text: str = "Page", *, page_size=(595, 842)) -> bytes:
    """A small valid PDF with ``pages`` pages, each showing '<text> <n>' in Helvetica."""
    n_fixed = 3  # catalog, pages, font
    kids = " ".join(f"{n_fixed + 1 + 2 * i} 0 R" for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    w, h = page_size
    for i in range(pages):
        content = f"BT /F1 36 Tf 72 {h - 120} Td ({text} {i + 1}) Tj ET".encode()
        page_obj = n_fixed + 1 + 2 * i
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w} {h}] /Resources << /Font << /F1 3 0 R >> >> "
            f"/Contents {page_obj + 1} 0 R >>".encode())
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    return _assemble(objects)


def encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    w = PdfWriter()
    w.append(PdfReader(io.BytesIO(make_pdf(2))))
    w.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def truncated_pdf() -> bytes:
    data = make_pdf(5)
    return data[: len(data) // 2]


def decompression_bomb(mb: int = 300) -> bytes:
    """A content stream that inflates to ``mb`` MB of spaces from a few hundred kB."""
    comp = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    body = b"".join(comp.compress(chunk) for _ in range(mb)) + comp.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body) + body + b"\nendstream",
    ]
    return _assemble(objects)


def circular_pdf() -> bytes:
    """A page tree whose node lists itself as its own kid, and an xref /Prev pointing at itself."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
        b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 3 0 R] /Count 1 >>",
    ]
    data = _assemble(objects)
    xref_at = int(data.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    return data.replace(b"/Root 1 0 R ", b"/Root 1 0 R /Prev %d " % xref_at)


def endless_inline_image() -> bytes:
    """An inline image declaring 60000×60000 RGB pixels, never closed by EI."""
    content = b"q 595 0 0 842 0 0 cm BI /W 60000 /H 60000 /BPC 8 /CS /RGB ID " + (b"\x00\xff" * 200_000)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    return _assemble(objects)


def not_a_pdf() -> bytes:
    return b"PK\x03\x04 this is a zip file renamed to .pdf" + b"\x00" * 100
