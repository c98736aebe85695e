"""Conv1d and Conv2d: the weight (out_channels, in_channels/groups, *kernel_size) and bias, initialised as torch
does, and a forward that is F.conv1d / F.conv2d (after F.pad for the non-zero padding modes)."""
import math

from .. import creation
from ..ops import conv as _conv
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter

_MODES = {"zeros", "reflect", "replicate", "circular"}  # sets, printed in the messages as torch prints its own
_PADDINGS = {"same", "valid"}


def _ntuple(v, n):
    return (v,) * n if isinstance(v, int) else tuple(v)


class _ConvNd(Module):
    dims = None

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__()
        n = self.dims
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of {_PADDINGS}")
            if padding == "same" and any(s != 1 for s in _ntuple(stride, n)):
                raise ValueError("padding='same' is not supported for strided convolutions")
        if padding_mode not in _MODES:
            raise ValueError(f"padding_mode must be one of {_MODES}, but got padding_mode={padding_mode!r}")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _ntuple(kernel_size, n)
        self.stride = _ntuple(stride, n)
        self.padding = padding if isinstance(padding, str) else _ntuple(padding, n)
        self.dilation = _ntuple(dilation, n)
        self.transposed = False
        self.output_padding = (0,) * n
        self.groups = groups
        self.padding_mode = padding_mode
        self.weight = Parameter(creation.empty((out_channels, in_channels // groups, *self.kernel_size),
                                               device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(creation.empty(out_channels, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """torch's: kaiming_uniform_(a=√5), i.e. U(±1/√fan_in), and the bias U(±1/√fan_in)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def _conv_forward(self, input, weight, bias):
        if self.padding_mode != "zeros":
            return _conv.conv_padded(input, weight, bias, self.stride, self.padding, self.dilation, self.groups,
                                     self.padding_mode, self.dims)
        fn = F.conv2d if self.dims == 2 else F.conv1d
        return fn(input, weight, bias, self.stride, self.padding, self.dilation, self.groups)

    def forward(self, input):
        return self._conv_forward(input, self.weight, self.bias)

    def extra_repr(self):
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * len(self.kernel_size):
            s += f", padding={self.padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv1d(_ConvNd):
    """1-D convolution over (N, C_in, L) -> (N, C_out, L_out)."""

    dims = 1


class Conv2d(_ConvNd):
    """2-D convolution over (N, C_in, H, W) -> (N, C_out, H_out, W_out)."""

    dims = 2


class _ConvTransposeNd(_ConvNd):
    """The weight is (in_channels, out_channels/groups, *kernel_size), as torch's; its fan_in (dim 1 · kernel) sets
    the init bounds; the forward is F.conv_transpose{1,2}d (zero padding only, as in torch)."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None):
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, device, dtype)
        self.transposed = True
        self.output_padding = _ntuple(output_padding, self.dims)
        self.weight = Parameter(creation.empty((in_channels, out_channels // groups, *self.kernel_size),
                                               device=device, dtype=dtype))
        self.reset_parameters()

    def _output_padding(self, input, output_size):
        """torch's: the output_padding that makes the output output_size (its last dims), within one stride."""
        if output_size is None:
            return self.output_padding
        size = list(output_size)[-self.dims:]
        if len(list(output_size)) not in (self.dims, input.ndim):
            raise ValueError(f"ConvTranspose{self.dims}D: for {input.ndim}D input, output_size must have "
                             f"{self.dims} or {input.ndim} elements (got {len(list(output_size))})")
        pads = []
        for d in range(self.dims):
            low = ((input.shape[input.ndim - self.dims + d] - 1) * self.stride[d] - 2 * self.padding[d]
                   + self.dilation[d] * (self.kernel_size[d] - 1) + 1)
            if not low <= size[d] < low + self.stride[d]:
                raise ValueError(f"requested an output size of {size}, but valid sizes range from {low} to "
                                 f"{low + self.stride[d] - 1} (for an input of {list(input.shape[-self.dims:])})")
            pads.append(size[d] - low)
        return tuple(pads)

    def forward(self, input, output_size=None):
        fn = F.conv_transpose2d if self.dims == 2 else F.conv_transpose1d
        return fn(input, self.weight, self.bias, self.stride, self.padding, self._output_padding(input, output_size),
                  self.groups, self.dilation)


class ConvTranspose1d(_ConvTransposeNd):
    """1-D transposed convolution over (N, C_in, L) -> (N, C_out, L_out)."""

    dims = 1


class ConvTranspose2d(_ConvTransposeNd):
    """2-D transposed convolution over (N, C_in, H, W) -> (N, C_out, H_out, W_out)."""

    dims = 2
