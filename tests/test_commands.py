"""`derive build`, `derive demo` and the command line as a whole."""
import re
import shutil
import sys

import pytest

from derive.cli import build_parser, main


def test_build_writes_everything_and_a_second_run_rewrites_nothing(tmp_path, capsys):
    out = tmp_path / "article"
    assert main(["build", "3-2-2", "-o", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "matrix pattern proven (14 identities" in printed
    differences = [float(v) for v in re.findall(r"largest relative difference ([0-9.e+-]+) \(backprop\), "
                                                 r"([0-9.e+-]+) \(finite differences\)", printed)[0]]
    assert differences[0] < 1e-12 and differences[1] < 1e-6
    expected = {"derivation.md", "derivation-network.svg", "derivation.tex", "network_matrix.py",
                "network_unrolled.py", "verification.md"}
    if shutil.which("pdflatex"):
        expected.add("derivation.pdf")
    assert {p.name for p in out.iterdir()} == expected | {".derive-build.json"}
    report = (out / "verification.md").read_text()
    assert "| matrix |" in report and "| unrolled |" in report
    stamps = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    assert main(["build", "3-2-2", "-o", str(out), "--quiet"]) == 0
    assert printed.count("wrote") == len(expected)
    assert capsys.readouterr().out.count("unchanged") == len(expected)
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == stamps


def test_build_of_a_larger_network_writes_the_matrix_module_only(tmp_path, capsys):
    out = tmp_path / "wide"
    assert main(["build", "32-16-10", "--activation", "relu,softmax", "--loss", "cross-entropy", "--bias",
                 "-o", str(out), "--quiet"]) == 0
    assert {p.name for p in out.iterdir()} == {"network_matrix.py", "verification.md", ".derive-build.json"}
    assert "(200 elements)" in (out / "verification.md").read_text()


def test_every_subcommand_has_a_worked_example():
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    assert {"build", "show", "code", "latex", "demo"} <= set(commands)
    for name, sub in commands.items():
        assert "example:" in sub.format_help() and f"derive {name}" in sub.format_help(), name


def test_architecture_options_are_shared():
    commands = build_parser()._subparsers._group_actions[0].choices
    for name in ("build", "show", "code", "latex"):
        options = {o for action in commands[name]._actions for o in action.option_strings}
        assert {"--activation", "--loss", "--bias", "--no-bias", "--debug"} <= options, name


def test_debug_shows_the_traceback(tmp_path):
    with pytest.raises(Exception, match="width 0"):
        main(["show", "3-0-2", "--debug"])


sklearn = pytest.importorskip("sklearn", reason="the demo extra: pip install -e '.[demo]'")


def test_demo_reaches_95_percent_within_30_seconds(tmp_path, capsys):
    import time

    start = time.perf_counter()
    assert main(["demo", "-o", str(tmp_path / "curve.png")]) == 0
    elapsed = time.perf_counter() - start
    lines = capsys.readouterr().out.strip().splitlines()
    assert re.fullmatch(r"held-out accuracy: \d+\.\d%", lines[-1])
    assert float(lines[-1].split()[-1].rstrip("%")) >= 95.0
    assert sum(line.startswith("epoch") for line in lines) == 30
    assert elapsed < 30
    assert (tmp_path / "curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_demo_without_its_extras_says_how_to_get_them(monkeypatch, capsys):
    for name in ("sklearn", "sklearn.datasets", "sklearn.model_selection"):
        monkeypatch.setitem(sys.modules, name, None)
    assert main(["demo"]) == 2
    assert "pip install 'derive[demo]'" in capsys.readouterr().err


def test_output_piped_into_a_closed_reader_gives_no_traceback():
    import subprocess

    process = subprocess.Popen([sys.executable, "-m", "derive", "show", "12-12-12"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    process.stdout.readline()
    process.stdout.close()
    _, err = process.communicate(timeout=120)
    assert b"Traceback" not in err
