"""Module hooks: handles that remove them, and the graph plumbing behind `register_full_backward_hook`.

A full backward hook must see, for one call of a module, the gradients with respect to its outputs (grad_output)
and to its tensor inputs (grad_input), and may replace grad_input. Both are read off the graph itself: each output
that requires grad goes through an identity node whose pre-hook records its gradient; the inputs that require grad
go through one identity node (one `Pack` node when there are several, so that all their gradients arrive together)
whose pre-hook calls the user's hooks and lets them replace what flows on to the inputs.
"""
import warnings
from functools import partial

import numpy as np

from ..autograd import grad_mode
from ..ops.nn import BackwardHookFunction, Pack
from ..tensor import Tensor


class RemovableHandle:
    """What `register_*_hook` returns: `handle.remove()` (or leaving a `with handle:` block) unregisters the hook."""

    next_id = 0

    def __init__(self, hooks_dict, *extra_dicts):
        self.hooks_dict, self.extra_dicts = hooks_dict, extra_dicts
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1

    def remove(self):
        for d in (self.hooks_dict, *self.extra_dicts):
            d.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def add_hook(hooks, hook, prepend=False, *extra_dicts):
    handle = RemovableHandle(hooks, *extra_dicts)
    hooks[handle.id] = hook
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle


def _wrap(a):
    return None if a is None else Tensor._make(a, None)


class BackwardHook:
    """One module call's full backward hooks: `setup_input_hook(args)` before forward, `setup_output_hook(result)`
    after it; both return what the module should use instead (the same values, now passing through hook nodes)."""

    def __init__(self, module, user_hooks):
        self.module, self.user_hooks = module, user_hooks
        self.n_inputs, self.input_index = 0, []
        self.grad_outputs, self.pending = None, 0

    # ---- inputs ---------------------------------------------------------------------------------------------
    def setup_input_hook(self, args):
        self.n_inputs = len(args)
        self.input_index = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad]
        if not self.input_index:
            return args
        args = list(args)
        tensors = [args[i] for i in self.input_index]
        self._shapes = [t.data.shape for t in tensors]
        if len(tensors) == 1:
            hooked = BackwardHookFunction.apply(tensors[0])
            hooked.register_hook(self._on_input_grads)
            args[self.input_index[0]] = hooked
            return tuple(args)
        if len({t.data.dtype for t in tensors}) > 1:
            raise NotImplementedError("minigrad's full backward hooks need the tensor inputs that require grad to "
                                      "share one dtype; cast them to one dtype before calling the module")
        packed = Pack.apply(*tensors)  # (Σ numel,): every input's gradient reaches this one node together
        packed.register_hook(self._on_input_grads)
        start = 0
        for i, t in zip(self.input_index, tensors):
            n = t.data.size
            args[i] = packed[start:start + n].reshape(t.shape)
            start += n
        return tuple(args)

    def _on_input_grads(self, grad):
        g = grad.data
        if len(self.input_index) == 1:
            pieces = [g]
        else:
            ends = np.cumsum([0] + [int(np.prod(s, dtype=np.int64)) for s in self._shapes])
            pieces = [g[a:b].reshape(s) for a, b, s in zip(ends[:-1], ends[1:], self._shapes)]
        grad_input = [None] * self.n_inputs
        for i, p in zip(self.input_index, pieces):
            grad_input[i] = _wrap(p)
        grad_input = self._call_user_hooks(tuple(grad_input))
        # a hook that answers None for an input stops its gradient: zeros flow on
        new = [np.zeros(s, g.dtype) if grad_input[i] is None else grad_input[i].data
               for i, s in zip(self.input_index, self._shapes)]
        return new[0] if len(new) == 1 else np.concatenate([n.reshape(-1) for n in new])

    # ---- outputs --------------------------------------------------------------------------------------------
    def setup_output_hook(self, result):
        single = not isinstance(result, tuple)
        outs = (result,) if single else result
        index = [i for i, o in enumerate(outs) if isinstance(o, Tensor) and o.requires_grad]
        if not index:
            return result
        self.grad_outputs = [None] * len(outs)
        self.pending = len(index)
        outs = list(outs)
        for i in index:
            outs[i] = BackwardHookFunction.apply(outs[i])
            outs[i].register_hook(partial(self._on_output_grad, i))
        return outs[0] if single else tuple(outs)

    def _on_output_grad(self, i, grad):
        self.grad_outputs[i] = grad
        self.pending -= 1
        if self.pending == 0 and not self.input_index:
            # No input needs a gradient, so no input node will ever fire: call the hooks now, with grad_input all
            # None (as torch does); they may not replace anything.
            warnings.warn("Full backward hook is firing when gradients are computed with respect to module outputs "
                          "since no inputs require gradients. See https://docs.pytorch.org/docs/main/generated/"
                          "torch.nn.Module.html#torch.nn.Module.register_full_backward_hook for more details.",
                          stacklevel=2)
            self._call_user_hooks((None,) * self.n_inputs, replace=False)
        return None

    # ---- the user's hooks -----------------------------------------------------------------------------------
    def _call_user_hooks(self, grad_input, replace=True):
        grad_output = tuple(self.grad_outputs or ())
        for hook in self.user_hooks:
            res = hook(self.module, grad_input, grad_output)
            if res is None:
                continue
            if not replace:
                if not (isinstance(res, tuple) and all(r is None for r in res)):
                    raise RuntimeError("Backward hook for Modules where no input requires gradient should always "
                                       "return None or None for all gradients.")
                continue
            if not isinstance(res, tuple):
                res = (res,)
            if len(res) != len(grad_input):
                raise RuntimeError(f"Backward hook returned an invalid number of grad_input, got {len(res)}, but "
                                   f"expected {len(grad_input)}")
            grad_input = res
        return grad_input


