"""Documents people publish: every Markdown document derive writes renders under MathJax 3's
default TeX packages and under KaTeX, with each choice of math delimiters, as a blog shows it;
the diagram travels inside the post; the HTML preview page typesets in a real browser."""
import functools
import html.parser
import http.server
import json
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

import derive
from derive.activations import ACTIVATIONS
from derive.cli import main
from derive.document import proven_document
from derive.document.notation import NOTATIONS
from derive.document.render import MATH_DELIMITERS, MATHJAX_URL, Publishing, to_markdown

from .conftest import named, needs

ROOT = Path(__file__).resolve().parents[1]
NODE = ROOT / "tests" / "mathjax"
MATHJAX_ES5 = NODE / "node_modules" / "mathjax-full" / "es5"

needs_node = needs(bool(shutil.which("node") and (NODE / "node_modules" / "katex").is_dir()
                        and (NODE / "node_modules" / "mathjax-full").is_dir()),
                   "node, and mathjax-full and katex in tests/mathjax/node_modules, are installed by .ci/run")


def chromium() -> str | None:
    return next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)


needs_chromium = needs(bool(chromium() and MATHJAX_ES5.is_dir()),
                       "chromium (Debian's package) and tests/mathjax/node_modules are installed by .ci/run")


def write(tmp_path, *argv, name="post.md") -> Path:
    out = tmp_path / name
    assert main(["latex", *argv, "-o", str(out)]) == 0
    return out


def rendered(markdown: Path, delimiters: str) -> subprocess.CompletedProcess:
    return subprocess.run(["node", str(NODE / "render.js"), "--delimiters", delimiters, str(markdown)],
                          capture_output=True, text=True, timeout=300, check=False)


INLINE = {"mathjax": r"\\\\\(.+?\\\\\)", "dollars": r"(?<!\$)\$[^$\n]+\$(?!\$)", "brackets": r"\\\(.+?\\\)",
          "kramdown": r"\S ?\$\$.+?\$\$"}


def assert_renders(markdown: Path, delimiters: str) -> None:
    """No error and nothing broken, and every piece of math the writer meant was found and typeset:
    one per aligned display, one per inline span as written in the Markdown."""
    result = rendered(markdown, delimiters)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    text = markdown.read_text()
    meant = text.count("\\begin{aligned}") + len(re.findall(INLINE[delimiters], text))
    assert f"\n{meant} math items, 0 failed\n" in "\n" + result.stdout, (meant, result.stdout)


# -- what the Markdown holds -----------------------------------------------------------------

def test_by_default_the_post_has_no_front_matter_no_dollar_inline_math_and_the_diagram_inline(tmp_path):
    text = write(tmp_path, "3-2-2").read_text()
    assert text.startswith("# Backpropagation for the 3-2-2 network\n")
    # every $ stands in a $$ line of a display block: $ … $ inline stays raw under MathJax's defaults
    assert all(line == "$$" for line in text.splitlines() if "$" in line)
    assert r"the weight \\(w\_{ij}\\) connects" in text  # \\( is \( and \_ is _ once Markdown has read it
    assert "\n<svg" in text and "\n\n<svg" in text and "</svg>\n\n" in text
    svg = text[text.index("<svg"):text.index("</svg>")]
    assert "\n\n" not in svg  # one HTML block for the Markdown processor
    assert not list(tmp_path.glob("*.svg")) and ".svg)" not in text


@pytest.mark.parametrize("delimiters, display, inline", [
    ("dollars", "$$\n\\begin{aligned}", r"the weight $w_{ij}$ connects"),
    ("brackets", "\\[\n\\begin{aligned}", r"the weight \(w_{ij}\) connects"),
    ("kramdown", "$$\n\\begin{aligned}", r"the weight $$w_{ij}$$ connects"),
    ("mathjax", "$$\n\\begin{aligned}", r"the weight \\(w\_{ij}\\) connects"),
])
def test_math_delimiters(delimiters, display, inline, tmp_path):
    text = write(tmp_path, "3-2-2", "--math-delimiters", delimiters).read_text()
    assert display in text and inline in text
    assert text.count("\\begin{aligned}") == text.count("\\end{aligned}") > 20


