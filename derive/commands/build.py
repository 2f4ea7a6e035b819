"""``derive build``: the whole job for one network, into one folder.

The outputs are written into a staging folder beside the target (``.NAME.derive-staging-PID-…``)
and swapped in whole, so the folder always holds one complete build; ``.derive-build.json``
records the sha256 of every output, and "unchanged" is decided from those hashes, the PDF's
included (a PDF is reused only when the manifest says it was compiled from the same TeX)."""
from __future__ import annotations

import ctypes
import errno
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

from derive.commands.options import add_output_options, derived, parse_architecture
from derive.document.sections import DEFAULT_STEPS, STEPS
from derive.errors import DeriveError
from derive.files import (
    check_folder,
    describe_mode,
    guarded,
    output_error,
    remove_strays,
    shown,
    temporary_name,
    track,
    untrack,
)
from derive.progress import Progress

NAME = "build"
HELP = ("derive a network and write its derivation (Markdown, LaTeX, PDF), its NumPy modules "
        "and a verification report into one folder")
EXAMPLE = """example:
  derive build 3-2-2                                   the article network, into derive-3-2-2/
  derive build 64-32-10 --activation tanh,softmax --loss cross-entropy --bias -o digits/

When pdflatex fails, every other file is still written; the error names what failed and the
exit status is 1. Without pdflatex on the PATH the PDF is left out.
"""
VERIFY_BATCH = 8
FINITE_DIFFERENCE_ELEMENTS = 200  # elements checked by finite differences (all when fewer)
MANIFEST = ".derive-build.json"
OUTPUTS = ("derivation.md", "derivation-network.svg", "derivation.tex", "derivation.pdf",
           "network_matrix.py", "network_unrolled.py", "verification.md")
FOLDER_POLICY = ("built in a staging folder beside it and swapped in whole, so it always holds one complete "
                 "build; a symbolic link is followed; a folder holding files derive did not write is refused; "
                 "files keep their permissions")
EXIT_PDF_FAILED = 1


def add_options(parser) -> None:
    parser.add_argument("--steps", choices=tuple(STEPS), default=DEFAULT_STEPS,
                        help=f"how the derivation documents write the chain rule (default {DEFAULT_STEPS}); "
                             "see derive latex --help")
    add_output_options(parser, "DIR", "the folder to write (default derive-ARCH)", required=False,
                       policy=FOLDER_POLICY)


