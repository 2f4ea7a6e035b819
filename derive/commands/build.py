"""``derive build``: the whole job for one network, into one folder."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from derive.commands.options import derived, parse_architecture
from derive.errors import DeriveError
from derive.files import write_bytes, write_text
from derive.progress import Progress

NAME = "build"
HELP = ("derive a network and write its derivation (Markdown, LaTeX, PDF), its NumPy modules "
        "and a verification report into one folder")
EXAMPLE = """example:
  derive build 3-2-2                                   the article network, into derive-3-2-2/
  derive build 64-32-10 --activation tanh,softmax --loss cross-entropy --bias -o digits/
"""
VERIFY_BATCH = 8
FINITE_DIFFERENCE_ELEMENTS = 200  # elements checked by finite differences (all when fewer)


def add_options(parser) -> None:
    parser.add_argument("-o", "--output", metavar="DIR", help="the folder to write (default derive-ARCH)")


def run(args) -> int:
    from codegen import generate
    from codegen.unrolled import UNROLLED_LIMIT
    from derive.commands.code import command_line
    from derive.document import proven_document
    from derive.document.build import DOCUMENT_LIMIT
    from derive.document.render import svg_of, to_markdown, to_tex

    arch = parse_architecture(args)
    folder = Path(args.output or f"derive-{arch.text}")
    progress = Progress(args.quiet)
    files = []
    d = derived(args, arch)
    if arch.parameter_count <= DOCUMENT_LIMIT:
        with progress.step("writing the derivation (every equation proven)"):
            svg_path = folder / "derivation-network.svg"
            document, note = proven_document(d)
            files += [_write(folder / "derivation.md", to_markdown(document, note, svg_path.name)),
                      _write(svg_path, svg_of(document, note)),
                      _write(folder / "derivation.tex", to_tex(document, note))]
        if shutil.which("pdflatex"):
            with progress.step("compiling the PDF"):
                files.append(_pdf(folder / "derivation.tex", changed=files[-1][1]))
    forms = ["matrix"] + (["unrolled"] if arch.parameter_count <= UNROLLED_LIMIT and d.method == "elementwise" else [])
    modules = {}
    for form in forms:
        with progress.step(f"generating the {form} module"):
            path = folder / f"network_{form}.py"
            source = generate(d, form, "float64", command_line(arch, form, "float64", str(path)))
            files.append(_write(path, source))
            modules[form] = path
    with progress.step("verifying the generated gradients"):
        report, worst = _verify(d, modules)
        files.append(_write(folder / "verification.md", report))
    print(d.summary())
    print(f"\ngenerated gradients against a hand-written backprop and finite differences, "
          f"{VERIFY_BATCH} random samples: largest relative difference {worst['reference']:.1e} "
          f"(backprop), {worst['differences']:.1e} (finite differences)")
    if arch.parameter_count > DOCUMENT_LIMIT:
        print(f"\nderivation documents skipped: they write out every weight, and {arch.text} has "
              f"{arch.parameter_count:,} parameters (limit {DOCUMENT_LIMIT})")
    print(f"\nfiles in {folder}/:")
    for path, changed in files:
        print(f"  {'wrote    ' if changed else 'unchanged'} {path.name}")
    return 0


def _write(path: Path, text: str):
    return path, write_text(path, text)


def _pdf(tex: Path, changed: bool):
    """Compile ``tex`` (only when it changed or has no PDF) with fixed dates, so the PDF is
    byte-identical from run to run."""
    pdf = tex.with_suffix(".pdf")
    if pdf.exists() and not changed:
        return pdf, False
    env = {**os.environ, "SOURCE_DATE_EPOCH": "0", "FORCE_SOURCE_DATE": "1"}
    with tempfile.TemporaryDirectory() as work:
        shutil.copy(tex, Path(work) / tex.name)
        result = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.name],
                                cwd=work, capture_output=True, env=env, timeout=600, check=False)
        if result.returncode != 0:
            raise DeriveError(f"pdflatex failed on {tex}; run it by hand to see the log")
        return pdf, write_bytes(pdf, (Path(work) / pdf.name).read_bytes())


def _relative(a: dict, b: dict) -> float:
    scale = max(1e-12, max(float(np.abs(v).max()) for v in b.values()))
    return max(float(np.abs(a[k] - b[k]).max()) for k in b) / scale


def _verify(d, modules: dict):
    """Random data through each generated module, against the reference backprop, central
    differences and (for small networks) the symbolic partials; a Markdown report."""
    import importlib.util

    from derive import reference

    arch = d.arch
    rng = np.random.default_rng(2024)
    params = {name: rng.normal(0, 0.7, arch.shape(name)) for name in arch.parameter_names}
    X = rng.normal(0, 1, (VERIFY_BATCH, arch.widths[0]))
    if arch.loss == "cross-entropy":
        Y = rng.dirichlet(np.ones(arch.widths[-1]), VERIFY_BATCH)
    elif arch.loss == "bce":
        Y = rng.uniform(0, 1, (VERIFY_BATCH, arch.widths[-1]))
    else:
        Y = rng.normal(0, 1, (VERIFY_BATCH, arch.widths[-1]))
    _, by_hand = reference.loss_and_gradients(arch.as_dict(), params, X, Y)
    symbolic = None
    if d.method == "elementwise" and arch.parameter_count <= 2_500:
        per_sample = [d.evaluate(params, x, y) for x, y in zip(X, Y)]
        symbolic = {k: sum(g[k] for g in per_sample) for k in arch.parameter_names}
    rows, worst = [], {"reference": 0.0, "differences": 0.0}
    for form, path in modules.items():
        spec = importlib.util.spec_from_file_location(f"derive_build_{form}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
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
        + (f"proven, {d.pattern.proof_count:,} identities." if d.pattern else f"not recognized ({d.failure})."),
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