@pytest.mark.parametrize("delimiters", sorted(MATH_DELIMITERS))
def test_derive_audit_reads_every_delimiter_choice_back_as_right(delimiters, tmp_path, capsys):
    markdown = write(tmp_path, "3-2-2", "--math-delimiters", delimiters)
    capsys.readouterr()
    status = main(["audit", str(markdown), "--arch", "3-2-2", "--format", "json"])
    verdicts = [item["verdict"] for item in json.loads(capsys.readouterr().out)["items"]]
    assert status == 0 and verdicts.count("right") >= 40
    assert "wrong" not in verdicts and "undecided" not in verdicts


def test_asset_url_writes_the_svg_beside_and_links_it_under_the_prefix(tmp_path):
    text = write(tmp_path, "3-2-2", "--asset-url", "/assets/img/").read_text()
    assert "](/assets/img/post-network.svg)" in text and "<svg" not in text
    assert (tmp_path / "post-network.svg").read_text().startswith("<svg")


def test_front_matter_only_when_asked(tmp_path):
    text = write(tmp_path, "3-2-2", "--front-matter").read_text()
    assert text.startswith('---\ntitle: "Backpropagation for the 3-2-2 network"\n---\n\n*Written by derive')
    assert "\n# " not in text


@pytest.mark.parametrize("argv, message", [
    (["--math-delimiters", "latex", "-o", "d.md"], "invalid choice: 'latex'"),
    (["--format", "pdf", "-o", "d.md"], "invalid choice: 'pdf'"),
    (["--asset-url", "/img", "-o", "d.tex"], "--asset-url is for Markdown (--format md); this writes --format tex"),
    (["--front-matter", "-o", "d.html"], "--front-matter is for Markdown (--format md); this writes --format html"),
])
def test_publishing_options_bad_input(argv, message, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["latex", "3-2-2", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_notebook_markdown_has_no_front_matter():
    markdown = derive.derive(named("article"))._repr_markdown_()
    assert markdown.startswith("# Backpropagation") and "\n---\n" not in markdown
    assert "data:image/svg+xml;base64," in markdown


def test_the_html_page_is_self_contained(tmp_path):
    page = write(tmp_path, "3-2-2", name="preview.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and page.count("<svg") == 1
    assert re.findall(r'src="([^"]*)"', page) == [MATHJAX_URL]
    assert "<link" not in page and "window.MathJax" not in page  # MathJax's default configuration, as a blog
    assert page.count(r"\[\begin{aligned}") == page.count(r"\end{aligned}\]") > 20
    assert r"\(w_{ij}\)" in page and "$" not in page.replace("$$", "")
    mine = write(tmp_path, "3-2-2", "--mathjax-url", "/js/mathjax.js", name="mine.html").read_text()
    assert re.findall(r'src="([^"]*)"', mine) == ["/js/mathjax.js"]


# -- rendered as a blog renders it -------------------------------------------------------------

def markdown_documents(d, tmp_path, delimiters=tuple(MATH_DELIMITERS), **options):
    """The Markdown of one proven document with each choice of delimiters (the proof runs once)."""
    document, note = proven_document(d, **options)
    for choice in delimiters:
        path = tmp_path / f"{choice}.md"
        path.write_text(to_markdown(document, note, Publishing(choice, front_matter=choice == "kramdown")))
        yield path, choice


@needs_node
@pytest.mark.parametrize("notation", sorted(set(NOTATIONS) - {"flat"}))
def test_every_markdown_document_renders_with_mathjax_defaults_and_katex(notation, tmp_path):
    for markdown, delimiters in markdown_documents(derive.derive(named("article")), tmp_path, notation_name=notation):
        assert_renders(markdown, delimiters)


@needs_node
@pytest.mark.parametrize("key, options, delimiters", [
    ("four-layer-softmax", {"wrt": ["b1[2]"]}, "mathjax"),
    ("tanh-softmax-ce", {"notation_name": "nielsen", "wrt": ["b2[1]"]}, "kramdown"),
    ("softmax-mse", {"wrt": ["W2[3,1]"], "loss_name": "E"}, "dollars"),
    ("relu-bce", {"notation_name": "layer"}, "brackets"),
])
def test_markdown_of_other_architectures_renders(key, options, delimiters, tmp_path):
    d = derive.derive(derive.Architecture.parse("2-3-2-2", activation="tanh,relu,softmax", loss="cross-entropy",
                                                bias=True) if key == "four-layer-softmax" else named(key))
    for markdown, choice in markdown_documents(d, tmp_path, (delimiters,), **options):
        assert_renders(markdown, choice)


ELEMENTWISE = [name for name, entry in ACTIVATIONS.items() if entry.elementwise]


@needs_node
@pytest.mark.parametrize("pair", [ELEMENTWISE[k:k + 2] for k in range(0, len(ELEMENTWISE), 2)], ids="-".join)
def test_every_activation_renders(pair, tmp_path):
    """Each activation's own LaTeX (its name, its derivative) in a 2-2-2 network with biases."""
    arch = derive.Architecture.parse("2-2-2", activation=",".join((pair * 2)[:2]), loss="half-mse", bias=True)
    for markdown, delimiters in markdown_documents(derive.derive(arch), tmp_path, ("mathjax",)):
        assert_renders(markdown, delimiters)


@needs_node
@pytest.mark.parametrize("markdown, complaint", [
    ("$$\n\\begin{aligned}\nx &= y \\quad \\text{\\small (power rule)}\n\\end{aligned}\n$$\n",
     'MathJax .*a macro shown as text: "\\\\small \\(power rule\\)"'),
    ("the weight $w_{ij}$ connects\n", r"page text: TeX left as text"),
    ("$$\\nosuchmacro{x}$$\n", "MathJax .*Undefined control sequence"),
    ("inline \\\\(a^{3}_{1} + w^{2}_{11}\\\\)\n", r"page text: TeX left as text"),  # _ … _ is emphasis
    ("$$\\begin{bmatrix}1 & 2$$\n", "MathJax .*"),
])
def test_the_render_check_fails_on_what_a_reader_would_see_broken(markdown, complaint, tmp_path):
    bad = tmp_path / "bad.md"
    bad.write_text(markdown)
    result = rendered(bad, "mathjax")
    assert result.returncode == 1 and re.search(complaint, result.stdout), result.stdout


@needs_node
def test_katex_catches_what_only_mathjax_reads(tmp_path):
    bad = tmp_path / "bad.md"
    bad.write_text("$$x \\Rule{1em}{1ex}{0ex}$$\n")  # MathJax's base package has \\Rule, KaTeX has not
    result = rendered(bad, "mathjax")
    assert result.returncode == 1 and re.search(r"^KaTeX .*Rule", result.stdout, re.MULTILINE), result.stdout
    assert "MathJax" not in result.stdout


# -- the HTML preview in a real browser --------------------------------------------------------

class _Text(html.parser.HTMLParser):
    """The page's visible text outside MathJax's output and the diagram; its math and errors."""

    SKIP = frozenset({"mjx-container", "svg", "script", "style", "title"})

    def __init__(self):
        super().__init__()
        self.depth, self.text, self.containers, self.errors = 0, [], 0, 0

    def handle_starttag(self, tag, attrs):
        self.containers += tag == "mjx-container"
        self.errors += tag == "mjx-merror"
        self.depth += tag in self.SKIP or self.depth > 0

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            self.text.append(data)


def serve(folder: Path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@needs_chromium
@pytest.mark.parametrize("argv", [["3-2-2"], ["2-2-2", "--activation", "tanh,softmax", "--loss", "cross-entropy",
                                              "--bias", "--wrt", "b1[2]", "--notation", "nielsen"]])
def test_the_html_page_typesets_in_headless_chromium(argv, tmp_path):
    (tmp_path / "mathjax").symlink_to(MATHJAX_ES5, target_is_directory=True)
    page = write(tmp_path, *argv, "--mathjax-url", "/mathjax/tex-chtml.js", name="preview.html").read_text()
    expected = page.count(r"\[") + page.count(r"\(")
    server = serve(tmp_path)
    try:
        result = subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                 "--virtual-time-budget=20000", "--dump-dom",
                                 f"http://127.0.0.1:{server.server_port}/preview.html"],
                                capture_output=True, text=True, timeout=240, check=False)
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr[-2000:]
    dom = _Text()
    dom.feed(result.stdout)
    assert dom.containers == expected > 10  # every piece of math typeset
    assert dom.errors == 0
    visible = "".join(dom.text)
    assert "Backpropagation for the" in visible and "\\" not in visible and "$" not in visible
