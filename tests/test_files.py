"""Files as careful tools treat them: -o writes only regular files, follows symbolic links,
keeps modes, creates folders only with --parents, cleans its temporary files on signals and
after kills, builds whole folders, and escapes paths and names that reach code or documents.
The kills are real: a child process and a signal."""
import errno
import hashlib
import importlib.util
import json
import os
import random
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from derive import files
from derive.cli import main
from derive.errors import DeriveError

ROOT = Path(__file__).resolve().parents[1]
SIGKILL_LEFTOVER = ".derive-"  # every temporary name derive makes holds this


def requires_pdflatex():
    """Skip without pdflatex, except under CI=true, where its absence is a failure."""
    if shutil.which("pdflatex"):
        return
    if os.environ.get("CI") == "true":
        pytest.fail("pdflatex is not installed, and CI=true needs the tests that use it")
    pytest.skip("pdflatex is not installed (.ci/run installs it)")


def one_line_error(capsys, *needles):
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    for needle in needles:
        assert needle in err, err
    return err


def strays(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if SIGKILL_LEFTOVER in p.name and p.name != ".derive-build.json")


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


# -- what -o may be ----------------------------------------------------------------------------

def test_a_fifo_socket_device_or_folder_is_refused_and_left_alone(tmp_path, capsys):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert main(["code", "3-2-2", "-o", str(fifo)]) == 2
    one_line_error(capsys, "named pipe (FIFO)", "regular files")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)

    sock = tmp_path / "sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(sock))
    try:
        with pytest.raises(DeriveError, match="is a socket"):
            files.write_text(sock, "x")
    finally:
        server.close()
    assert stat.S_ISSOCK(os.lstat(sock).st_mode)

    with pytest.raises(DeriveError, match="is a folder"):
        files.write_text(tmp_path, "x")
    assert tmp_path.is_dir()

    device = tmp_path / "null-like"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # what /dev/null is; root only
    except PermissionError:
        return
    assert main(["code", "3-2-2", "-o", str(device)]) == 2
    one_line_error(capsys, "character device")
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def test_a_symbolic_link_is_followed_and_stays_a_link(tmp_path, capsys):
    real = tmp_path / "real.py"
    real.write_text("old\n")
    link = tmp_path / "link.py"
    link.symlink_to(real.name)
    assert files.write_text(link, "new\n")
    assert link.is_symlink() and os.readlink(link) == "real.py" and real.read_text() == "new\n"

    dangling = tmp_path / "dangling.py"
    dangling.symlink_to("made-by-the-write.py")
    files.write_text(dangling, "x\n")
    assert dangling.is_symlink() and (tmp_path / "made-by-the-write.py").read_text() == "x\n"

    os.mkfifo(tmp_path / "fifo")
    to_fifo = tmp_path / "to-fifo.py"
    to_fifo.symlink_to("fifo")
    assert main(["code", "3-2-2", "-o", str(to_fifo)]) == 2
    one_line_error(capsys, "named pipe", "points to")


def test_an_existing_file_keeps_its_mode_and_a_new_one_follows_the_umask(tmp_path):
    secret = tmp_path / "secret.py"
    secret.write_text("old\n")
    secret.chmod(0o600)
    files.write_text(secret, "new\n")
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600 and secret.read_text() == "new\n"
    previous = os.umask(0o027)
    try:
        fresh = tmp_path / "fresh.py"
        files.write_text(fresh, "x\n")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o640


def test_missing_folders_need_parents(tmp_path, capsys):
    target = tmp_path / "a" / "b" / "m.py"
    assert main(["code", "3-2-2", "-o", str(target)]) == 2
    one_line_error(capsys, f"folder {tmp_path / 'a' / 'b'} does not exist", "--parents")
    assert not (tmp_path / "a").exists()
    assert main(["code", "3-2-2", "-o", str(target), "--parents"]) == 0
    assert "def gradients" in target.read_text()
    (tmp_path / "file").write_text("")
    with pytest.raises(DeriveError, match="not a folder"):
        files.write_text(tmp_path / "file" / "m.py", "x")
    with pytest.raises(DeriveError, match="ends with a slash"):
        files.write_text(f"{tmp_path}/new-folder/", "x")
    assert not (tmp_path / "new-folder").exists()


