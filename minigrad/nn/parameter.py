"""Parameter: a Tensor that a Module registers when it is assigned as an attribute, and that requires grad."""
import numpy as np

from ..tensor import Tensor


class Parameter(Tensor):
    """`nn.Parameter(data, requires_grad=True)`: shares `data`'s array (no copy), as torch shares storage."""

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = Tensor._make(np.empty(0, np.float32), None)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter expects a Tensor as data, but got {type(data).__name__}")
        self = object.__new__(cls)
        Tensor._init(self, data.data, None)
        self._vc = data._vc  # the same storage: in-place changes through either are seen by autograd's checks
        self.requires_grad = requires_grad
        return self

    def __init__(self, data=None, requires_grad=True):  # everything happened in __new__
        pass

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = Parameter(Tensor._make(self.data.copy(), None), self.requires_grad)
        if self.grad is not None:
            result.grad = Tensor._make(self.grad.data.copy(), None)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol):
        return Parameter, (Tensor._make(self.data, None), self.requires_grad)
