"""Whole models: `minigrad.save(model, f)` and `minigrad.load(f, weights_only=False)`, as the tutorial does with torch.

In the file a module is what pickle (and torch.save) makes of one: its class as a GLOBAL (module and qualname),
NEWOBJ with no arguments, then BUILD with its attributes, the `__dict__` (registries of parameters, buffers and
children, `training`, and the plain attributes a user's `__init__` set). Loading never runs the class: it is
imported by name only if it is an `nn.Module` subclass, the instance is made with `object.__new__` plus the base
`Module.__init__` (empty registries, so attributes added to Module later still exist), and the saved attributes are
checked (each registry holds what it should) and set. Weights-only loading refuses every class, as torch's does.
"""
import importlib
import sys

from . import _pickle
from ._errors import SerializationError
from ._pickle import Global

_REGISTRIES = {"_parameters": "Parameter", "_buffers": "Tensor", "_modules": "Module"}
_UNSAFE = ("In PyTorch 2.6, torch.load's `weights_only` default became True, and minigrad.load's is True too. "
           "Re-running `minigrad.load` with `weights_only` set to `False` will likely succeed: minigrad then "
           "imports the nn.Module subclasses the file names (running their modules' top-level code) and nothing "
           "else. Do it only if you got the file from a trusted source.")


def _nn():
    from .. import nn  # minigrad.nn is imported after this package: look it up when used

    return nn


def is_module(obj):
    return isinstance(obj, _nn().Module)


# ---- save ----------------------------------------------------------------------------------------------------------
def save_module(pickler, module, where):
    """Class GLOBAL, NEWOBJ, the instance memoized (a module used twice stays one), then its attributes and BUILD."""
    if pickler.memo_get(module):
        return
    if where == "the object":
        where = "model"
    cls = type(module)
    if _lookup(cls.__module__, cls.__qualname__) is not cls:
        raise TypeError(f"minigrad.save: cannot save {where}: its class {cls.__module__}.{cls.__qualname__} cannot be "
                        "imported by that name (a class defined inside a function cannot be); define it at the top "
                        "level of a module, or save model.state_dict() instead")
    pickler.global_(cls.__module__, cls.__qualname__)
    pickler.write(_pickle.EMPTY_TUPLE + _pickle.NEWOBJ)
    pickler.memo_put(module)
    pickler.write(_pickle.EMPTY_DICT + _pickle.MARK)
    for attr, value in vars(module).items():
        pickler.save(attr)
        if attr in _REGISTRIES and type(value) is dict:  # children by dotted path: model.linear_relu_stack.0.weight
            pickler.write(_pickle.EMPTY_DICT + _pickle.MARK)
            for name, member in value.items():
                pickler.save(name)
                pickler.save(member, f"{where}.{name}")
            pickler.write(_pickle.SETITEMS)
        else:
            pickler.save(value, f"{where}.{attr}")
    pickler.write(_pickle.SETITEMS + _pickle.BUILD)


def _lookup(module_name, qualname):
    module = sys.modules.get(module_name)
    if module is None:
        return None
    obj = module
    for part in qualname.split("."):
        obj = getattr(obj, part, None)
    return obj


# ---- load ----------------------------------------------------------------------------------------------------------
def refusal(full, name):
    """torch's words for a global a weights-only load does not allow."""
    if full.startswith("builtins."):
        full = full[len("builtins."):]
    return SerializationError(
        f"minigrad.load: Weights only load failed for {name}. This file can still be loaded, to do so you have two "
        f"options, do those steps only if you trust the source of the checkpoint.\n\t(1) {_UNSAFE}\n\t(2) Or save "
        "only the state_dict, which loads with weights_only=True.\n\tWeightsUnpickler error: Unsupported global: "
        f"GLOBAL {full} was not an allowed global by default.")


def resolve_class(module_name, qualname, name, weights_only):
    """A GLOBAL the torch table does not answer: with weights_only=False, an nn.Module subclass, else refused."""
    full = f"{module_name}.{qualname}"
    if weights_only:
        raise refusal(full, name)
    never = (f"minigrad.load: {name} names the global {full}, which minigrad.load never calls or creates: even "
             "with weights_only=False it imports only nn.Module subclasses")
    if module_name == "torch" or module_name.startswith("torch.") or "<" in qualname or "__" in qualname:
        raise SerializationError(never + (" of minigrad (a torch model file needs torch; load its state_dict "
                                          "instead)" if module_name.startswith("torch") else ""))
    if module_name not in sys.modules:
        try:
            importlib.import_module(module_name)
        except Exception as e:  # noqa: BLE001 - whatever the import raised, the file cannot be loaded here
            raise SerializationError(f"minigrad.load: {name} holds a model of class {full}, but its module cannot "
                                     f"be imported ({type(e).__name__}: {e})") from None
    cls = _lookup(module_name, qualname)
    if not (isinstance(cls, type) and issubclass(cls, _nn().Module)):
        raise SerializationError(never + "; this is not one (a file that names it may be trying to run code)")
    return Global(full, new=lambda: _new(cls))


def _new(cls):
    module = object.__new__(cls)
    _nn().Module.__init__(module)  # the base registries only: the class's own __init__ never runs
    return module


def restore(module, state, name):
    """BUILD on a module: check the saved attributes, then set them."""
    nn = _nn()
    where = f"a {type(module).__name__} module"

    def bad(why):
        return SerializationError(f"minigrad.load: {name} is corrupt: {where}'s {why}")

    if type(state) is not dict or not all(type(k) is str and not k.startswith("__") for k in state):
        raise bad("attributes are not a dict of names")
    kinds = {"Parameter": nn.Parameter, "Tensor": _tensor_type(), "Module": nn.Module}
    for registry, kind in _REGISTRIES.items():
        members = state.get(registry, {})
        if type(members) is not dict or not all(type(k) is str and (v is None or isinstance(v, kinds[kind]))
                                                 for k, v in members.items()):
            raise bad(f"{registry} should map names to {kind}s (or None)")
    if type(state.get("training", True)) is not bool:
        raise bad("'training' is not a bool")
    hidden = state.get("_non_persistent_buffers_set", set())
    if type(hidden) is not set or not all(type(k) is str for k in hidden):
        raise bad("'_non_persistent_buffers_set' is not a set of names")
    module.__dict__.update(state)


def _tensor_type():
    from ..tensor import Tensor

    return Tensor
