"""Open Badges 3.0 credentials (W3C Verifiable Credentials 2.0) and PDF certificates for awards."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os

from django.conf import settings
from django.utils import timezone

from training import signing
from training.models import Award, Tier

OB3_CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
TIER_DESCRIPTIONS = {
    Tier.BRONZE: "Uses the city's DX tools in daily work and can explain the digital services citizens use.",
    Tier.SILVER: "DX transformation leader (DX変革リーダー): completed the intensive programme and drives DX in "
                 "their own workplace; equivalent to the national DX promotion leader.",
    Tier.GOLD: "Chosen from the silver holders; leads the city-wide DX strategy.",
    Tier.SPECIALIST: "Advanced digital specialist under the city's digital expert policy.",
}


def issuer_name() -> str:
    return getattr(settings, "BADGE_ISSUER_NAME", None) or os.environ.get("BADGE_ISSUER_NAME") or "北九州市 (City of Kitakyushu)"


def base_url() -> str:
    return getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")


def issuer_id() -> str:
    return f"{base_url()}/training/issuer"


def verify_url(award: Award) -> str:
    return f"{base_url()}/training/verify/{award.public_id}/"


# Fixed Japanese names (same as the ja catalogue): credentials and certificates are bilingual whatever the
# request language, and must not depend on a compiled catalogue.
TIER_JA = {Tier.BRONZE: "ブロンズ", Tier.SILVER: "シルバー", Tier.GOLD: "ゴールド", Tier.SPECIALIST: "高度専門人材"}


def tier_name_ja(tier: str) -> str:
    return TIER_JA[Tier(tier)]


def issuer_profile() -> dict:
    kid = signing.key_id()
    return {
        "@context": OB3_CONTEXTS + ["https://w3id.org/security/multikey/v1"],
        "id": issuer_id(),
        "type": ["Profile"],
        "name": issuer_name(),
        "url": base_url() + "/",
        "verificationMethod": [{
            "id": f"{issuer_id()}#{kid}",
            "type": "Multikey",
            "controller": issuer_id(),
            "publicKeyMultibase": signing.public_multibase(),
        }],
        "assertionMethod": [f"{issuer_id()}#{kid}"],
    }


def _jst_iso(day: dt.date, end: bool = False) -> str:
    t = dt.time(23, 59, 59) if end else dt.time(0, 0, 0)
    return timezone.make_aware(dt.datetime.combine(day, t)).isoformat()


def build_credential(award: Award) -> dict:
    """The unsigned OpenBadgeCredential for an award."""
    profile = getattr(award.user, "staff", None)
    email = (profile.email if profile and profile.email else award.user.email or award.user.username).lower()
    salt = hashlib.sha256(f"salt:{award.public_id}".encode()).hexdigest()[:16]
    tier_ja = tier_name_ja(award.tier)
    tier_en = Tier(award.tier).name.title()
    credential = {
        "@context": OB3_CONTEXTS,
        "id": f"urn:uuid:{award.public_id}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"DX人材 {tier_ja} / DX Talent {tier_en}",
        "issuer": {"id": issuer_id(), "type": ["Profile"], "name": issuer_name(), "url": base_url() + "/"},
        "validFrom": _jst_iso(award.awarded_on),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{
                "type": "IdentityObject",
                "identityHash": "sha256$" + hashlib.sha256((email + salt).encode()).hexdigest(),
                "identityType": "emailAddress",
                "hashed": True,
                "salt": salt,
            }],
            "achievement": {
                "id": f"{base_url()}/training/achievements/{award.tier}",
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": f"DX人材 {tier_ja} / DX Talent {tier_en}",
                "description": TIER_DESCRIPTIONS[award.tier],
                "criteria": {"narrative": "Requirements set by the city's HR and training division: "
                                          "courses, certification exams and, for silver, an approved DX project report."},
                "creator": {"id": issuer_id(), "type": ["Profile"], "name": issuer_name()},
            },
        },
        "credentialStatus": {
            "id": f"{base_url()}/training/credentials/{award.public_id}/status",
            "type": "WorkstyleAwardStatus",
        },
        "evidence": [{"id": verify_url(award), "type": ["Evidence"], "name": "Verification page"}],
    }
    if award.valid_until:
        credential["validUntil"] = _jst_iso(award.valid_until, end=True)
    return credential


def signed_credential(award: Award) -> dict:
    return signing.sign(
        build_credential(award),
        verification_method=f"{issuer_id()}#{signing.key_id()}",
        created=timezone.now().replace(microsecond=0).isoformat(),
    )


# ---------------------------------------------------------------------------------------------- PDF

KANA = {
    "キャ": "kya", "キュ": "kyu", "キョ": "kyo", "シャ": "sha", "シュ": "shu", "ショ": "sho", "チャ": "cha",
    "チュ": "chu", "チョ": "cho", "ニャ": "nya", "ニュ": "nyu", "ニョ": "nyo", "ヒャ": "hya", "ヒュ": "hyu",
    "ヒョ": "hyo", "ミャ": "mya", "ミュ": "myu", "ミョ": "myo", "リャ": "rya", "リュ": "ryu", "リョ": "ryo",
    "ギャ": "gya", "ギュ": "gyu", "ギョ": "gyo", "ジャ": "ja", "ジュ": "ju", "ジョ": "jo", "ビャ": "bya",
    "ビュ": "byu", "ビョ": "byo", "ピャ": "pya", "ピュ": "pyu", "ピョ": "pyo",
}
_ROWS = {
    "": "アイウエオ", "k": "カキクケコ", "s": "サシスセソ", "t": "タチツテト", "n": "ナニヌネノ", "h": "ハヒフヘホ",
    "m": "マミムメモ", "y": "ヤ_ユ_ヨ", "r": "ラリルレロ", "w": "ワ___ヲ", "g": "ガギグゲゴ", "z": "ザジズゼゾ",
    "d": "ダヂヅデド", "b": "バビブベボ", "p": "パピプペポ",
}
for _c, _row in _ROWS.items():
    for _v, _k in zip("aiueo", _row, strict=True):
        if _k != "_":
            KANA[_k] = _c + _v
KANA.update({"シ": "shi", "チ": "chi", "ツ": "tsu", "フ": "fu", "ジ": "ji", "ヂ": "ji", "ヅ": "zu", "ヲ": "o", "ン": "n"})


def romanize(kana: str) -> str:
    """Katakana name → Hepburn-style Latin letters (long vowels shortened), e.g. サトウ ショウタ → Sato Shota."""
    out, i = [], 0
    while i < len(kana):
        two, one = kana[i:i + 2], kana[i]
        if two in KANA:
            out.append(KANA[two])
            i += 2
            continue
        if one == "ッ" and i + 1 < len(kana):
            nxt = KANA.get(kana[i + 1:i + 3]) or KANA.get(kana[i + 1], "")
            out.append(nxt[:1])
        elif one == "ー":
            pass
        else:
            out.append(KANA.get(one, one))
        i += 1
    words = "".join(out).replace("ou", "o").replace("uu", "u").split()
    return " ".join(w.capitalize() for w in words)


TIER_EN = {Tier.BRONZE: "Bronze", Tier.SILVER: "Silver", Tier.GOLD: "Gold", Tier.SPECIALIST: "Advanced Specialist"}
TIER_COLOURS = {Tier.BRONZE: "#8c5a2b", Tier.SILVER: "#6b7280", Tier.GOLD: "#a07800", Tier.SPECIALIST: "#1d4e89"}
# Who runs each tier (demo data): the HR training division the bronze courses, the DX & AI strategy office the
# DX transformation leader programme (silver, gold) and the digital specialists.
HR_TRAINING = ("総務市民局 人事部 職員研修課", "HR Training Division")
DX_OFFICE = ("政策局 DX・AI戦略室", "DX & AI Strategy Office")
TIER_ISSUERS = {Tier.BRONZE: [HR_TRAINING], Tier.SILVER: [DX_OFFICE, HR_TRAINING], Tier.GOLD: [DX_OFFICE, HR_TRAINING],
                Tier.SPECIALIST: [DX_OFFICE, HR_TRAINING]}
NAVY, GOLD_LINE, GREY = "#1d3f72", "#b08d3c", "#4b5563"
MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"]


def wareki(day: dt.date) -> str:
    """A date in the Japanese era calendar as on official documents, e.g. 令和8年11月26日."""
    if day < dt.date(2019, 5, 1):
        return f"{day.year}年{day.month}月{day.day}日"
    year = day.year - 2018
    return f"令和{'元' if year == 1 else year}年{day.month}月{day.day}日"


def _date_en(day: dt.date) -> str:
    return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"


def certificate_number(award: Award) -> str:
    code = {Tier.BRONZE: "B", Tier.SILVER: "S", Tier.GOLD: "G", Tier.SPECIALIST: "SP"}[Tier(award.tier)]
    return f"DX-{code}-{award.public_id.hex[:8].upper()}"


def certificate_pdf(award: Award) -> bytes:
    """An A4 landscape certificate to print and frame, drawn with matplotlib's PDF backend: Japanese first,
    English second, in the Japanese font of ``workstyle.fonts`` (embedded as TrueType, so the text is
    extractable), with a QR code of the public verification page. Without any Japanese font the Japanese
    lines are left out and the name is romanised from its kana."""
    import matplotlib

    matplotlib.use("Agg")
    import segno
    from matplotlib.backends.backend_pdf import FigureCanvasPdf
    from matplotlib.figure import Figure
    from matplotlib.patches import Circle, Rectangle

    from workstyle import fonts

    jp = fonts.japanese_font_path() is not None
    tier = Tier(award.tier)
    tier_ja, tier_en = tier_name_ja(award.tier), TIER_EN[tier]
    profile = getattr(award.user, "staff", None)
    romanised = romanize(profile.name_kana) if profile and profile.name_kana else ""
    if not romanised.isascii():  # the kana reading was not in katakana
        romanised = ""
    if jp:
        name = profile.name if profile else award.user.username
    else:
        # no font can draw Japanese here: without a romanised reading the employee number identifies the holder
        name = romanised or (f"No. {profile.employee_number}" if profile else award.user.username)
        romanised = ""
    url = verify_url(award)
    W, H = 11.69, 8.27  # A4 landscape, inches; the axes use inches so circles stay round
    with matplotlib.rc_context(fonts.pdf_rc()):
        fig = Figure(figsize=(W, H))
        FigureCanvasPdf(fig)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, W)
        ax.set_ylim(0, H)
        ax.set_axis_off()

        def text(x, y, s, size, *, ha="center", color="black", weight="normal", **kw):
            if s:
                ax.text(x, y, s, ha=ha, va="baseline", color=color,
                        fontproperties=fonts.font_properties(size, weight), **kw)

        ax.add_patch(Rectangle((0.3, 0.3), W - 0.6, H - 0.6, fill=False, lw=3.5, ec=NAVY))
        ax.add_patch(Rectangle((0.45, 0.45), W - 0.9, H - 0.9, fill=False, lw=0.9, ec=GOLD_LINE))
        cx = W / 2
        number = certificate_number(award)
        text(W - 0.8, H - 0.85, f"認定番号　第 {number} 号" if jp else f"No. {number}", 9.5, ha="right", color=GREY)
        if jp:
            text(W - 0.8, H - 1.07, f"Certificate No. {number}", 8, ha="right", color=GREY)
        # Title
        text(cx, 6.7, "DX人材認定証" if jp else "DX Talent Certificate", 38, color=NAVY, weight="bold")
        text(cx, 6.2, "Certificate of Digital Transformation (DX) Talent", 14, color=NAVY)
        ax.plot([cx - 2.2, cx + 2.2], [6.0, 6.0], color=GOLD_LINE, lw=1.2)
        # Holder
        holder = f"{name}　殿" if jp else name
        wide = sum(1 if c.isascii() else 2 for c in holder)  # half-width units; 34 pt fits about 26 of them
        text(cx, 5.15, holder, 34 if wide <= 26 else max(16.0, 34 * 26 / wide))
        ax.plot([cx - 2.6, cx + 2.6], [5.02, 5.02], color=GREY, lw=0.6)
        who = " ・ ".join(p for p in [romanised, f"職員番号 {profile.employee_number}" if profile and jp else
                                      (f"Employee No. {profile.employee_number}" if profile else "")] if p)
        text(cx, 4.7, who, 12, color=GREY)
        # Statement: Japanese, then English
        if jp:
            text(cx, 4.05, "あなたは、北九州市のDX人材育成プログラムにおいて所定の要件を満たしたので、", 15)
            text(cx, 3.65, f"「DX人材　{tier_ja}」に認定します。", 15)
        text(cx, 3.15, "This is to certify that the above-named member of staff has met the requirements of the "
                       "City of Kitakyushu", 11, color=GREY)
        text(cx, 2.88, f"DX talent programme and is hereby recognised as DX Talent, {tier_en} tier.", 11, color=GREY)
        # Tier medal
        colour = TIER_COLOURS[tier]
        mx, my = 1.75, 1.55
        ax.add_patch(Circle((mx, my), 0.78, color=colour))
        ax.add_patch(Circle((mx, my), 0.68, fill=False, ec="white", lw=1.2))
        text(mx, my + 0.22, "DX人材" if jp else "DX Talent", 10, color="white")
        text(mx, my - 0.12, tier_ja if jp else tier_en.upper(), 15 if len(tier_ja) <= 4 else 10.5, color="white",
             weight="bold")
        if jp:
            text(mx, my - 0.38, tier_en.upper(), 8 if len(tier_en) < 10 else 5.5, color="white")
        # Dates
        dx = 2.85
        text(dx, 2.0, f"認定日　　{wareki(award.awarded_on)}" if jp else "", 12.5, ha="left")
        text(dx, 1.76, f"Awarded on {_date_en(award.awarded_on)}", 9.5, ha="left", color=GREY)
        until_ja = wareki(award.valid_until) if award.valid_until else "なし"
        until_en = f"Valid until {_date_en(award.valid_until)}" if award.valid_until else "No expiry date"
        text(dx, 1.38, f"有効期限　{until_ja}" if jp else "", 12.5, ha="left")
        text(dx, 1.14, until_en, 9.5, ha="left", color=GREY)
        # Issuer
        ix = 9.35
        text(ix, 2.05, "北九州市" if jp else "City of Kitakyushu", 20, ha="right", weight="bold")
        y = 1.72
        for ja, en in TIER_ISSUERS[tier]:
            text(ix, y, ja if jp else en, 12, ha="right")
            y -= 0.27
        text(ix, y - 0.02, "City of Kitakyushu, " + " / ".join(en for _ja, en in TIER_ISSUERS[tier]), 8.5, ha="right",
             color=GREY)
        # Verification QR code and URL
        qr = segno.make(url, error="m")
        side, qx, qy = 1.2, W - 0.8 - 1.2, 0.95
        ax.imshow([[0 if v else 1 for v in row] for row in qr.matrix], cmap="gray", vmin=0, vmax=1,
                  interpolation="nearest", extent=(qx, qx + side, qy, qy + side), aspect="auto", zorder=2)
        text(qx + side / 2, qy + side + 0.1, "検証 / Verify" if jp else "Verify", 8.5, color=GREY)
        text(W - 0.8, 0.68, url, 7, ha="right", color=GREY)
        buf = io.BytesIO()
        title = f"DX人材認定証 / DX Talent Certificate ({tier_en})" if jp else f"DX Talent Certificate ({tier_en})"
        fig.savefig(buf, format="pdf", metadata={"Title": title, "Creator": "Workstyle"})
    return buf.getvalue()
