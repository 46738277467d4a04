import pytest

BANNER = "PaperCut Print Logger : http://www.papercut.com/"
HEADER = "Time,User,Pages,Copies,Printer,Document Name,Client,Paper Size,Language,Height,Width,Duplex,Grayscale,Size"


def papercut(rows: list[str], *, banner=True, encoding="utf-8", trailing=True) -> bytes:
    lines = ([BANNER] if banner else []) + [HEADER] + [r + ("," if trailing else "") for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def pc_row(time="2025-04-01 09:00:00", user="sato", pages=2, copies=1, printer=r"\\prt01\B03-3F-RICOH",
           doc="報告書.docx", size="A4", duplex="NOT DUPLEX", gray="GRAYSCALE"):
    return f"{time},{user},{pages},{copies},{printer},{doc},PC-0123,{size},PCL6,29.7cm,21.0cm,{duplex},{gray},120kb"


@pytest.fixture
def paper_setup(personas):
    from paper_metrics.models import Printer

    Printer.objects.create(name="B03-3F-RICOH", section=personas.org.s2, location="本庁舎3F")
    return personas


@pytest.fixture(autouse=True)
def _english_messages():
    """Service-level assertions read English messages (requests still choose their own language)."""
    from django.utils import translation

    with translation.override("en"):
        yield