def run(args) -> int:
    from codegen import generate
    from codegen.unrolled import UNROLLED_LIMIT
    from derive.commands.code import command_line
    from derive.document import proven_document
    from derive.document.build import document_refusal
    from derive.document.render import svg_of, to_markdown, to_tex

    arch = parse_architecture(args)
    folder = Path(args.output or f"derive-{arch.text}")
    target = _target(folder, args.parents)  # refuse a bad -o before the derivation's seconds
    try:
        old = _old_build(target, folder)
    except OSError as error:
        raise output_error(folder, error, "read the build in") from None
    progress = Progress(args.quiet)
    d = derived(args, arch)
    outputs: dict[str, bytes] = {}
    pdf_failure = None
    with guarded():
        check_folder(target.parent, args.parents, where=folder.parent)
        remove_strays(target.parent)
        staging = temporary_name(target, "staging")
        track(staging)
        try:
            os.mkdir(staging)
        except OSError as error:
            raise output_error(folder, error) from None
        refusal = document_refusal(d)
        if refusal is None:
            with progress.step("writing the derivation (every equation proven)"):
                document, note = proven_document(d, steps=args.steps)
                outputs["derivation.md"] = to_markdown(document, note).encode()
                outputs["derivation-network.svg"] = svg_of(document, note).encode()
                outputs["derivation.tex"] = to_tex(document, note).encode()
            tex_hash = _sha256(outputs["derivation.tex"])
            pdf = old["pdf"] if old["pdf_source"] == tex_hash else None
            if pdf is None and shutil.which("pdflatex"):
                with progress.step("compiling the PDF"):
                    pdf, pdf_failure = _pdf(outputs["derivation.tex"], staging)
            if pdf is not None:
                outputs["derivation.pdf"] = pdf
        forms = ["matrix"] + (["unrolled"] if arch.parameter_count <= UNROLLED_LIMIT and d.method == "elementwise"
                              else [])
        modules = {}
        for form in forms:
            with progress.step(f"generating the {form} module"):
                name = f"network_{form}.py"
                outputs[name] = generate(d, form, "float64",
                                         command_line(arch, form, "float64", str(folder / name))).encode()
                modules[form] = staging / name
                _write(staging / name, outputs[name], folder / name)
        with progress.step("verifying the generated gradients"):
            report, worst = _verify(d, modules)
            outputs["verification.md"] = report.encode()
        changed = {name: old["hashes"].get(name) != _sha256(data) for name, data in outputs.items()}
        if any(changed.values()) or set(old["hashes"]) != set(outputs) or not old["manifest"]:
            manifest: dict[str, Any] = {"files": {name: _sha256(data) for name, data in sorted(outputs.items())}}
            if "derivation.pdf" in outputs:
                manifest["pdf_source"] = tex_hash
            outputs[MANIFEST] = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
            for name, data in outputs.items():
                _write(staging / name, data, folder / name, old["modes"].get(name))
            if old["folder_mode"] is not None:
                os.chmod(staging, old["folder_mode"])
            _swap(staging, target, folder)
        else:
            shutil.rmtree(staging, ignore_errors=True)
            untrack(staging)
    print(d.summary())
    print(f"\ngenerated gradients against a hand-written backprop and finite differences, "
          f"{VERIFY_BATCH} random samples: largest relative difference {worst['reference']:.1e} "
          f"(backprop), {worst['differences']:.1e} (finite differences)")
    if refusal:
        print(f"\nderivation documents skipped: {refusal}")
    print(f"\nfiles in {shown(folder)}/:")
    for name in OUTPUTS:
        if name in changed:
            print(f"  {'wrote    ' if changed[name] else 'unchanged'} {name}")
        elif name in old["hashes"]:
            print(f"  removed   {name}")
    if pdf_failure:
        print(f"derive: error: pdflatex failed on {shown(folder / 'derivation.tex')}: {pdf_failure}; "
              f"the other files are written", file=sys.stderr)
        return EXIT_PDF_FAILED
    return 0


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _target(folder: Path, parents: bool) -> Path:
    """The folder to replace (a symbolic link followed); refuses what is not a folder, the current
    folder and those above it, and a missing parent without --parents."""
    real = Path(os.path.realpath(folder))
    try:
        info = os.stat(real)
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise output_error(folder, error) from None
    if info is not None and not stat.S_ISDIR(info.st_mode):
        raise DeriveError(f"{shown(folder)} is {describe_mode(info.st_mode)}; build writes a folder: "
                          "give a folder name with -o")
    here = Path(os.getcwd()).resolve()
    if real == here or real in here.parents or real.parent == real:
        raise DeriveError(f"{shown(folder)} is the current folder or one above it; build replaces its -o "
                          "folder whole: give a new folder's name")
    if info is None:
        check_folder(real.parent, parents, where=folder.parent, create=False)
    return real


