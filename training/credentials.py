"""Open Badges 3.0 credentials (W3C Verifiable Credentials 2.0) and PDF certificates for awards."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os

from django.conf import settings
from django.utils import timezone, translation

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


def tier_name_ja(tier: str) -> str:
    with translation.override("ja"):
        return str(Tier(tier).label)


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


def _japanese_font():
    """A font file with Japanese glyphs if the system has one (none is downloaded)."""
    from matplotlib import font_manager

    for f in font_manager.fontManager.ttflist:
        if any(k in f.name for k in ("CJK", "IPAex", "IPAGothic", "IPAMincho", "Takao", "VL Gothic", "Noto Sans JP")):
            return f.fname
    return None


def certificate_pdf(award: Award) -> bytes:
    """An A4 landscape certificate drawn with matplotlib's PDF backend (Japanese text only when a Japanese
    font is installed; otherwise the name is romanised from its kana)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_pdf import FigureCanvasPdf
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    profile = getattr(award.user, "staff", None)
    jp = _japanese_font()
    if jp:
        font = FontProperties(fname=jp)
        name = profile.name if profile else award.user.username
        title = f"DX人材 認定証 / Certificate: DX Talent {Tier(award.tier).name.title()}"
    else:
        font = FontProperties(family="DejaVu Sans")
        name = romanize(profile.name_kana) if profile and profile.name_kana else award.user.username
        if not name.isascii():  # no font can draw it here: the employee number identifies the holder
            name = f"No. {profile.employee_number}" if profile else award.user.username
        title = f"Certificate: DX Talent {Tier(award.tier).name.title()}"
    fig = Figure(figsize=(11.69, 8.27))
    FigureCanvasPdf(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.add_patch(matplotlib.patches.Rectangle((0.03, 0.04), 0.94, 0.92, fill=False, lw=3, ec="#1d4e89"))
    color = {"bronze": "#8c5a2b", "silver": "#6b7280", "gold": "#a07800", "specialist": "#1d4e89"}[award.tier]
    ax.text(0.5, 0.83, title, ha="center", fontsize=26, fontproperties=font, color="#1d4e89")
    ax.text(0.5, 0.66, name, ha="center", fontsize=34, fontproperties=font)
    if profile:
        ax.text(0.5, 0.59, f"Employee No. {profile.employee_number}", ha="center", fontsize=13, fontproperties=font)
    ax.text(0.5, 0.49, f"has been certified at the {Tier(award.tier).name.title()} tier of the city's DX talent programme.",
            ha="center", fontsize=15, fontproperties=font)
    ax.add_patch(matplotlib.patches.Circle((0.5, 0.35), 0.055, color=color))
    ax.text(0.5, 0.345, Tier(award.tier).name.upper(), ha="center", va="center", fontsize=14, color="white",
            fontproperties=font, weight="bold")
    until = award.valid_until.isoformat() if award.valid_until else "no expiry"
    ax.text(0.08, 0.17, f"Awarded on {award.awarded_on.isoformat()}    Valid until {until}", fontsize=12,
            fontproperties=font)
    ax.text(0.08, 0.13, f"Issued by {issuer_name() if jp else 'City of Kitakyushu'}", fontsize=12, fontproperties=font)
    ax.text(0.08, 0.09, f"Verify: {verify_url(award)}", fontsize=10, fontproperties=font, color="#1d4e89")
    buf = io.BytesIO()
    fig.savefig(buf, format="pdf", metadata={"Title": title, "Creator": "Workstyle"})
    return buf.getvalue()
