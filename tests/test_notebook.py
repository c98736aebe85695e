"""docs/tour.md opens as a notebook, and the notebook runs: every cell in a real Python kernel (nbclient)."""
import importlib.util
import json
import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _make_notebook():
    spec = importlib.util.spec_from_file_location("make_notebook", ROOT / "docs" / "make_notebook.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_pycon_example_becomes_a_cell():
    import doctest

    from test_docs import pycon_blocks

    text = (ROOT / "docs" / "tour.md").read_text()
    nb = _make_notebook().notebook(text)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    examples = [e for b in pycon_blocks(text) for e in doctest.DocTestParser().get_examples(b)]
    assert len(code) == len(examples) and all(not "".join(c["source"]).startswith(">>>") for c in code)
    assert sum("raises-exception" in c["metadata"].get("tags", []) for c in code) == 2  # sections 5 and 8
    assert any("## 8. Jacobians" in "".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def test_the_tour_runs_as_a_notebook(tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat", reason="the test extra installs nbformat, nbclient and ipykernel")
    nbclient = pytest.importorskip("nbclient", reason="the test extra installs nbformat, nbclient and ipykernel")
    pytest.importorskip("ipykernel", reason="the test extra installs nbformat, nbclient and ipykernel")
    path = _make_notebook().main([str(ROOT / "docs" / "tour.md"), str(tmp_path / "tour.ipynb")])
    nb = nbformat.read(path, as_version=4)
    env = os.environ.get("PYTHONPATH", "")
    monkeypatch.setenv("PYTHONPATH", str(ROOT) + (os.pathsep + env if env else ""))  # the kernel imports this checkout
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    errors = [o for o in outputs if o.output_type == "error"]
    assert [e.ename for e in errors] == ["RuntimeError", "ValueError"]  # the two the tour shows on purpose
    html = [o.data["text/html"] for o in outputs if o.output_type == "execute_result" and "text/html" in o.data]
    assert any("in the order the engine runs them" in h and "MmBackward0" in h for h in html)  # a trace, inline
    json.dumps(nb)
