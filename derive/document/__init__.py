"""Derivation documents: the steps an article writes out, each equation proven, as LaTeX or
MathJax Markdown."""
