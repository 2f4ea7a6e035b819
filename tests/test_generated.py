"""generated/ is what `derive code` writes today, byte for byte; the CLI's contract."""
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from derive import files
from derive.cli import main

ROOT = Path(__file__).resolve().parents[1]
GENERATED = sorted((ROOT / "generated").glob("*.py"))


def regenerate_command(path):
    match = re.search(r"^    (derive code .*)$", path.read_text(), re.MULTILINE)
    assert match, f"{path.name} has no regenerate command in its header"
    return shlex.split(match.group(1))[1:]


def test_generated_holds_the_promised_networks():
    names = {p.name for p in GENERATED}
    assert {"article_matrix.py", "article_unrolled.py", "digits_64_32_10.py", "mixed_10_8_6_4.py"} <= names


@pytest.mark.parametrize("path", GENERATED, ids=lambda p: p.name)
def test_regenerating_gives_identical_bytes(path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "generated").mkdir()  # the command runs from the checkout, where generated/ exists
    argv = regenerate_command(path)
    assert main(argv) == 0
    target = tmp_path / argv[argv.index("-o") + 1]
    assert target.read_bytes() == path.read_bytes()


def test_a_second_run_rewrites_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "generated").mkdir()
    argv = regenerate_command(ROOT / "generated" / "article_matrix.py")
    assert main(argv) == 0
    target = tmp_path / argv[argv.index("-o") + 1]
    before = target.stat().st_mtime_ns
    assert main(argv) == 0
    assert target.stat().st_mtime_ns == before
    assert "unchanged" in capsys.readouterr().out


def test_output_does_not_depend_on_hash_seed(tmp_path):
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"m{seed}.py"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "derive", "code", "3-3-2", "--activation", "tanh,softmax",
                        "--loss", "cross-entropy", "--bias", "--form", "unrolled", "-o", str(out)],
                       check=True, env=env, cwd=ROOT, capture_output=True)
        outputs.append(out.read_text().replace(str(out), "OUT"))
    assert outputs[0] == outputs[1]


def test_generated_code_passes_ruff():
    pytest.importorskip("ruff")
    result = subprocess.run(check=False, args=[sys.executable, "-m", "ruff", "check", "--no-cache", *map(str, GENERATED)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "argv, message",
    [
        (["code", "3-0-2", "-o", "x.py"], "width 0"),
        (["code", "3-2-2", "--activation", "swiglu", "-o", "x.py"], "unknown activation 'swiglu'"),
        (["code", "3-2-2", "--form", "pretty", "-o", "x.py"], "invalid choice: 'pretty'"),
        (["code", "32-32-32", "--form", "unrolled", "-o", "x.py"], "use --form matrix"),
        (["show", "3-2-2", "--loss", "hinge"], "unknown loss 'hinge'"),
        (["code", "3-2-2"], "required: -o"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv, message, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.py").write_text("precious\n")
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert (tmp_path / "x.py").read_text() == "precious\n"


def test_an_interrupted_write_leaves_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "module.py"
    target.write_text("old\n")

    def broken_replace(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "replace", broken_replace)
    with pytest.raises(KeyboardInterrupt):
        files.write_text(target, "new\n")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["module.py"]
