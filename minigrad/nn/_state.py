"""state_dict and load_state_dict: a module's parameters and persistent buffers by dotted name, and back.

Keys come in torch's order: a module's own parameters, then its persistent buffers, then each child's, depth first
(`linear_relu_stack.0.weight`, `linear_relu_stack.0.bias`, `linear_relu_stack.2.weight`, ...). Loading copies into
the existing tensors in place, and reports problems with torch's words.
"""
from collections import OrderedDict, namedtuple
from collections.abc import Mapping

from ..autograd import grad_mode
from ..tensor import Tensor


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What load_state_dict returns: the keys the module wanted but did not get, and those it did not expect."""

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


class StateDictMixin:
    def _own_state(self):
        """This module's own entries, unprefixed: parameters, then persistent buffers, skipping None."""
        for name, param in self._parameters.items():
            if param is not None:
                yield name, param
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers_set:
                yield name, buf

    def state_dict(self, *, destination=None, prefix="", keep_vars=False):
        """An OrderedDict of name -> tensor. The tensors are detached but share their arrays with the module (as
        torch's share storage): copy them to keep a snapshot that later training does not change."""
        if destination is None:
            destination = OrderedDict()
        for name, value in self._own_state():
            destination[prefix + name] = value if keep_vars else value.detach()
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=prefix + name + ".", keep_vars=keep_vars)
        return destination

    def _load_own_state(self, state_dict, prefix, assign, missing_keys, unexpected_keys, error_msgs):
        local = dict(self._own_state())
        for name, param in local.items():
            key = prefix + name
            if key not in state_dict:
                missing_keys.append(key)
                continue
            value = state_dict[key]
            if not isinstance(value, Tensor):
                error_msgs.append(f'While copying the parameter named "{key}", expected torch.Tensor or Tensor-like '
                                  f"object from checkpoint but received {type(value)}")
                continue
            if param.ndim == 0 and value.ndim == 1:  # torch reads a 1-element vector into a scalar, for old files
                value = value[0]
            if value.shape != param.shape:
                error_msgs.append(f"size mismatch for {key}: copying a param with shape {value.shape} from "
                                  f"checkpoint, the shape in current model is {param.shape}.")
                continue
            try:
                if assign:
                    self._assign(name, param, value)
                else:
                    with grad_mode.no_grad():
                        param.copy_(value)
            except Exception as ex:  # noqa: BLE001 - reported in torch's words, with the others
                error_msgs.append(f'While copying the parameter named "{key}", whose dimensions in the model are '
                                  f"{param.size()} and whose dimensions in the checkpoint are {value.size()}, an "
                                  f"exception occurred : {ex.args}.")
        for key in state_dict:
            if not key.startswith(prefix):
                continue
            head, *rest = key[len(prefix):].split(".", 1)
            if (rest and head not in self._modules) or (not rest and head not in local):
                unexpected_keys.append(key)

    def _assign(self, name, param, value):
        """load_state_dict(assign=True): the module takes the checkpoint's tensor itself instead of a copy."""
        from .parameter import Parameter

        if name in self._parameters:
            self._parameters[name] = Parameter(value.detach(), requires_grad=param.requires_grad)
        else:
            self._buffers[name] = value

    def load_state_dict(self, state_dict, strict=True, assign=False):
        """Copy `state_dict`'s tensors into this module's parameters and buffers (in place, under no_grad).

        With strict=True, missing and unexpected keys are errors; size mismatches always are. All problems are
        collected and raised together as one RuntimeError. Returns (missing_keys, unexpected_keys)."""
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing_keys, unexpected_keys, error_msgs = [], [], []
        state_dict = OrderedDict(state_dict)

        def load(module, local_state, prefix=""):
            module._load_own_state(local_state, prefix, assign, missing_keys, unexpected_keys, error_msgs)
            for name, child in module._modules.items():
                if child is not None:
                    child_prefix = prefix + name + "."
                    load(child, {k: v for k, v in local_state.items() if k.startswith(child_prefix)}, child_prefix)

        load(self, state_dict)
        if strict:
            if unexpected_keys:
                error_msgs.insert(0, "Unexpected key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in unexpected_keys)))
            if missing_keys:
                error_msgs.insert(0, "Missing key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in missing_keys)))
        if error_msgs:
            raise RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(
                type(self).__name__, "\n\t".join(error_msgs)))
        return _IncompatibleKeys(missing_keys, unexpected_keys)
