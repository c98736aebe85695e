"""Backprop exercises with a checker: each is a Function whose forward is given and whose backward you write.

    from minigrad import exercises
    exercises.list_exercises()              # [(1, 'add', 'add with broadcasting'), ...]
    path = exercises.start("mul")           # writes mul.py: the forward, and a backward to write
    print(exercises.check(path))            # compares it with autograd, torch and finite differences
    exercises.hint("mul", 2)                # the first two hints of the ladder
    exercises.solution("mul")               # the reference solution, on request only

The same from the shell: `minigrad exercise list | start NAME | check FILE [--hint] | hint NAME [N] | solution NAME`.
"""
import importlib.util
import inspect
import os

from . import catalog, checker
from .checker import Report

__all__ = ["list_exercises", "start", "check", "hint", "solution", "stub_source", "load", "Report"]

_BACKWARD = "    @staticmethod\n    def backward(ctx, g):"


def list_exercises():
    """(number, name, title) of each exercise, in teaching order."""
    return [(k + 1, ex.name, ex.title) for k, ex in enumerate(catalog.all_exercises())]


def _number(ex):
    return [e.name for e in catalog.all_exercises()].index(ex.name) + 1


def _header(ex, what):
    total = len(catalog.all_exercises())
    lines = [f'"""minigrad exercise {_number(ex)}/{total}: {ex.title} — {what} of {ex.math}.', "",
             "Edit `backward` below, then run:   minigrad exercise check THIS_FILE",
             "A hint (repeat for more):          minigrad exercise check THIS_FILE --hint",
             '"""', "import numpy as np", "", "from minigrad.autograd import Function"]
    if ex.given_sum_to:
        lines.append("from minigrad.exercises.helpers import sum_to  # sums a broadcast gradient back to a shape")
    return "\n".join(lines + ["", f'EXERCISE = "{ex.name}"', "", "", ""])


def stub_source(name):
    """The file `start` writes: the exercise's Function with its forward, and a backward raising NotImplementedError."""
    ex = catalog.get(name)
    source = inspect.getsource(ex.function)
    head = source[:source.index(_BACKWARD)]
    names = checker.input_names(ex.function, _n_inputs(ex))
    returns = ", ".join(f"d{n}" if i not in ex.nondiff else "None" for i, n in enumerate(names))
    notes = "".join(f"\n        {names[i]} is not differentiable ({why}): its gradient is None." for i, why in
                    ex.nondiff.items())
    body = (f'{_BACKWARD}\n        """g: the gradient of the loss with respect to forward\'s output (its shape).\n'
            f"        Return the gradient of each input, in order: {returns}; each with its input's shape.{notes}\n"
            f'        """\n        raise NotImplementedError("write the backward of {ex.math}")\n')
    return _header(ex, "write the backward") + head + body


def _n_inputs(ex):
    import numpy as np
    return len(ex.cases(np.random.default_rng(0))[0].inputs)


def solution(name):
    """The reference solution, as a file that passes `check`."""
    ex = catalog.get(name)
    return _header(ex, "the reference solution for the backward") + inspect.getsource(ex.function)


def start(name, path=None, force=False):
    """Write the stub of exercise `name` to `path` (default: ./NAME.py) and return the path. An existing file is
    kept (it may hold your work) unless force=True."""
    ex = catalog.get(name)
    path = path or f"{ex.name}.py"
    if os.path.exists(path) and not force:
        raise FileExistsError(f"{path} exists (your work?); check it, choose another path, or pass force=True "
                              "(--force) to overwrite it")
    with open(path, "w", encoding="utf-8") as f:
        f.write(stub_source(ex.name))
    return path


def load(path):
    """(exercise name, the Function class) from a stub file, imported by path."""
    spec = importlib.util.spec_from_file_location(f"_minigrad_exercise_{abs(hash(os.path.abspath(path)))}", path)
    if spec is None:
        raise ValueError(f"{path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except FileNotFoundError:
        raise
    except Exception as e:  # the learner's file: a syntax error, a bad import; say so in one line
        raise ValueError(f"{path}: importing it raised {type(e).__name__}: {e}") from e
    name = getattr(module, "EXERCISE", None)
    if name is None:
        raise ValueError(f"{path} has no EXERCISE = \"NAME\" line: is it a file from `minigrad exercise start`?")
    ex = catalog.get(name)
    cls = getattr(module, ex.function.__name__, None)
    if cls is None:
        raise ValueError(f"{path}: exercise {name} expects a class named {ex.function.__name__}; it is missing")
    return ex.name, cls


def check(target, name=None, seed=0):
    """Check a stub file (a path) or a Function class (with the exercise `name`): a Report; str() explains it.
    `seed` draws other values (and grad_outputs) on the same shapes."""
    if isinstance(target, (str, os.PathLike)):
        name, cls = load(target)
    else:
        cls = target
        if name is None:
            raise TypeError("check(cls) needs the exercise's name: check(cls, 'mul')")
    return checker.check(cls, catalog.get(name).name, seed)


def hint(name, level=1):
    """The first `level` hints of the exercise's ladder, numbered; past the last one, a pointer to the solution."""
    ex = catalog.get(name)
    shown = [f"hint {k + 1}/{len(ex.hints)}: {h}" for k, h in enumerate(ex.hints[:max(level, 1)])]
    if level > len(ex.hints):
        shown.append(f"no more hints; the reference solution: minigrad exercise solution {ex.name}")
    return "\n".join(shown)