class HooksMixin:
    """Module's hook registration, and the slow path of `Module.__call__` taken only when some hook is set."""

    def _call_with_hooks(self, args, kwargs):
        for hook_id, hook in list(self._forward_pre_hooks.items()):
            if hook_id in self._forward_pre_hooks_with_kwargs:
                res = hook(self, args, kwargs)
                if res is not None:
                    if not (isinstance(res, tuple) and len(res) == 2):
                        raise RuntimeError("forward pre-hook must return None or a tuple of (new_args, new_kwargs), "
                                           f"but got {res}.")
                    args, kwargs = res
            else:
                res = hook(self, args)
                if res is not None:
                    args = res if isinstance(res, tuple) else (res,)
        backward_hook = None
        if self._backward_hooks and grad_mode._enabled:
            backward_hook = BackwardHook(self, list(self._backward_hooks.values()))
            args = backward_hook.setup_input_hook(args)
        result = self.forward(*args, **kwargs)
        for hook_id, hook in list(self._forward_hooks.items()):
            if hook_id in self._forward_hooks_with_kwargs:
                res = hook(self, args, kwargs, result)
            else:
                res = hook(self, args, result)
            if res is not None:
                result = res
        if backward_hook is not None:
            result = backward_hook.setup_output_hook(result)
        return result

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """`hook(module, args)` -> None or new args (`hook(module, args, kwargs)` -> None or (args, kwargs))."""
        handle = add_hook(self._forward_pre_hooks, hook, prepend, self._forward_pre_hooks_with_kwargs)
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs[handle.id] = True
        return handle

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False):
        """`hook(module, args, output)` -> None or a new output; with_kwargs: `hook(module, args, kwargs, output)`."""
        handle = add_hook(self._forward_hooks, hook, prepend, self._forward_hooks_with_kwargs)
        if with_kwargs:
            self._forward_hooks_with_kwargs[handle.id] = True
        return handle

    def register_full_backward_hook(self, hook, prepend=False):
        """`hook(module, grad_input, grad_output)` -> None or a new grad_input, called during backward once the
        gradients with respect to this call's tensor inputs are known. Both are tuples (None where no gradient)."""
        return add_hook(self._backward_hooks, hook, prepend)