def _old_build(target: Path, folder: Path) -> dict:
    """What the folder holds now: sha256 and mode of each output, its manifest, and the PDF when
    the manifest vouches that it was compiled from the TeX beside it."""
    old: dict[str, Any] = {"hashes": {}, "modes": {}, "manifest": None, "pdf": None, "pdf_source": None,
                           "folder_mode": None}
    if not target.is_dir():
        return old
    old["folder_mode"] = stat.S_IMODE(target.stat().st_mode)
    strangers = []
    for entry in sorted(os.scandir(target), key=lambda e: e.name):
        if entry.name == "__pycache__":
            continue
        if entry.name not in OUTPUTS + (MANIFEST,) or not entry.is_file(follow_symlinks=False):
            strangers.append(entry.name)
            continue
        data = Path(entry.path).read_bytes()
        if entry.name == MANIFEST:
            try:
                old["manifest"] = json.loads(data)
            except ValueError:
                old["manifest"] = None
            continue
        old["hashes"][entry.name] = _sha256(data)
        old["modes"][entry.name] = stat.S_IMODE(entry.stat(follow_symlinks=False).st_mode)
        if entry.name == "derivation.pdf":
            old["pdf"] = data
    if strangers:
        listed = ", ".join(strangers[:3]) + (", …" if len(strangers) > 3 else "")
        raise DeriveError(f"{shown(folder)} holds files derive did not write ({listed}); build replaces its "
                          "folder whole: give a new folder or one derive built with -o")
    manifest = old["manifest"] if isinstance(old["manifest"], dict) else {}
    files = manifest.get("files")
    recorded = files if isinstance(files, dict) else {}
    if not (old["hashes"].get("derivation.pdf") and recorded.get("derivation.pdf") == old["hashes"]["derivation.pdf"]
            and recorded.get("derivation.tex") == old["hashes"].get("derivation.tex")):
        old["pdf"] = None  # not vouched for: compile again
    else:
        old["pdf_source"] = manifest.get("pdf_source")
    if recorded != old["hashes"]:
        old["manifest"] = None  # edited by hand or from an older derive: write a new one
    return old


def _write(path: Path, data: bytes, shown_as: Path, mode: int | None = None) -> None:
    """Write a file inside the staging folder (private to this process, so no rename needed)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(descriptor, view):]
            if mode is not None:
                os.fchmod(descriptor, mode)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    except OSError as error:
        raise output_error(shown_as, error) from None


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    number = ctypes.get_errno()
    if number in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(number, os.strerror(number), str(b))


def _swap(staging: Path, target: Path, folder: Path) -> None:
    """Put the staging folder in place of ``target``; the old build is removed after."""
    try:
        if not os.path.lexists(target):
            os.rename(staging, target)
            untrack(staging)
            return
        if _exchange(staging, target):
            shutil.rmtree(staging, ignore_errors=True)  # now the old build
            untrack(staging)
            return
        previous = temporary_name(target, "old")
        track(previous)
        os.rename(target, previous)
        os.rename(staging, target)
        untrack(staging)
        shutil.rmtree(previous, ignore_errors=True)
        untrack(previous)
    except OSError as error:
        raise output_error(folder, error) from None


def _pdf(tex: bytes, staging: Path):
    """Compile the TeX with fixed dates (the PDF is byte-identical from run to run), inside the
    staging folder; (PDF bytes, None) or (None, what failed)."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": "0", "FORCE_SOURCE_DATE": "1"}
    work = staging / ".pdflatex"
    work.mkdir()
    (work / "derivation.tex").write_bytes(tex)
    try:
        result = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "derivation.tex"],
                                cwd=work, capture_output=True, env=env, timeout=600, check=False)
        pdf = work / "derivation.pdf"
        if result.returncode == 0 and pdf.is_file():
            return pdf.read_bytes(), None
        log = result.stdout.decode("utf-8", "replace").splitlines()
        first = next((line[1:].strip() for line in log if line.startswith("!")), None)
        return None, f"exit status {result.returncode}" + (f", {first}" if first else "")
    except subprocess.TimeoutExpired:
        return None, "it ran over 600 s"
    except OSError as error:
        return None, error.strerror or str(error)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _relative(a: dict, b: dict) -> float:
    scale = max(1e-12, max(float(np.abs(v).max()) for v in b.values()))
    return max(float(np.abs(a[k] - b[k]).max()) for k in b) / scale


