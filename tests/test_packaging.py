"""What an installation from the wheel holds: every file the package reads that is not Python."""

from __future__ import annotations

import tomllib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "ogi"


def test_every_data_file_of_the_package_is_in_its_package_data() -> None:
    """The package data was listed by hand and had fallen behind: a wheel lacked the site's layout,
    three apps' pages, the static files and the indicators of `ogi compare`."""
    config = tomllib.loads((PACKAGE.parent.parent / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["ogi"]
    listed = {p for pattern in patterns for p in PACKAGE.glob(pattern) if p.is_file()}
    files = {p for p in PACKAGE.rglob("*") if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts}
    assert sorted(str(p.relative_to(PACKAGE)) for p in files - listed) == []


def test_the_compiled_translations_match_their_source() -> None:
    """django.mo is what Django reads; it must say what django.po says."""
    import gettext

    folder = PACKAGE / "web" / "locale" / "zh_Hans" / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as f:
        compiled = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
    source: dict[str, str] = {}
    key = None
    for line in (folder / "django.po").read_text(encoding="utf-8").splitlines():
        if line.startswith("msgid "):
            key = line[7:-1]
        elif line.startswith("msgstr ") and key:
            source[key] = line[8:-1]
    assert {k: v for k, v in compiled.items() if k} == source
