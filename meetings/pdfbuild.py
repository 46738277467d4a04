"""Building PDFs we trust (cover, stamp, binder): only from files that passed the child-process check.

The cover and the stamp are drawn with matplotlib's PDF backend in a Japanese-capable font
(``workstyle.fonts``: the IPAex Gothic font shipped by the ``japanize-matplotlib`` package, else a system
font ``fc-match :lang=ja`` finds), else DejaVu Sans (Japanese then shows as boxes; the binder still builds). No font is ever downloaded.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass, field

import matplotlib

matplotlib.use("Agg")

from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402
from pypdf import PdfReader, PdfWriter  # noqa: E402
from pypdf.generic import (  # noqa: E402
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
)

from workstyle import fonts  # noqa: E402

A4_INCHES = (8.27, 11.69)
STAMP_NAME = "/WsCopyStamp"


def japanese_font_path() -> str | None:
    return fonts.japanese_font_path()


def _font(size: float, weight: str = "normal") -> FontProperties:
    return fonts.font_properties(size, weight)


def _fig_pdf(fig: Figure) -> bytes:
    buf = io.BytesIO()
    with matplotlib.rc_context({"pdf.fonttype": 42}), PdfPages(buf, metadata={"Creator": "Workstyle"}) as pdf:
        pdf.savefig(fig)
    return buf.getvalue()


@dataclass
class CoverItem:
    position: int
    title: str
    time: str = ""
    presenter: str = ""
    materials: list[tuple[str, int]] = field(default_factory=list)  # (title, pages)


def cover_pdf(*, title: str, lines: list[str], heading_agenda: str, items: list[CoverItem]) -> bytes:
    """One A4 page: the meeting's details and its agenda."""
    fig = Figure(figsize=A4_INCHES)
    y = 0.93
    fig.text(0.08, y, title, fontproperties=_font(20, "bold"), va="top", wrap=True)
    y -= 0.06
    for line in lines:
        fig.text(0.08, y, line, fontproperties=_font(11), va="top")
        y -= 0.028
    y -= 0.02
    fig.text(0.08, y, heading_agenda, fontproperties=_font(14, "bold"), va="top")
    y -= 0.04
    for item in items:
        if y < 0.06:
            fig.text(0.08, y, "…", fontproperties=_font(11), va="top")
            break
        head = f"{item.position}. {item.title}"
        meta = "  ".join(x for x in (item.time, item.presenter) if x)
        fig.text(0.08, y, head, fontproperties=_font(12), va="top")
        if meta:
            fig.text(0.92, y, meta, fontproperties=_font(10), va="top", ha="right")
        y -= 0.03
        for mtitle, pages in item.materials:
            fig.text(0.12, y, f"・{mtitle} ({pages} p.)", fontproperties=_font(10), va="top")
            y -= 0.025
        y -= 0.01
    return _fig_pdf(fig)


@functools.lru_cache(maxsize=64)
def stamp_pdf(text: str) -> bytes:
    """A small transparent strip holding the copy stamp; placed at the foot and head of every page."""
    fig = Figure(figsize=(8.0, 0.22))
    fig.patch.set_alpha(0)
    fig.text(0.0, 0.5, text, fontproperties=_font(7.5), va="center", ha="left", color=(0.75, 0.05, 0.05))
    return _fig_pdf(fig)


def _stamp_xobject(writer: PdfWriter, text: str):
    page = PdfReader(io.BytesIO(stamp_pdf(text))).pages[0]
    imported = writer.add_page(page)  # brings resources (font) into the writer, removed again below
    resources = imported["/Resources"]
    data = imported.get_contents().get_data()
    box = [float(v) for v in imported.mediabox]
    writer.remove_page(imported)
    form = DecodedStreamObject()
    form.set_data(data)
    form.update({
        NameObject("/Type"): NameObject("/XObject"),
        NameObject("/Subtype"): NameObject("/Form"),
        NameObject("/BBox"): ArrayObject([NumberObject(int(v)) for v in box]),
        NameObject("/Resources"): resources,
    })
    return writer._add_object(form), box