def _verify(d, modules: dict):
    """Random data through each generated module, against the reference backprop, central
    differences and (for small networks) the symbolic partials; a Markdown report."""
    import importlib.util

    from derive import reference
    from derive.losses import loss as loss_entry

    arch = d.arch
    rng = np.random.default_rng(2024)
    params = {name: rng.normal(0, 0.7, arch.shape(name)) for name in arch.parameter_names}
    X = rng.normal(0, 1, (VERIFY_BATCH, arch.widths[0]))
    Y = loss_entry(arch.loss).sample(rng, (VERIFY_BATCH, arch.widths[-1]))
    _, by_hand = reference.loss_and_gradients(arch.as_dict(), params, X, Y)
    symbolic = None
    if d.method == "elementwise" and arch.parameter_count <= 2_500:
        per_sample = [d.evaluate(params, x, y) for x, y in zip(X, Y)]
        symbolic = {k: sum(g[k] for g in per_sample) for k in arch.parameter_names}
    rows, worst = [], {"reference": 0.0, "differences": 0.0}
    for form, path in modules.items():
        spec = importlib.util.spec_from_file_location(f"derive_build_{form}", path)
        if spec is None or spec.loader is None:
            raise DeriveError(f"cannot import the generated module {path}")
        module = importlib.util.module_from_spec(spec)
        writes_bytecode, sys.dont_write_bytecode = sys.dont_write_bytecode, True  # no __pycache__ in the build
        try:
            spec.loader.exec_module(module)
        finally:
            sys.dont_write_bytecode = writes_bytecode
        _, grads = module.loss_and_gradients(params, X, Y)
        numeric, elements = _sampled_differences(lambda p, m=module: m.loss(p, X, Y), params, rng)
        versus_hand = _relative(grads, by_hand)
        versus_numeric = max(abs(grads[k][i] - v) for (k, i), v in numeric.items()) / max(
            1e-12, max(float(np.abs(g).max()) for g in grads.values()))
        versus_symbolic = _relative(grads, symbolic) if symbolic else None
        worst["reference"] = max(worst["reference"], versus_hand)
        worst["differences"] = max(worst["differences"], versus_numeric)
        rows.append(f"| {form} | {versus_hand:.1e} | {versus_numeric:.1e} ({elements} elements) | "
                    f"{'—' if versus_symbolic is None else f'{versus_symbolic:.1e}'} |")
    report = [
        f"# Verification of the {arch.describe()}",
        "",
        f"Route: {d.method}. Matrix pattern: "
        + (f"proven, {d.proven.proof_count:,} identities." if d.pattern else f"not recognized ({d.failure})."),
        "",
        (f"Largest difference of the generated gradients on {VERIFY_BATCH} random samples (seed 2024), "
        "relative to the largest gradient entry:"),
        "",
        "| module | hand-written backprop | central differences | symbolic partials |",
        "|---|---|---|---|",
        *rows,
        "",
        ("The hand-written backprop is `derive/reference.py` (one sample at a time, explicit Jacobians); "
        "central differences use a step of 1e-5; the symbolic partials are the derivation's own "
        "expressions evaluated at each sample (networks up to 2,500 parameters)."),
        "",
    ]
    return "\n".join(report), worst


def _sampled_differences(loss, params: dict, rng):
    """Central differences of ``loss`` at up to FINITE_DIFFERENCE_ELEMENTS elements."""
    from derive import reference

    elements = [(k, i) for k, v in params.items() for i in np.ndindex(v.shape)]
    if len(elements) > FINITE_DIFFERENCE_ELEMENTS:
        picks = rng.choice(len(elements), FINITE_DIFFERENCE_ELEMENTS, replace=False)
        elements = [elements[p] for p in sorted(picks)]
    result = {}
    for name, index in elements:
        one = {name: params[name]}
        rest = {k: v for k, v in params.items() if k != name}
        partial = reference.finite_difference_element(lambda q, rest=rest: loss({**rest, **q}), one, name, index)
        result[(name, index)] = partial
    return result, len(elements)
