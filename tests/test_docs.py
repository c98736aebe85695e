"""The docs' examples run and print what the docs say: every ```pycon block of each docs/*.md, in order, as one
doctest per file (so later blocks see earlier names)."""
import doctest
import pathlib
import re

import pytest

DOCS = sorted((pathlib.Path(__file__).resolve().parent.parent / "docs").glob("*.md"))
_BLOCK = re.compile(r"^```pycon\n(.*?)^```", re.S | re.M)


def pycon_blocks(text):
    return _BLOCK.findall(text)


def test_there_are_docs_with_examples():
    assert DOCS, "docs/*.md not found"
    assert sum(len(pycon_blocks(p.read_text())) for p in DOCS) >= 5


def test_block_extraction():
    text = "intro\n```pycon\n>>> 1 + 1\n2\n```\nprose\n```python\nnot run\n```\n```pycon\n>>> x = 3\n```\n"
    assert pycon_blocks(text) == [">>> 1 + 1\n2\n", ">>> x = 3\n"]


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_doc_examples(path):
    source = "\n".join(pycon_blocks(path.read_text()))
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    test = doctest.DocTestParser().get_doctest(source, {}, path.name, str(path), 0)
    runner = doctest.DocTestRunner(optionflags=flags)
    out = []
    runner.run(test, out=out.append)
    assert runner.failures == 0, "".join(out)
    assert runner.tries == len(test.examples) > 0


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_doc_commands_exist(path):
    """Every `python -m minigrad ...` the docs point at is a command the CLI accepts (tests elsewhere run them)."""
    import shlex

    from minigrad.__main__ import build_parser

    commands = re.findall(r"`python -m minigrad ([^`]*)`", path.read_text())
    assert commands or path.name != "tour.md"
    for command in commands:
        args = build_parser().parse_args(shlex.split(command))
        assert callable(args.run), command
