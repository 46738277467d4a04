"""Japanese is the default language and every string must be translated; English is the source language."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

APPS = ["workstyle", "desks", "telework", "meetings", "paper_metrics", "training"]


@pytest.mark.parametrize("app", APPS)
def test_japanese_catalog_is_complete(app):
    po = Path(settings.BASE_DIR) / app / "locale" / "ja" / "LC_MESSAGES" / "django.po"
    if not po.exists():
        pytest.skip(f"{app} has no translatable strings yet")
    with po.open("rb") as fh:
        catalog = read_po(fh, locale="ja")
    missing = [m.id for m in catalog if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not missing, f"untranslated in {app}: {missing[:10]}"
    assert not fuzzy, f"fuzzy in {app}: {fuzzy[:10]}"


def test_our_translations_win_over_libraries(personas, client_for):
    """allauth's catalogue translates "Current" differently; ours must take precedence on our pages."""
    body = client_for(personas.watanabe).get("/dashboard/").content.decode()
    assert "<dt>現在値</dt>" in body
