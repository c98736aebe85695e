"""conv_transpose1d / conv_transpose2d: the adjoint of a convolution, i.e. conv2d's input gradient.

conv_transpose(x, w) with torch's weight layout (C_in, C_out/groups, kh, kw) is ConvTranspose(x, w) of ops.conv
with the roles renamed: x plays the convolution's output gradient (its channels are w's dim 0), the result plays
the convolution's input. Along each dim the windows of x's H positions cover L = (H-1)·s + d·(k-1) + 1 positions;
torch's output is those from p on, H_out = L - 2p + output_padding of them. ConvTranspose is asked for the part that
lies inside L, with padding (p, b), b = max(p - output_padding, 0) cut from the end, so that a convolution of that
part with padding (p, b) spans L exactly and has output H again: its backward (a Convolution and a ConvWeight) is then
the exact gradient, to every order. Whatever output_padding reaches past L (output_padding > p; it may be as large
as the stride or more when the dilation allows it) no window touches: zeros, added by F.pad. The bias is added as a
Tensor op.
"""
from .._dtype import scalar_type as _scalar_type
from .conv import ConvTranspose, _tuple
from .pad import pad as _pad


def _conv_transpose_nd(name, dims, input, weight, bias, stride, padding, output_padding, groups, dilation):
    x, w = input.data, weight.data
    stride, dilation = _tuple(stride, dims, "stride"), _tuple(dilation, dims, "dilation")
    padding, output_padding = _tuple(padding, dims, "padding"), _tuple(output_padding, dims, "output_padding")
    if x.ndim not in (dims + 1, dims + 2):
        raise RuntimeError(f"Expected {dims + 1}D (unbatched) or {dims + 2}D (batched) input to {name}, but got "
                           f"input of size: {list(x.shape)}")
    if w.ndim != dims + 2:
        raise RuntimeError(f"weight should have {dims + 2} dimensions, but got weight of size {list(w.shape)}")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    xs = x.shape if x.ndim == dims + 2 else (1,) + x.shape
    if xs[1] != w.shape[0] or w.shape[0] % groups:
        raise RuntimeError(f"Given transposed=1, weight of size {list(w.shape)}, expected input{list(xs)} to have "
                           f"{w.shape[0]} channels, but got {xs[1]} channels instead")
    if x.dtype != w.dtype:
        raise RuntimeError(f"expected scalar type {_scalar_type(x.dtype)} but found {_scalar_type(w.dtype)}")
    for op, s, d in zip(output_padding, stride, dilation):
        if op >= s and op >= d:
            raise RuntimeError("output padding must be smaller than either stride or dilation, but got "
                               f"output_padding_height: {output_padding[0]} output_padding_width: "
                               f"{output_padding[-1]} stride_height: {stride[0]} stride_width: {stride[-1]} "
                               f"dilation_height: {dilation[0]} dilation_width: {dilation[-1]}")
    cout = w.shape[1] * groups
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != cout):
        raise RuntimeError(f"Given transposed=1, weight of size {list(w.shape)}, expected bias to be 1-dimensional "
                           f"with {cout} elements, but got bias of size {list(bias.shape)} instead")
    out = tuple((n - 1) * s - 2 * p + d * (k - 1) + op + 1
                for n, s, p, d, k, op in zip(xs[2:], stride, padding, dilation, w.shape[2:], output_padding))
    if any(o <= 0 for o in out):
        raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, xs[2:]))}). Calculated output "
                           f"size per channel: ({' x '.join(map(str, out))}). Output size is too small")
    unbatched = x.ndim == dims + 1
    if unbatched:
        input = input.unsqueeze(0)
    pads = tuple((p, max(p - op, 0)) for p, op in zip(padding, output_padding))
    past = tuple(max(op - p, 0) for p, op in zip(padding, output_padding))  # zeros past L, per dim
    inner = tuple(o - e for o, e in zip(out, past))
    if dims == 1:
        input, weight = input.unsqueeze(2), weight.unsqueeze(2)
        stride, dilation, pads = (1,) + stride, (1,) + dilation, ((0, 0),) + pads
        inner, past = (1,) + inner, (0,) + past
    z = ConvTranspose.apply(input, weight, x_shape=(xs[0], cout) + inner, stride=stride, padding=pads,
                            dilation=dilation, groups=groups)
    if any(past):
        z = _pad(z, [0, past[1], 0, past[0]])  # (N, C, H, W): W's right end, then H's bottom
    if bias is not None:
        z = z + bias.reshape(-1, 1, 1)
    if dims == 1:
        z = z.squeeze(2)
    return z.squeeze(0) if unbatched else z


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return _conv_transpose_nd("conv_transpose2d", 2, input, weight, bias, stride, padding, output_padding, groups,
                              dilation)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return _conv_transpose_nd("conv_transpose1d", 1, input, weight, bias, stride, padding, output_padding, groups,
                              dilation)
