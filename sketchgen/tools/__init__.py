"""Command-line tools. `tools/<name>.py` in the repository and the `sketchgen <name>`
console script both run `sketchgen.tools.<name>.main`."""
TOOLS = ('train', 'test', 'infer', 'benchmark', 'make_sketches', 'compare', 'hints_study',
         'cartoon_eval', 'simplify', 'make_rough', 'simplification_eval', 'export_model')
