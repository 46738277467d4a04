"""The printed certificate is bilingual (Japanese first) in an embedded Japanese font; the shared font helper."""

from __future__ import annotations

import io
import os
import subprocess

import matplotlib
import pytest
from pypdf import PdfReader

from training import credentials, services
from training.models import Award
from workstyle import fonts


@pytest.fixture
def silver_kato(personas):
    import datetime as dt

    return Award.objects.create(user=personas.kato, tier="silver", awarded_on=dt.date(2026, 4, 1),
                                valid_until=dt.date(2029, 3, 31), issuer=personas.tanaka, issuer_label="HR",
                                basis=Award.Basis.OVERRIDE, override_reason="test")


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


def _squash(s: str) -> str:
    return "".join(s.split())


def test_font_helper_returns_an_existing_japanese_font():
    path = fonts.japanese_font_path()
    assert path and os.path.isfile(path) and path.lower().endswith(".ttf")
    assert os.path.basename(path) == "ipaexg.ttf"  # the file shipped by japanize-matplotlib


def test_register_is_idempotent_and_sets_the_family():
    from matplotlib import font_manager

    saved = matplotlib.rcParams["font.family"]
    try:
        family = fonts.register_japanese_font()
        n = len(font_manager.fontManager.ttflist)
        assert fonts.register_japanese_font() == family == "IPAexGothic"
        assert len(font_manager.fontManager.ttflist) == n
        assert sum(os.path.realpath(f.fname) == fonts.japanese_font_path()
                   for f in font_manager.fontManager.ttflist) >= 1
        assert list(matplotlib.rcParams["font.family"])[0] == family
        found = font_manager.findfont(family, fallback_to_default=False)
        assert os.path.realpath(str(getattr(found, "path", found))) == fonts.japanese_font_path()
    finally:
        matplotlib.rcParams["font.family"] = saved


def test_system_font_fallback_only_when_fc_match_covers_japanese(monkeypatch, tmp_path):
    ttf = tmp_path / "gothic.ttf"
    ttf.write_bytes(b"x")

    def fake_run(out):
        return lambda *a, **kw: subprocess.CompletedProcess(a, 0, stdout=out, stderr="")

    monkeypatch.setattr(fonts.subprocess, "run", fake_run(f"{ttf}\nen|ja|ko"))
    assert fonts._system_font() == str(ttf)
    monkeypatch.setattr(fonts.subprocess, "run", fake_run(f"{ttf}\nen|de|fr"))  # fc-match's best is not Japanese
    assert fonts._system_font() is None

    def missing(*a, **kw):
        raise FileNotFoundError("fc-match")

    monkeypatch.setattr(fonts.subprocess, "run", missing)
    assert fonts._system_font() is None


def test_svg_charts_keep_text_and_name_the_japanese_font():
    from matplotlib.figure import Figure

    with matplotlib.rc_context(fonts.svg_rc()):
        fig = Figure(figsize=(3, 2))
        fig.add_subplot().set_title("紙の使用量")
        buf = io.StringIO()
        fig.savefig(buf, format="svg")
    svg = buf.getvalue()
    assert "紙の使用量" in svg and "IPAexGothic" in svg


def test_certificate_pdf_is_bilingual_with_the_japanese_name(personas, client_for, catalogue, past):
    for code in ("B1", "B2"):
        services.add_completion(actor=personas.tanaka, user=personas.sato, course=catalogue[code],
                                completed_on=past, score=80)
    award = Award.objects.get(user=personas.sato, tier="bronze")
    r = client_for(personas.sato).get(f"/training/certificates/{award.public_id}.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = _text(r.content)
    flat = _squash(text)
    assert _squash(personas.sato.staff.name) in flat  # 佐藤 翔太, in kanji
    assert "DX人材認定証" in flat and "ブロンズ" in flat
    assert "人事部職員研修課" in flat and "DX・AI戦略室" not in flat  # bronze: the HR training division
    assert credentials.wareki(award.awarded_on) in flat
    assert "Certificate of Digital Transformation (DX) Talent" in text and "Bronze tier" in text
    assert credentials.verify_url(award) in flat
    # Japanese first, English second
    assert flat.index("DX人材認定証") < flat.index("CertificateofDigital")
    assert flat.index("に認定します") < flat.index("Thisistocertify")
    # The font is embedded (TrueType), not referenced
    assert b"/FontFile2" in r.content


def test_silver_certificate_names_the_dx_office(silver_kato, personas):
    staff = personas.kato.staff
    staff.name_kana = "カトウ ユウキ"
    staff.save()
    pdf = credentials.certificate_pdf(Award.objects.get(pk=silver_kato.pk))
    text, flat = _text(pdf), _squash(_text(pdf))
    assert _squash(staff.name) in flat and "シルバー" in flat and "Kato Yuki" in text  # romanised as English line
    assert "DX・AI戦略室" in flat and "人事部職員研修課" in flat
    assert "令和11年3月31日" in flat and "31March2029" in flat


def test_without_a_japanese_font_the_certificate_is_english_with_the_romanised_name(silver_kato, personas,
                                                                                     monkeypatch):
    monkeypatch.setattr(fonts, "japanese_font_path", lambda: None)
    staff = personas.kato.staff
    staff.name_kana = "カトウ ユウキ"
    staff.save()
    text = _text(credentials.certificate_pdf(Award.objects.get(pk=silver_kato.pk)))
    assert text.isascii() and "Kato Yuki" in text and "DX Talent Certificate" in text and "Silver tier" in text


def test_wareki():
    import datetime as dt

    assert credentials.wareki(dt.date(2026, 11, 26)) == "令和8年11月26日"
    assert credentials.wareki(dt.date(2019, 5, 1)) == "令和元年5月1日"
    assert credentials.wareki(dt.date(2019, 4, 30)) == "2019年4月30日"


def test_meetings_uses_the_shared_font():
    from meetings import pdfbuild

    assert pdfbuild.japanese_font_path() == fonts.japanese_font_path()
