"""A4-equivalent sheets: our convention for turning print jobs and purchases into one comparable number.

sheets = (⌈pages ÷ 2⌉ if duplex else pages) × copies × factor(paper size)

The factor is the area of the size relative to A4 (A3 = 2, A5 = 0.5, B4 ≈ 1.5, B5 ≈ 0.75 …); the table is
configurable on the settings page. An empty size counts as A4; an unknown size counts as A4 and is listed
in the import record.
"""

from __future__ import annotations

import math
import re

import numpy as np

DEFAULT_SIZE_FACTORS: dict[str, float] = {
    "A3": 2.0,
    "A4": 1.0,
    "A5": 0.5,
    "B4": 1.5,
    "B5": 0.75,
    "LETTER": 1.0,
    "LEGAL": 1.3,
    "TABLOID": 2.0,
    "POSTCARD": 0.25,
}

DEFAULT_TARGET_STEPS: dict[str, float] = {"2024": 20.0, "2025": 30.0, "2026": 40.0, "2027": 50.0}

_SIZE_RE = re.compile(r"(?<![A-Z0-9])(?:ISO_|JIS_)?([AB][0-9])(?![0-9])")
_NAMED = ("LETTER", "LEGAL", "TABLOID", "LEDGER", "POSTCARD", "HAGAKI")


def normalise_size(raw: str | None) -> str:
    """'iso_a4_210x297mm', 'A4', 'jis_b4_257x364mm', 'na_letter_8.5x11in' … → 'A4', 'B4', 'LETTER'; '' → 'A4'."""
    if raw is None:
        return "A4"
    s = str(raw).strip().upper()
    if not s:
        return "A4"
    for name in _NAMED:
        if name in s:
            return {"LEDGER": "TABLOID", "HAGAKI": "POSTCARD"}.get(name, name)
    m = _SIZE_RE.search(s)
    if m:
        return m.group(1)
    return s[:20]


def size_factor(size: str, factors: dict[str, float] | None = None) -> float:
    table = factors or DEFAULT_SIZE_FACTORS
    return float(table.get(normalise_size(size), 1.0))


def a4_sheets(*, pages: int, copies: int = 1, duplex: bool = False, size: str = "A4",
              factors: dict[str, float] | None = None) -> float:
    """A4-equivalent sheets of one job (see the module docstring)."""
    if pages < 0 or copies < 0:
        raise ValueError("pages and copies must not be negative")
    physical = math.ceil(pages / 2) if duplex else pages
    return physical * copies * size_factor(size, factors)


def a4_sheets_array(pages: np.ndarray, copies: np.ndarray, duplex: np.ndarray, factor: np.ndarray) -> np.ndarray:
    """The same rule, vectorised (pages, copies integer arrays; duplex bool; factor float)."""
    physical = np.where(duplex, (pages + 1) // 2, pages)
    return physical * copies * factor
