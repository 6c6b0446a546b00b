"""ogi's own YAML data files read through the JSON copy in the cache: the same data as
the YAML, a copy made for other text never used, and no cache at all still works."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ogi.yamlfile import cache_dir, load, load_packaged


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("OGI_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _yaml(name: str) -> object:
    import ogi.editions

    return load((Path(ogi.editions.__file__).parent / name).read_text(encoding="utf-8"))


def test_cached_copy_is_the_yaml(cache):
    first = load_packaged("ogi.editions", "e2021.yaml")
    [copy] = list(cache.glob("*.json"))
    assert first == _yaml("e2021.yaml") == json.loads(copy.read_text(encoding="utf-8"))
    assert load_packaged("ogi.editions", "e2021.yaml") == first  # now from the copy
    assert load_packaged("ogi", "data/agencies.yaml") and len(list(cache.glob("*.json"))) == 2


def test_a_copy_of_other_text_is_not_used(cache, tmp_path, monkeypatch):
    load_packaged("ogi.editions", "e2019.yaml")
    [copy] = list(cache.glob("*.json"))
    copy.write_text(json.dumps({"id": "forged"}), encoding="utf-8")
    assert load_packaged("ogi.editions", "e2019.yaml")["id"] == "forged"  # the copy is what it reads …
    # … but only for exactly the text it was made from: an edited file is parsed afresh.
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "d.yaml").write_text("id: '2019'\nx: 1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert load_packaged("pkg", "d.yaml") == {"id": "2019", "x": 1}
    (pkg / "d.yaml").write_text("id: '2019'\nx: 2\n", encoding="utf-8")
    assert load_packaged("pkg", "d.yaml") == {"id": "2019", "x": 2}


def test_a_cache_that_cannot_be_made_still_reads(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("OGI_CACHE_DIR", str(blocker / "cache"))  # under a file: no folder can be made
    assert load_packaged("ogi.editions", "e2021.yaml") == _yaml("e2021.yaml")
    assert not (blocker / "cache").exists()


def test_cache_dir_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("OGI_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_dir() == tmp_path / "ogi"
