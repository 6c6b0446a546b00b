"""The synthetic corpus: made from real reports, read back by ogi's readers with no cell
wrongly filled, every injected defect found, and the originals' own defects kept."""

from __future__ import annotations

from ogi.checks import check
from ogi.corpus.synth import FORMATS, Accuracy, make_corpus, read_truth, score
from ogi.ingest.load import load_report

from .conftest import CORPUS, SEED_FILES

ARITHMETIC = ("requests.", "appeals.total")


def test_synthetic_reports_read_back_with_their_truth(shared, tmp_path):
    sources = [load_report(p) for p in (*SEED_FILES, CORPUS / "html" / "shuyang-fgj-2023.html")]
    made = list(make_corpus(sources, 12, tmp_path, seed=3))
    assert {m.file.suffix.lstrip(".") for m in made} == set(FORMATS)
    assert any(m.defect for m in made)
    truth = {d["file"]: d for d in read_truth(tmp_path)}
    acc = Accuracy()
    for m in made:
        read = load_report(m.file)
        wrong = score(truth[m.file.name]["report"], read, acc)
        assert wrong == [], (m.file.name, wrong)
        found = check(read)
        if m.defect:
            acc.defects += 1
            assert any(m.defect in f.cells and f.severity == "error" for f in found), (m.file.name, m.defect)
        else:
            # Figures multiplied by a whole factor: the identities the original keeps still hold.
            src = next(s for s in sources if s.file == truth[m.file.name]["source"])
            assert ({f.rule for f in found if f.rule.startswith(ARITHMETIC)}
                    == {f.rule for f in check(src) if f.rule.startswith(ARITHMETIC)}), m.file.name
        assert read.agency == m.report.agency and read.year == m.report.year
    assert acc.wrongly_filled == 0 and acc.cells_right > 12 * 100
