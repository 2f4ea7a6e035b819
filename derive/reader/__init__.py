"""Reading article LaTeX in stages: ``parse`` (LaTeX → a syntax tree with no notation in mind,
``syntax``) and ``bind`` (its symbols → the network's quantities in a notation,
``derive.notation``); ``derive.judge.meaning`` turns a bound tree into SymPy claims."""