def stamp_pages(writer: PdfWriter, text: str, *, first: int = 0) -> None:
    """Overlay ``text`` at the foot and head of every page from ``first`` on (cheap: one shared XObject)."""
    ref, box = _stamp_xobject(writer, text)
    stamp_h = box[3] - box[1]
    q = DecodedStreamObject()
    q.set_data(b"q\n")
    q_ref = writer._add_object(q)
    for page in writer.pages[first:]:
        mb = page.mediabox
        x0, y0, top = float(mb.left) + 14, float(mb.bottom) + 6, float(mb.top) - stamp_h - 4
        width = float(mb.width) - 28
        scale = min(1.0, width / (box[2] - box[0]))
        tail = DecodedStreamObject()
        tail.set_data(
            (f"Q\nq {scale:.4f} 0 0 {scale:.4f} {x0:.2f} {y0:.2f} cm {STAMP_NAME} Do Q\n"
             f"q {scale:.4f} 0 0 {scale:.4f} {x0:.2f} {top:.2f} cm {STAMP_NAME} Do Q\n").encode()
        )
        contents = page.get("/Contents")
        existing = []
        if contents is not None:
            resolved = contents.get_object()
            if isinstance(resolved, ArrayObject):
                existing = list(resolved)
            else:
                existing = [contents if hasattr(contents, "idnum") else writer._add_object(resolved)]
        page[NameObject("/Contents")] = ArrayObject([q_ref, *existing, writer._add_object(tail)])
        res = page.get("/Resources")
        res = res.get_object() if res is not None else None
        if res is None:
            res = DictionaryObject()
            page[NameObject("/Resources")] = res
        xobjects = res.get("/XObject")
        xobjects = xobjects.get_object() if xobjects is not None else None
        if xobjects is None:
            xobjects = DictionaryObject()
            res[NameObject("/XObject")] = xobjects
        xobjects[NameObject(STAMP_NAME)] = ref


@dataclass
class BinderPart:
    item_title: str
    item_label: str
    materials: list[tuple[str, str, str]]  # (title, label prefix, absolute path of a checked PDF)


def build_binder(*, cover: bytes, parts: list[BinderPart], stamp: str | None = None,
                 cover_label: str = "Cover") -> bytes:
    """Cover + materials in agenda order, with an outline per item and material and page labels."""
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(cover)), import_outline=False)
    writer.set_page_label(0, 0, prefix=cover_label)
    for part in parts:
        start_item = len(writer.pages)
        parent = None
        for title, label, path in part.materials:
            start = len(writer.pages)
            writer.append(PdfReader(path), import_outline=False)
            end = len(writer.pages) - 1
            if parent is None:
                parent = writer.add_outline_item(title=part.item_title, page_number=start_item)
            writer.add_outline_item(title=title, page_number=start, parent=parent)
            writer.set_page_label(start, end, style="/D", prefix=f"{label}-", start=1)
        if parent is None:
            continue
    if stamp:
        stamp_pages(writer, stamp)
    writer.page_mode = "/UseOutlines"
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def stamped_copy(path: str, stamp: str) -> bytes:
    writer = PdfWriter()
    writer.append(PdfReader(path))
    stamp_pages(writer, stamp)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def sample_pdf(title: str, pages: int, *, lines: list[str] | None = None, seed: int = 0) -> bytes:
    """A real multi-page PDF (slides with a heading, text and a chart) for the demo and the tests."""
    import math

    buf = io.BytesIO()
    with matplotlib.rc_context({"pdf.fonttype": 42}), PdfPages(buf) as pdf:
        for n in range(1, pages + 1):
            fig = Figure(figsize=(11.69, 8.27))
            fig.text(0.06, 0.92, f"{title}", fontproperties=_font(22, "bold"), va="top")
            fig.text(0.94, 0.04, f"{n} / {pages}", fontproperties=_font(10), ha="right")
            body = (lines or [])[(n - 1) % max(1, len(lines or [1])):][:3] if lines else []
            for i, line in enumerate(body):
                fig.text(0.06, 0.82 - i * 0.05, f"・{line}", fontproperties=_font(13), va="top")
            ax = fig.add_axes((0.12, 0.12, 0.76, 0.5))
            xs = list(range(12))
            ax.bar(xs, [abs(math.sin((x + seed + n) / 3)) * 100 for x in xs], color="#2f6db5")
            ax.set_xticks(xs, [f"{(x + 3) % 12 + 1}月" for x in xs], fontproperties=_font(9))
            ax.set_yticks([0, 50, 100], ["0", "50", "100"], fontproperties=_font(9))
            ax.set_ylim(0, 110)
            pdf.savefig(fig)
    return buf.getvalue()
