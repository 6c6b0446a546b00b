"""The synthetic corpus: made from real reports, read back by ogi's readers with no cell
wrongly filled, every injected defect found, and the originals' own defects kept."""

from __future__ import annotations

from ogi.checks import check
from ogi.corpus.synth import FORMATS, Accuracy, make_corpus, read_truth, score
from ogi.ingest.load import load_report

from .conftest import CORPUS, SEED_FILES, interruptible

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


def test_ogi_synth_makes_a_corpus_a_folder_reading_takes_whole(tmp_path):
    """From the command line, with the bundled samples; the truth beside the files is not
    read as one of them."""
    from .test_cli import ogi

    folder = tmp_path / "syn"
    p = ogi("synth", "12", "-o", folder)
    assert p.returncode == 0 and "已生成 12 份报告" in p.stderr, p.stderr
    assert (folder / "_truth.jsonl").is_file() and len(list(folder.iterdir())) == 13
    d = ogi("dataset", folder, "-o", tmp_path / "syn.parquet")
    assert d.returncode == 0 and "本次 12 个文件，读出 12 份报告" in d.stderr, d.stderr
    again = ogi("synth", "3", "-o", folder)
    assert again.returncode == 2 and "不是空目录" in again.stderr


def test_ctrl_c_leaves_no_corpus_without_its_truth(tmp_path):
    """Stopped halfway, the folder is taken back to what it was (it was left half made,
    and the same command then refused it as not empty)."""
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "语料"
    proc = subprocess.Popen([sys.executable, "-m", "ogi.cli", "synth", "100000", "-o", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=interruptible)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (out.exists() and sum(1 for _ in out.iterdir()) >= 5):
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130 and "已中止" in err and not out.exists(), err
