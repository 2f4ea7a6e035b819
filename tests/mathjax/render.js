// Renders a Markdown document of derive as a blog would show it, and fails on anything a reader
// would see broken: node render.js --delimiters MODE FILE.md
//
// 1. The Markdown stage, as the blog's Markdown processor does it: front matter dropped, the
//    math a math-aware processor protects kept as written (MODE says which: $$ blocks for
//    mathjax; $$ and $ for dollars; \[ \] and \( \) for brackets; $$ for kramdown, written as
//    \[ \] and \( \) as kramdown does), and the rest rendered by markdown-it (CommonMark: backslash
//    escapes, so \\( becomes \(; emphasis, which a stray _ or * in math would open; raw HTML).
// 2. MathJax 3 with the TeX packages of its default tex-chtml component (base, ams, newcommand,
//    configmacros; not noundefined, so an unknown macro is an error, and never textmacros) finds
//    the math on the page with its default delimiters ($ … $ added for MODE dollars only).
//    Each item is compiled to MathML (no output is laid out: the checks read the MathML).
// 3. Every math item MathJax found is rendered again with KaTeX (throwOnError, strict, and its
//    default limit of 1000 macro expansions per formula).
// Fails (exit 1, one line each) on a MathJax or KaTeX error, on a backslash inside rendered text
// (\text{\small …} shows "\small"), and on a backslash or $ left in the page's text outside math.
// Prints "N math items, M failed" last.
const fs = require('fs');
const {mathjax} = require('mathjax-full/js/mathjax.js');
const {TeX} = require('mathjax-full/js/input/tex.js');
const {SVG} = require('mathjax-full/js/output/svg.js');
const {liteAdaptor} = require('mathjax-full/js/adaptors/liteAdaptor.js');
const {RegisterHTMLHandler} = require('mathjax-full/js/handlers/html.js');
const {SerializedMmlVisitor} = require('mathjax-full/js/core/MmlTree/SerializedMmlVisitor.js');
require('mathjax-full/js/input/tex/base/BaseConfiguration.js');
require('mathjax-full/js/input/tex/ams/AmsConfiguration.js');
require('mathjax-full/js/input/tex/newcommand/NewcommandConfiguration.js');
require('mathjax-full/js/input/tex/configmacros/ConfigMacrosConfiguration.js');
const katex = require('katex');
const MarkdownIt = require('markdown-it');

const args = process.argv.slice(2);
const mode = args[0] === '--delimiters' ? args[1] : 'mathjax';
const file = args[0] === '--delimiters' ? args[2] : args[0];
const MODES = ['mathjax', 'dollars', 'brackets', 'kramdown'];
if (!MODES.includes(mode) || !file) {
  console.log(`usage: node render.js --delimiters ${MODES.join('|')} FILE.md`);
  process.exit(2);
}

const escapeHtml = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

// -- 1. the Markdown stage -------------------------------------------------------------------
// The math a math-aware processor protects is set aside (as a placeholder that Markdown leaves
// alone), markdown-it (CommonMark, raw HTML allowed) renders the rest, and the math comes back.
function markdownToHtml(markdown) {
  const kept = [];
  const keep = (math) => `MATHPLACEHOLDER${kept.push(escapeHtml(math)) - 1}X`;
  let text = markdown.replace(/^---\n[\s\S]*?\n---\n/, '');
  const protect = {
    mathjax: [/\$\$[\s\S]+?\$\$/g],
    dollars: [/\$\$[\s\S]+?\$\$/g, /\$[^$\n]+?\$/g],
    brackets: [/\\\[[\s\S]+?\\\]/g, /\\\([\s\S]+?\\\)/g],
    kramdown: [/\$\$[\s\S]+?\$\$/g],
  }[mode];
  for (const pattern of protect) {
    text = text.replace(pattern, (math, offset, whole) => {
      if (mode !== 'kramdown') return keep(math);
      const body = math.slice(2, -2);  // kramdown writes a block as \[ \], math in a line as \( \)
      const alone = (offset === 0 || whole[offset - 1] === '\n') && /^\n/.test(body);
      return keep(alone ? `\\[${body}\\]` : `\\(${body}\\)`);
    });
  }
  const html = new MarkdownIt({html: true}).render(text);
  return html.replace(/MATHPLACEHOLDER(\d+)X/g, (_, k) => kept[Number(k)]);
}

// -- 2. MathJax with its default TeX packages ---------------------------------------------------
const adaptor = liteAdaptor();
RegisterHTMLHandler(adaptor);
const tex = new TeX({
  packages: ['base', 'ams', 'newcommand', 'configmacros'],
  inlineMath: mode === 'dollars' ? [['$', '$'], ['\\(', '\\)']] : [['\\(', '\\)']],
  formatError: (jax, err) => { throw err; },
});
const page = markdownToHtml(fs.readFileSync(file, 'utf8'));
const html = mathjax.document(`<!DOCTYPE html><html><head></head><body>${page}</body></html>`,
  {InputJax: tex, OutputJax: new SVG({fontCache: 'none'})});

const failures = [];
const fail = (where, message) => failures.push(`${where}: ${message}`);
const visitor = new SerializedMmlVisitor();
const short = (s) => (s.length > 70 ? s.slice(0, 70) + '…' : s).replace(/\s+/g, ' ');

html.findMath();
const items = Array.from(html.math);
for (const item of items) {
  try {
    item.compile(html);
  } catch (err) {
    fail(`MathJax ${short(item.math)}`, err.message);
    continue;
  }
  const mml = visitor.visitTree(item.root);
  if (/<merror/.test(mml)) fail(`MathJax ${short(item.math)}`, 'merror');
  for (const [, shown] of mml.matchAll(/<mtext[^>]*>([^<]*)<\/mtext>/g)) {
    if (shown.includes('\\')) fail(`MathJax ${short(item.math)}`, `a macro shown as text: "${shown}"`);
  }
  // -- 3. the same math with KaTeX -----------------------------------------------------------
  try {
    const out = katex.renderToString(item.math, {displayMode: item.display, throwOnError: true,
      output: 'html', strict: 'error'});
    const shown = out.replace(/<[^>]*>/g, '');
    if (shown.includes('\\')) fail(`KaTeX ${short(item.math)}`, 'a backslash in the rendered text');
  } catch (err) {
    fail(`KaTeX ${short(item.math)}`, err.message.split('\n')[0]);
  }
}
// The page's own text, outside the math MathJax found and the diagram, shows no TeX.
const count = items.length;
const texts = [];
function walk(node) {
  if (adaptor.kind(node) === '#text') {
    texts.push(adaptor.value(node));
    return;
  }
  if (['svg', 'script', 'style'].includes(adaptor.kind(node))) return;
  for (const child of adaptor.childNodes(node) || []) walk(child);
}
walk(adaptor.body(html.document));
let pageText = texts.join('\n');
for (const item of items) {
  pageText = pageText.replace(item.start.delim + item.math + item.end.delim, ' ');
}
for (const line of pageText.split('\n')) {
  if (/[\\$]/.test(line)) fail('page text', `TeX left as text: "${short(line.trim())}"`);
}

failures.forEach((line) => console.log(line));
console.log(`${count} math items, ${failures.length} failed`);
process.exit(failures.length || count === 0 ? 1 : 0);
