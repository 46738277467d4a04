"""A Japanese-capable font for matplotlib (PDF certificates, binder covers, SVG charts). Nothing is downloaded.

The font is the IPAex Gothic file shipped inside the ``japanize-matplotlib`` package (a project dependency);
if that package is missing, a system font that ``fc-match :lang=ja`` finds and that really covers Japanese;
otherwise None (callers then fall back to DejaVu Sans and Japanese shows as boxes).
"""

from __future__ import annotations

import functools
import importlib.util
import os
import subprocess
import threading

FALLBACK_FAMILIES = ["DejaVu Sans", "sans-serif"]
_lock = threading.Lock()


def _packaged_font() -> str | None:
    # The package directory via its import spec: importing japanize_matplotlib would change rcParams globally.
    try:
        spec = importlib.util.find_spec("japanize_matplotlib")
    except (ImportError, ValueError):
        return None
    for directory in (spec.submodule_search_locations or []) if spec else []:
        path = os.path.join(directory, "fonts", "ipaexg.ttf")
        if os.path.isfile(path):
            return path
    return None


def _system_font() -> str | None:
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}\n%{lang}", ":lang=ja"],
                             capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    path, _, langs = out.partition("\n")
    path = path.strip()
    # fc-match always answers with *some* font: keep it only if it covers Japanese and matplotlib can embed it.
    if "ja" not in langs.strip().split("|") or not path.lower().endswith(".ttf") or not os.path.isfile(path):
        return None
    return path


@functools.cache
def japanese_font_path() -> str | None:
    """Path of a Japanese-capable TrueType font file (symlinks resolved), or None."""
    path = _packaged_font() or _system_font()
    return os.path.realpath(path) if path else None


@functools.cache
def japanese_font_family() -> str | None:
    """Register the font with matplotlib once (idempotent) and return its family name, or None."""
    path = japanese_font_path()
    if not path:
        return None
    from matplotlib import font_manager

    with _lock:
        if not any(os.path.realpath(f.fname) == path for f in font_manager.fontManager.ttflist):
            font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path).get_name()


def font_families() -> list[str]:
    """The font.family list to use: the Japanese font first (when there is one), then the fallbacks."""
    family = japanese_font_family()
    return ([family] if family else []) + FALLBACK_FAMILIES


def register_japanese_font() -> str | None:
    """Register the Japanese font and make it matplotlib's default family (rcParams). Idempotent."""
    import matplotlib

    family = japanese_font_family()
    if family and list(matplotlib.rcParams["font.family"]) != font_families():
        matplotlib.rcParams["font.family"] = font_families()
    return family


def svg_rc() -> dict:
    """rc settings for SVG charts: text stays text (the browser draws it), measured with the Japanese font
    so that labels get the right width; use as ``with matplotlib.rc_context(svg_rc()): ...``."""
    return {"svg.fonttype": "none", "font.family": font_families()}


def pdf_rc() -> dict:
    """rc settings for PDFs: TrueType (Type 42) embedding so the text stays extractable and searchable."""
    return {"pdf.fonttype": 42, "font.family": font_families()}


def font_properties(size: float | None = None, weight: str = "normal"):
    """FontProperties for the Japanese font file (DejaVu Sans when none is available)."""
    from matplotlib.font_manager import FontProperties

    path = japanese_font_path()
    if path:
        return FontProperties(fname=path, size=size, weight=weight)
    return FontProperties(family="DejaVu Sans", size=size, weight=weight)
