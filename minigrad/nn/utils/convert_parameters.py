"""A model's parameters as one flat vector and back (torch.nn.utils.convert_parameters)."""
from ... import ops
from ...tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters):
    """All parameters flattened and concatenated, in order: (sum of numels,). It is differentiable, as torch's."""
    return ops.cat([param.reshape(-1) for param in parameters])


def vector_to_parameters(vec, parameters):
    """Each parameter's `.data` becomes its slice of vec, reshaped (a view into vec's memory, as in torch)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {_typename(vec)}")
    pointer = 0
    for param in parameters:
        n = param.numel()
        param.data = vec.data[pointer:pointer + n].reshape(param.data.shape)
        pointer += n


def _typename(obj):
    module = type(obj).__module__
    return type(obj).__qualname__ if module == "builtins" else f"{module}.{type(obj).__qualname__}"
