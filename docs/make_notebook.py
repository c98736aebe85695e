"""docs/tour.md as a Jupyter notebook: `python docs/make_notebook.py [SOURCE.md] [OUT.ipynb]` (default
docs/tour.md -> docs/tour.ipynb).

The prose becomes markdown cells; every `>>>` example of a ```pycon block becomes its own code cell (prompts
stripped, the expected output left out: the kernel prints the real one), so each result shows under its line as in
the tour. An example whose expected output is a traceback gets the `raises-exception` tag, which tells nbclient
and Jupyter that the error is the point. Traces, graphs and health summaries display inline (`_repr_html_`,
`_repr_svg_`). Only the standard library is needed to write it; running it needs Jupyter (nbclient, ipykernel).
"""
import doctest
import json
import pathlib
import re
import sys

_BLOCK = re.compile(r"^```pycon\n(.*?)^```\n?", re.S | re.M)


def _markdown(text):
    return {"cell_type": "markdown", "metadata": {}, "source": text.strip("\n").splitlines(keepends=True)}


def _code(source, raises=False):
    return {"cell_type": "code", "execution_count": None, "metadata": {"tags": ["raises-exception"]} if raises else {},
            "outputs": [], "source": source.rstrip("\n").splitlines(keepends=True)}


def notebook(markdown):
    """The notebook (nbformat 4, as a dict) for a markdown text with ```pycon blocks."""
    cells, last = [], 0
    for match in _BLOCK.finditer(markdown):
        prose = markdown[last:match.start()]
        if prose.strip():
            cells.append(_markdown(prose))
        for example in doctest.DocTestParser().get_examples(match.group(1)):
            cells.append(_code(example.source, raises=example.exc_msg is not None))
        last = match.end()
    if markdown[last:].strip():
        cells.append(_markdown(markdown[last:]))
    for i, cell in enumerate(cells):
        cell["id"] = f"cell-{i}"
    return {"cells": cells, "nbformat": 4, "nbformat_minor": 5,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                         "language_info": {"name": "python"}}}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    here = pathlib.Path(__file__).resolve().parent
    source = pathlib.Path(argv[0]) if argv else here / "tour.md"
    out = pathlib.Path(argv[1]) if len(argv) > 1 else source.with_suffix(".ipynb")
    out.write_text(json.dumps(notebook(source.read_text()), indent=1, ensure_ascii=False) + "\n")
    print(out)
    return out


if __name__ == "__main__":
    main()
