"""The Optimizer base: parameter groups, per-parameter state, zero_grad, and state_dict / load_state_dict.

Subclasses (SGD, Adam, ...) only write `step`, marked `@no_grad()` as torch's are. The update itself works on the
raw NumPy arrays (`p.data`, `p.grad.data`) in place: no graph is recorded, and every update keeps the parameter's
dtype (float32 stays float32).
"""
import copy
import warnings
from collections import defaultdict
from itertools import chain

import numpy as np

from ..autograd import grad_mode
from ..tensor import Tensor

__all__ = ["Optimizer", "required"]


class _RequiredParameter:
    """The default of an option every param group must give (no subclass here needs it; kept for torch's API)."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


def _typename(obj):
    """torch.typename: 'torch.FloatTensor' for a tensor, the qualified class name otherwise."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(type(obj), "__module__", "") or ""
    name = type(obj).__qualname__
    return name if module in ("", "builtins") else f"{module}.{name}"


def _scalar(x):
    """A hyper-parameter as a Python float (a 1-element tensor lr is allowed, as in torch). Python floats meet
    float32 arrays as float32 under NumPy 2's promotion, so no float64 leaks into a float32 update."""
    return float(x.item()) if isinstance(x, Tensor) else float(x)


class Optimizer:
    def __init__(self, params, defaults):
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            "but got " + _typename(params))
        self.state = defaultdict(dict)  # param -> {"step": ..., "exp_avg": ...}; filled by the first step
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def __repr__(self):
        text = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):  # groups after the first are set off by a blank line
            text += f"\nParameter Group {i}\n"
            text += "".join(f"    {key}: {group[key]}\n" for key in sorted(group) if key != "params")
        return text + ")"

    # ---- groups ------------------------------------------------------------------------------------------------
    def add_param_group(self, param_group):
        """Add a dict {"params": tensors, option: value, ...}; options it leaves out take the defaults."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering of "
                            "tensors in sets will change between runs. Please use a list instead.")
        else:
            param_group["params"] = list(params)

        tensors, names = [], []  # named_parameters() gives (name, param) pairs
        for param in param_group["params"]:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")
            param_group["param_names"] = names

        for param in param_group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is " + _typename(param))
            if not (param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            param_group.setdefault(name, default)

        params = param_group["params"]
        if len(params) != len(set(params)):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, this will "
                          "cause an error; see github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)

        param_set = set()
        for group in self.param_groups:
            param_set.update(group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        if not param_set.isdisjoint(param_group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none=True):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if p.grad.grad_fn is not None:
                        p.grad.detach_()
                    else:
                        p.grad.requires_grad_(False)
                    p.grad.zero_()

    def step(self, closure=None):
        raise NotImplementedError

    def _closure_loss(self, closure):
        """The loss a closure re-evaluates, with grad mode on (step itself runs under no_grad)."""
        if closure is None:
            return None
        with grad_mode.enable_grad():
            return closure()

    # ---- state_dict ------------------------------------------------------------------------------------------
    def state_dict(self):
        """{"state": {index: {...}}, "param_groups": [{options..., "params": [index, ...]}]}: parameters are replaced
        by their position across all groups, so the dict holds no reference to the model. State tensors are the live
        ones (as in torch); minigrad.save copies them out."""
        index = {}
        start = 0
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                index.setdefault(id(p), i)
            packed["params"] = [index[id(p)] for p in group["params"]]
            start += len(packed["params"])
            groups.append(packed)
        state = {(index[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore options and state from `state_dict()`'s dict, matching parameters by position. State tensors are
        copied (cast to their parameter's floating dtype), so later steps never write into the given dict."""
        groups = self.param_groups
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                             "optimizer's group")
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))

        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = _cast(param, v)
            else:
                state[k] = v

        for group, new_group in zip(groups, saved_groups):
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
        self.state = state
        self.param_groups = saved_groups
        for group in self.param_groups:
            self._fill_group_defaults(group)

    # For the families that declare them: the options an older state dict may lack, with their defaults, and the
    # per-parameter state made on a parameter's first step: (name, a number for a 0-dim float32 tensor such as
    # `step`, or None for zeros like the parameter)
    FLAGS = ()
    STATE = ()

    def _fill_group_defaults(self, group):
        """Options an older state dict may lack (torch's __setstate__ fills the same ones), and its plain-number
        steps made tensors."""
        for key, value in self.FLAGS:
            group.setdefault(key, value)
        counters = [name for name, init in self.STATE if init is not None]
        if counters:
            _tensor_steps(self, group, *counters)

    def _state(self, p):
        """p's state, made as STATE says on its first step."""
        state = self.state[p]
        if len(state) == 0:
            for name, init in self.STATE:
                state[name] = _zeros_state(p) if init is None else _scalar_state(init)
        return state

    def _stepping(self, group):
        """(p, state, step, g) for each parameter of the group with a gradient: its state, its step counted (the
        new count), and its gradient, negated when the group maximizes; the loop head every update shares."""
        for p in group["params"]:
            if p.grad is None:
                continue
            state = self._state(p)
            step_t = state["step"].data
            step_t += 1
            yield p, state, float(step_t), (-p.grad.data if group["maximize"] else p.grad.data)


