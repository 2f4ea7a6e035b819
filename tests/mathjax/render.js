// Render every $$ … $$ block of a Markdown file with MathJax 3 (TeX input, AMS macros);
// print one line per block that fails, and exit 1 if any does.
const fs = require('fs');
const {mathjax} = require('mathjax-full/js/mathjax.js');
const {TeX} = require('mathjax-full/js/input/tex.js');
const {SVG} = require('mathjax-full/js/output/svg.js');
const {liteAdaptor} = require('mathjax-full/js/adaptors/liteAdaptor.js');
const {RegisterHTMLHandler} = require('mathjax-full/js/handlers/html.js');
const {AllPackages} = require('mathjax-full/js/input/tex/AllPackages.js');

const adaptor = liteAdaptor();
RegisterHTMLHandler(adaptor);
const tex = new TeX({packages: ['base', 'ams', 'newcommand'].filter(p => AllPackages.includes(p)),
                     formatError: (jax, err) => { throw err; }});
const html = mathjax.document('', {InputJax: tex, OutputJax: new SVG({fontCache: 'none'})});

const text = fs.readFileSync(process.argv[2], 'utf8');
const blocks = [...text.matchAll(/\$\$([\s\S]*?)\$\$/g)].map(m => m[1]);
let failures = 0;
blocks.forEach((block, k) => {
  try {
    const node = html.convert(block, {display: true});
    const out = adaptor.outerHTML(node);
    if (out.includes('data-mjx-error') || out.includes('merror')) {
      throw new Error(out.match(/data-mjx-error="([^"]*)"/)?.[1] || 'merror');
    }
  } catch (err) {
    failures += 1;
    console.log(`block ${k + 1}: ${err.message}`);
  }
});
console.log(`${blocks.length} blocks, ${failures} failed`);
process.exit(failures ? 1 : 0);