@pytest.mark.parametrize("argv", [["code", "3-2-2"], ["latex", "3-2-2"], ["build", "3-2-2"], ["demo"]])
def test_an_empty_output_path_is_one_line(argv, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main([*argv, "-o", ""]) == 2
    one_line_error(capsys, "the path is empty")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("number, words", [(errno.ENOSPC, "no space left"), (errno.EACCES, "permission denied")])
def test_write_errors_are_one_line_naming_the_path(number, words, tmp_path, monkeypatch, capsys):
    target = tmp_path / "m.py"
    target.write_text("old\n")

    def failing(descriptor):
        raise OSError(number, os.strerror(number))

    monkeypatch.setattr(os, "fsync", failing)
    assert main(["code", "3-2-2", "-o", str(target)]) == 2
    one_line_error(capsys, f"cannot write {target}: {words}")
    assert target.read_text() == "old\n" and strays(tmp_path) == []


def test_a_later_write_removes_strays_of_dead_processes_only(tmp_path):
    dead = tmp_path / f".m.py.derive-tmp-{dead_pid()}-0123abcd"
    dead.write_text("half")
    dead_staging = tmp_path / f".out.derive-staging-{dead_pid()}-0123abcd"
    dead_staging.mkdir()
    (dead_staging / "derivation.tex").write_text("half")
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        alive = tmp_path / f".m.py.derive-tmp-{sleeper.pid}-0123abcd"
        alive.write_text("being written")
        unrelated = tmp_path / ".m.py.mine"
        unrelated.write_text("not derive's")
        files.write_text(tmp_path / "other.py", "x\n")
        assert not dead.exists() and not dead_staging.exists()
        assert alive.exists() and unrelated.exists()
    finally:
        sleeper.kill()
        sleeper.wait()


# -- text that reaches code and documents -------------------------------------------------------

def test_a_hostile_output_path_cannot_inject_code(tmp_path):
    name = 'evil\n"""\nimport os; open("PWNED", "w")\n#\\N{x}.py'
    target = tmp_path / name
    result = subprocess.run([sys.executable, "-m", "derive", "code", "3-2-2", "-o", str(target)],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1  # the message names the path on one line
    spec = importlib.util.spec_from_file_location("hostile", target)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert not (tmp_path / "PWNED").exists() and callable(module.gradients)
    command = module.__doc__[module.__doc__.index("derive code"):].split("\n\n")[0]
    assert shlex.split(command)[-1] == str(target)  # the header's command regenerates this very file


def test_activation_names_are_escaped_in_tex(tmp_path):
    from derive.document.render import tex_text

    assert tex_text("leaky_relu") == r"leaky\_relu" and tex_text("a&b%c") == r"a\&b\%c"
    tex = tmp_path / "d.tex"
    assert main(["latex", "3-2-2", "--activation", "leaky_relu", "-o", str(tex)]) == 0
    text = tex.read_text()
    assert r"leaky\_relu" in text and "leaky_relu" not in text


def test_leaky_relu_compiles_with_pdflatex(tmp_path, capsys):
    requires_pdflatex()
    out = tmp_path / "build"
    assert main(["build", "3-2-2", "--activation", "leaky_relu", "-o", str(out), "--quiet"]) == 0
    assert (out / "derivation.pdf").read_bytes().startswith(b"%PDF")
    assert_whole_build(out)


# -- demo ---------------------------------------------------------------------------------------

def test_demo_refuses_a_negative_seed(capsys):
    assert main(["demo", "--seed", "-1"]) == 2
    one_line_error(capsys, "--seed -1")


def test_demo_removes_its_temporary_folder(tmp_path, monkeypatch):
    from derive.commands import demo

    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    module = demo._generated_module()
    assert callable(module.loss_and_gradients) and list(tmp_path.iterdir()) == []


# -- kills during `code` --------------------------------------------------------------------------

def test_code_killed_at_random_moments_leaves_the_old_or_the_new_file(tmp_path):
    """15 runs, three at a time into the same file, each killed (SIGTERM or SIGKILL) at a random
    moment of its run; afterwards the file is the old or the new module, and one more run leaves
    no temporary file behind. The runs' fsync takes 0.3 s longer than usual, so that a fair share
    of the kills land inside the write and not in the seconds of import and derivation before it."""
    target = tmp_path / "m.py"
    base = [sys.executable, "-c", WIDE_WRITE, "code", "2-2", "-o", str(target)]
    start = time.monotonic()
    subprocess.run([*base, "--form", "unrolled"], check=True, capture_output=True, timeout=120)
    duration = time.monotonic() - start
    old = target.read_bytes()
    subprocess.run(base, check=True, capture_output=True, timeout=120)
    new = target.read_bytes()
    assert old != new
    rng = random.Random(14)
    for wave in range(5):
        children = []
        for k in range(3):
            form = ("matrix", "unrolled")[(wave + k) % 2]
            child = subprocess.Popen([*base, "--form", form], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            children.append((rng.uniform(0.4, 1.5) * duration, rng.choice((signal.SIGTERM, signal.SIGKILL)), child))
        began = time.monotonic()
        for moment, signum, child in sorted(children, key=lambda c: c[0]):
            time.sleep(max(0.0, began + moment - time.monotonic()))
            child.send_signal(signum)
        for _, _, child in children:
            child.wait(timeout=60)
        assert target.read_bytes() in (old, new), f"wave {wave}: the target is neither the old nor the new file"
    subprocess.run(base, check=True, capture_output=True, timeout=120)
    assert target.read_bytes() == new and strays(tmp_path) == []


WIDE_WRITE = """
import os, sys, time
real = os.fsync
def slower(descriptor):
    time.sleep(0.3)
    real(descriptor)
os.fsync = slower
from derive.cli import main
sys.exit(main(sys.argv[1:]))
"""

SLOW_WRITE = """
import os, sys, time
real = os.fsync
def slow(descriptor):
    print("writing", flush=True)
    time.sleep(60)
os.fsync = slow
from derive.cli import main
sys.exit(main(sys.argv[1:]))
"""


def start_stuck_in_write(argv, cwd):
    """A derive run that stops inside its first fsync (the temporary file exists) and says so."""
    child = subprocess.Popen([sys.executable, "-c", SLOW_WRITE, *argv], cwd=cwd, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    assert child.stdout.readline() == "writing\n"
    return child


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_code_killed_inside_the_write(signum, tmp_path):
    target = tmp_path / "m.py"
    target.write_text("old\n")
    target.chmod(0o600)
    child = start_stuck_in_write(["code", "2-2", "-o", str(target)], tmp_path)
    assert len(strays(tmp_path)) == 1  # the temporary file is there, named for a later run
    child.send_signal(signum)
    _, err = child.communicate(timeout=60)
    assert target.read_text() == "old\n" and stat.S_IMODE(target.stat().st_mode) == 0o600
    if signum == signal.SIGKILL:
        assert len(strays(tmp_path)) == 1
        files.write_text(tmp_path / "another.py", "x\n")  # any later write into the folder
    else:
        assert child.returncode == 128 + signum or (signum == signal.SIGINT and child.returncode == 130)
        assert err.count("\n") == 1 and "Traceback" not in err, err
    assert strays(tmp_path) == []


# -- build --------------------------------------------------------------------------------------

FAKE_PDFLATEX = """#!/bin/sh
# a stand-in for pdflatex: derivation.pdf says which TeX it was made from
echo run >> "$FAKE_PDFLATEX_LOG"
if [ -n "$FAKE_PDFLATEX_HANG" ]; then echo $$ > "$FAKE_PDFLATEX_HANG"; exec sleep 60; fi
if [ -n "$FAKE_PDFLATEX_FAIL" ]; then echo "! Undefined control sequence."; exit 1; fi
tex="$3"
printf '%%PDF-fake %s\\n' "$(sha256sum "$tex" | cut -d' ' -f1)" > "${tex%.tex}.pdf"
"""


@pytest.fixture
def fake_pdflatex(tmp_path, monkeypatch):
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "pdflatex"
    script.write_text(FAKE_PDFLATEX)
    script.chmod(0o755)
    log = tmp_path / "pdflatex.log"
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_PDFLATEX_LOG", str(log))
    monkeypatch.delenv("FAKE_PDFLATEX_HANG", raising=False)
    monkeypatch.delenv("FAKE_PDFLATEX_FAIL", raising=False)
    return log


def assert_whole_build(folder: Path, fake=False):
    """Every file the manifest names is there with its hash, nothing else is, and the PDF is
    the one made from the TeX beside it."""
    manifest = json.loads((folder / ".derive-build.json").read_text())
    present = {p.name for p in folder.iterdir()} - {".derive-build.json"}
    assert present == set(manifest["files"])
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
    if "derivation.pdf" in present:
        tex = hashlib.sha256((folder / "derivation.tex").read_bytes()).hexdigest()
        assert manifest["pdf_source"] == tex
        if fake:
            assert (folder / "derivation.pdf").read_text() == f"%PDF-fake {tex}\n"


def test_build_reuses_a_pdf_only_when_its_tex_is_unchanged(tmp_path, fake_pdflatex, capsys):
    out = tmp_path / "out"
    assert main(["build", "2-2", "-o", str(out), "--quiet"]) == 0
    assert_whole_build(out, fake=True)
    assert fake_pdflatex.read_text().count("run") == 1
    stamps = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    capsys.readouterr()
    assert main(["build", "2-2", "-o", str(out), "--quiet"]) == 0
    assert "unchanged derivation.pdf" in capsys.readouterr().out
    assert fake_pdflatex.read_text().count("run") == 1  # not compiled again
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == stamps
    (out / "derivation.pdf").write_text("%PDF-stale\n")  # not what the manifest vouches for
    assert main(["build", "2-2", "-o", str(out), "--quiet"]) == 0
    assert "wrote     derivation.pdf" in capsys.readouterr().out
    assert_whole_build(out, fake=True)


def test_a_failing_pdflatex_leaves_the_other_files_and_says_so(tmp_path, fake_pdflatex, monkeypatch, capsys):
    monkeypatch.setenv("FAKE_PDFLATEX_FAIL", "1")
    out = tmp_path / "out"
    assert main(["build", "2-2", "--activation", "leaky_relu", "-o", str(out), "--quiet"]) == 1
    one_line_error(capsys, "pdflatex failed on", "Undefined control sequence", "the other files are written")
    assert {"derivation.tex", "network_matrix.py", "verification.md"} <= {p.name for p in out.iterdir()}
    assert not (out / "derivation.pdf").exists()
    assert_whole_build(out)


def test_build_refuses_folders_it_must_not_replace(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    mine = tmp_path / "notes"
    mine.mkdir()
    (mine / "thesis.tex").write_text("precious")
    assert main(["build", "3-2-2", "-o", str(mine)]) == 2
    one_line_error(capsys, "holds files derive did not write (thesis.tex)")
    assert main(["build", "3-2-2", "-o", "."]) == 2
    one_line_error(capsys, "the current folder")
    os.mkfifo(tmp_path / "fifo")
    assert main(["build", "3-2-2", "-o", "fifo"]) == 2
    one_line_error(capsys, "named pipe")
    assert main(["build", "3-2-2", "-o", "missing/out"]) == 2
    one_line_error(capsys, "folder missing does not exist", "--parents")
    assert (mine / "thesis.tex").read_text() == "precious"


def test_a_killed_build_leaves_the_old_build_whole_and_no_stale_pdf(tmp_path, fake_pdflatex):
    out = tmp_path / "out"
    assert main(["build", "2-2", "-o", str(out), "--quiet"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    hang = tmp_path / "hang.pid"
    argv = [sys.executable, "-m", "derive", "build", "2-2", "--activation", "tanh", "-o", str(out), "--quiet"]
    for signum in (signal.SIGKILL, signal.SIGTERM):
        child = subprocess.Popen(argv, env={**os.environ, "FAKE_PDFLATEX_HANG": str(hang)},
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while not (hang.exists() and hang.read_text().strip()):  # the new TeX is in the staging folder
            assert time.monotonic() < deadline and child.poll() is None
            time.sleep(0.05)
        child.send_signal(signum)
        child.wait(timeout=60)
        if signum == signal.SIGKILL:  # the stand-in pdflatex outlives a SIGKILLed parent
            os.kill(int(hang.read_text()), signal.SIGKILL)
        hang.unlink()
        assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # the old build, untouched
        leftovers = strays(tmp_path)
        assert len(leftovers) == (1 if signum == signal.SIGKILL else 0), leftovers
    assert main(["build", "2-2", "--activation", "tanh", "-o", str(out), "--quiet"]) == 0
    assert strays(tmp_path) == []
    assert_whole_build(out, fake=True)
    assert "tanh" in (out / "derivation.tex").read_text()


def test_build_follows_a_linked_folder_and_keeps_modes(tmp_path, capsys):
    real = tmp_path / "real"
    assert main(["build", "2-2", "-o", str(real), "--quiet"]) == 0
    (real / "network_matrix.py").chmod(0o600)
    real.chmod(0o750)
    link = tmp_path / "link"
    link.symlink_to("real")
    assert main(["build", "2-2", "--activation", "tanh", "-o", str(link), "--quiet"]) == 0
    assert link.is_symlink() and "tanh" in (real / "network_matrix.py").read_text()
    assert stat.S_IMODE((real / "network_matrix.py").stat().st_mode) == 0o600
    assert stat.S_IMODE(real.stat().st_mode) == 0o750
    assert_whole_build(real)
    assert strays(tmp_path) == []


def test_every_writing_command_says_its_file_policy():
    from derive.cli import build_parser

    commands = build_parser()._subparsers._group_actions[0].choices
    for name in ("code", "latex", "build", "demo"):
        text = " ".join(commands[name].format_help().split())
        assert "symbolic link is followed" in text and "--parents" in text, name
    assert "exit status is 1" in " ".join(commands["build"].format_help().split())