def _cast(param, value, key=None):
    """A copy of one parameter's state: tensors follow the parameter's floating dtype, except the step count."""
    if isinstance(value, Tensor):
        data = value.data
        if key != "step" and param.data.dtype.kind == "f" and data.dtype != param.data.dtype:
            return Tensor._make(data.astype(param.data.dtype), None)
        return Tensor._make(np.array(data, copy=True), None)
    if isinstance(value, dict):
        return {k: _cast(param, v, key=k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast(param, v) for v in value)
    return value


def _bump_version(p):
    """An update in place: graphs that saved p's old value must refuse to backward, as torch's do."""
    p._vc[0] += 1


# ---- small pieces the optimizer families share ----------------------------------------------------------------
def _zeros_state(p):
    """A state buffer shaped and typed like the parameter."""
    return Tensor._make(np.zeros_like(p.data), None)


def _scalar_state(value=0.0):
    """A 0-dim float32 tensor: torch counts `step` (and ASGD's eta and mu, NAdam's mu_product) in one."""
    return Tensor._make(np.array(value, np.float32), None)


def _check_options(**options):
    """torch's constructor checks: each named hyper-parameter must be >= 0 ("Invalid learning rate: -1.0")."""
    labels = dict(lr="learning rate", eps="epsilon value", weight_decay="weight_decay value",
                  momentum="momentum value", alpha="alpha value", lr_decay="lr_decay value",
                  initial_accumulator_value="initial_accumulator_value value", rho="rho value",
                  momentum_decay="momentum_decay value")
    for name, value in options.items():
        if isinstance(value, Tensor) and value.numel() != 1:
            raise ValueError(f"Tensor {name} must be 1-element")
        if not 0.0 <= value:
            raise ValueError(f"Invalid {labels[name]}: {value}")


def _check_betas(betas):
    for i, beta in enumerate(betas):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {beta}")


def _no_variants(differentiable=False, capturable=False, fused=None):
    if differentiable or capturable or fused:
        raise NotImplementedError("minigrad has one NumPy update path: differentiable, capturable and fused "
                                  "(torch's autograd, CUDA-graph and fused-kernel variants) are not supported")


def _tensor_steps(optimizer, group, *keys):
    """An old state dict's plain-number step (and the like) becomes a float32 0-dim tensor, as torch's
    __setstate__ does."""
    for p in group["params"]:
        st = optimizer.state.get(p)
        for key in keys:
            if st and key in st and not isinstance(st[key], Tensor):
                st[key] = _scalar_state(float(st[key]))
