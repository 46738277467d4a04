"""The PDF child process: parse (pypdf) and render (pypdfium2) an untrusted PDF.

Run by ``meetings.pdfjobs.run_worker`` as ``python -m meetings.pdfworker ARGS`` with memory and CPU
limits set in the child before exec and a wall-clock timeout in the parent. It imports no Django.

Output: one JSON object per line on stdout.
  {"progress": <done>, "total": <n>}                      while rendering
  {"ok": true, "pages": n, "texts": [...], "renders": [{"page", "size", "file", "width", "height"}]}
  {"ok": false, "code": "encrypted|broken|too_many_pages|limit", "detail": "..."}
"""

from __future__ import annotations

import argparse
import json
import os
import sys

MAX_TEXT_PER_PAGE = 20_000
MAX_STREAM_BYTES = 64 * 1024 * 1024  # one decoded content stream
MAX_INLINE_IMAGE_PIXELS = 4_000_000


class Refused(Exception):
    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code


def _inflate_bounded(raw: bytes) -> bytes:
    import zlib

    d = zlib.decompressobj()
    out = d.decompress(raw, MAX_STREAM_BYTES + 1)
    if len(out) > MAX_STREAM_BYTES or d.unconsumed_tail:
        raise Refused("limit", "content stream inflates beyond the limit (decompression bomb)")
    return out


def _decoded(stream) -> bytes:
    filters = stream.get("/Filter")
    if filters is None:
        return bytes(stream._data)
    names = [str(f) for f in (filters if isinstance(filters, list) else [filters])]
    if names == ["/FlateDecode"] and not stream.get("/DecodeParms"):
        return _inflate_bounded(bytes(stream._data))
    if names[0] == "/FlateDecode":
        _inflate_bounded(bytes(stream._data))  # bounded first; only then let pypdf decode the chain
    return stream.get_data()


def _check_inline_images(data: bytes) -> None:
    import re

    for m in re.finditer(rb"(?:^|\s)BI\s(.{0,2000}?)\sID\s", data, re.S):
        head = m.group(1)
        w = re.search(rb"/(?:W|Width)\s+(\d+)", head)
        h = re.search(rb"/(?:H|Height)\s+(\d+)", head)
        if w and h and int(w.group(1)) * int(h.group(1)) > MAX_INLINE_IMAGE_PIXELS:
            raise Refused("limit", "inline image too large")
        if not re.search(rb"\sEI(?:\s|$)", data[m.end():]):
            raise Refused("broken", "inline image never ends")


def check_content(reader) -> None:
    """Bounded decoding of every page content stream, before anything else decodes them."""
    for page in reader.pages:
        contents = page.get("/Contents")
        if contents is None:
            continue
        contents = contents.get_object()
        streams = list(contents) if isinstance(contents, list) else [contents]
        for ref in streams:
            stream = ref.get_object()
            _check_inline_images(_decoded(stream))


def emit(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def parse(path: str, max_pages: int, want_text: bool):
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    with open(path, "rb") as fh:
        head = fh.read(5)
        if head != b"%PDF-":
            return {"ok": False, "code": "not_pdf", "detail": "no %PDF- header"}
        fh.seek(-1024, os.SEEK_END) if os.path.getsize(path) > 1024 else fh.seek(0)
        if b"%%EOF" not in fh.read():
            return {"ok": False, "code": "broken", "detail": "no %%EOF marker (truncated?)"}
    try:
        reader = PdfReader(path, strict=True)
        if reader.is_encrypted:
            return {"ok": False, "code": "encrypted", "detail": "encrypted"}
        n = len(reader.pages)
        if n < 1:
            return {"ok": False, "code": "broken", "detail": "no pages"}
        if n > max_pages:
            return {"ok": False, "code": "too_many_pages", "detail": str(n)}
        check_content(reader)
        texts = []
        for page in reader.pages:
            if want_text:
                texts.append((page.extract_text() or "")[:MAX_TEXT_PER_PAGE])
            else:
                page.get_contents()  # decode every content stream once: bombs trip pypdf's limits here
                texts.append("")
    except Refused as exc:
        return {"ok": False, "code": exc.code, "detail": str(exc)}
    except PdfReadError as exc:
        return {"ok": False, "code": "broken", "detail": str(exc)[:200]}
    except (RecursionError, MemoryError) as exc:
        return {"ok": False, "code": "limit", "detail": type(exc).__name__}
    except Exception as exc:  # noqa: BLE001 - any parser failure means "broken file"
        code = "limit" if "limit" in type(exc).__name__.lower() else "broken"
        return {"ok": False, "code": code, "detail": f"{type(exc).__name__}: {str(exc)[:200]}"}
    return {"ok": True, "pages": n, "texts": texts}


def render(path: str, outdir: str, sizes: dict[str, int], pages: list[int] | None, fmt: str):
    import pypdfium2 as pdfium

    os.makedirs(outdir, exist_ok=True)
    try:
        doc = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        return None, {"ok": False, "code": "broken", "detail": f"pdfium: {exc}"[:200]}
    n = len(doc)
    todo = pages or list(range(1, n + 1))
    renders = []
    ext = "webp" if fmt == "webp" else "png"
    for done, number in enumerate(todo, start=1):
        if not 1 <= number <= n:
            continue
        page = doc[number - 1]
        width_pt = page.get_width() or 595
        for size, px in sizes.items():
            scale = max(0.05, min(4.0, px / width_pt))
            image = page.render(scale=scale).to_pil()
            name = f"p{number:04d}-{size}.{ext}"
            target = os.path.join(outdir, name)
            if ext == "webp":
                image.save(target, "WEBP", quality=80, method=2)
            else:
                image.save(target, "PNG", optimize=False)
            renders.append({"page": number, "size": size, "file": name, "width": image.width, "height": image.height})
        page.close()
        emit({"progress": done, "total": len(todo)})
    doc.close()
    return renders, None


def _self_limit(mem: int, cpu: int) -> None:
    """Lower (never raise) this process's limits before any untrusted byte is parsed."""
    import resource

    for which, value in ((resource.RLIMIT_AS, mem), (resource.RLIMIT_CPU, cpu)):
        if value <= 0:
            continue
        soft, hard = resource.getrlimit(which)
        limit = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(which, (limit, hard))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("path")
    ap.add_argument("--outdir", default="")
    ap.add_argument("--sizes", default="full=1600,thumb=220")
    ap.add_argument("--pages", default="", help="comma-separated page numbers to render (default all)")
    ap.add_argument("--max-pages", type=int, default=2000)
    ap.add_argument("--format", default="webp", choices=["webp", "png"])
    ap.add_argument("--no-text", action="store_true")
    ap.add_argument("--render-only", action="store_true")
    ap.add_argument("--mem", type=int, default=0, help="RLIMIT_AS in bytes (again, in case preexec was skipped)")
    ap.add_argument("--cpu", type=int, default=0, help="RLIMIT_CPU in seconds")
    args = ap.parse_args(argv)
    _self_limit(args.mem, args.cpu)
    sys.setrecursionlimit(3000)
    if args.render_only:
        result = {"ok": True}
    else:
        result = parse(args.path, args.max_pages, not args.no_text)
        if not result["ok"]:
            emit(result)
            return 0
    if args.outdir:
        sizes = {k: int(v) for k, v in (part.split("=") for part in args.sizes.split(",") if part)}
        pages = [int(p) for p in args.pages.split(",") if p] or None
        renders, error = render(args.path, args.outdir, sizes, pages, args.format)
        if error:
            emit(error)
            return 0
        result["renders"] = renders
    emit(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
