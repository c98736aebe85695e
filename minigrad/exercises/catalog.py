"""The exercise registry: what one exercise is made of, and the list of them in teaching order.

An exercise is a Function class whose forward is given and whose backward (the reference solution) the learner
rewrites; the shapes it is checked on; the same computation composed of minigrad ops (`composed(lib, ...)`, which
runs in torch too, since minigrad has torch's API) for autograd to differentiate; torch's own op where there is one;
and a ladder of hints.
"""
from dataclasses import dataclass, field
from typing import Callable, NamedTuple, Optional


class Case(NamedTuple):
    inputs: tuple          # float64 arrays (an integer array for a non-differentiable input)
    options: dict = {}     # keyword options of forward: dim, eps, kernel_size
    square: bool = False   # every matrix in it is square: a wrong transpose can pass here


@dataclass
class Exercise:
    name: str
    title: str
    function: type                       # the reference Function: forward given, backward the solution
    cases: Callable                      # rng -> [Case]
    composed: Callable                   # (lib, *tensors, **options) -> tensor, differentiated by autograd
    hints: list
    math: str                            # "z = x @ y"
    formulas: tuple = ()                 # the right gradient of each input, in words: ("dx = g @ yᵀ", ...)
    torch: Optional[Callable] = None     # (torch, *tensors, **options) -> tensor, when torch has the op itself
    nondiff: dict = field(default_factory=dict)   # input index -> why it has no gradient
    sizes: Optional[Callable] = None     # case -> [(N, "what divides by N")], to name a constant factor
    given_sum_to: bool = True            # the stub may import helpers.sum_to (not in `add`, which teaches it)


EXERCISES = {}


def register(exercise):
    EXERCISES[exercise.name] = exercise
    return exercise


def get(name):
    _load()
    key = name.replace("-", "_")
    if key not in EXERCISES:
        raise KeyError(f"no exercise named {name!r}; the exercises are: {', '.join(EXERCISES)}")
    return EXERCISES[key]


def all_exercises():
    _load()
    return list(EXERCISES.values())


def _load():
    from . import basic  # noqa: F401 - each module registers its exercises; imported in teaching order
    from . import nn_ops  # noqa: F401
    from . import layers  # noqa: F401
