"""torch.func's transforms (grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian) on top of reverse-mode autograd.

A transform takes a function and returns a function; it never touches `.grad`, and works on inputs that do not
require grad. Each call differentiates with respect to fresh copies of the chosen arguments (a view of the argument
when it is already in a graph, else a detached new leaf) and returns plain tensors. Transforms nest -
`grad(grad(f))`, `jacrev(jacrev(f))`, `jacfwd(jacrev(f))` - because inside another transform (or when an argument
already requires grad) every `autograd.grad` here runs with create_graph=True, so what an inner transform returns is
itself differentiable by the outer one.

There is no forward-mode AD in minigrad: jvp and jacfwd use the double-vjp trick. For a zero cotangent u that
requires grad, g(u) = J^T u is recorded with create_graph=True; g is linear in u, so the vjp of g against a tangent t,
taken with respect to u, is J t. Arguments may be pytrees of tuples, lists and dicts, as in torch.func.
"""
from .autograd import enable_grad, grad as _autograd_grad, is_grad_enabled
from .autograd.functional import _one_hot, _stack_to
from .tensor import Tensor

_depth = 0  # transforms running now: inside one, results must stay differentiable for the one outside


# ---- pytrees: tuples, lists and dicts of tensors -------------------------------------------------------------------
class _Spec:
    """The structure of a pytree: a leaf (`kind` None) or a tuple/list/dict of child structures."""

    def __init__(self, kind=None, keys=None, children=()):
        self.kind, self.keys, self.children = kind, keys, list(children)

    def __eq__(self, other):
        return (isinstance(other, _Spec) and self.kind is other.kind and self.keys == other.keys
                and self.children == other.children)

    def __str__(self):  # the way torch's vjp prints structures: (*, [*, {'k': *}])
        if self.kind is None:
            return "*"
        if self.kind is dict:
            return "{" + ", ".join(f"{k!r}: {c}" for k, c in zip(self.keys, self.children)) + "}"
        inner = ", ".join(str(c) for c in self.children)
        return f"({inner},)" if self.kind is tuple and len(self.children) == 1 else (
            f"({inner})" if self.kind is tuple else f"[{inner}]")

    def treespec_repr(self, indent=0):  # the way torch's jvp prints them: TreeSpec(tuple, None, [*,\n  *])
        if self.kind is None:
            return "*"
        indent += 2
        parts = [c.treespec_repr(indent) for c in self.children]
        body = (",\n" + " " * indent).join(parts)
        return f"TreeSpec({self.kind.__name__}, {self.keys}, [{body}])"


def _flatten(tree):
    """(leaves, spec) of a pytree; anything that is not a tuple, list or dict is a leaf."""
    if isinstance(tree, (tuple, list)):
        leaves, children = [], []
        for item in tree:
            sub, spec = _flatten(item)
            leaves += sub
            children.append(spec)
        return leaves, _Spec(type(tree), None, children)
    if isinstance(tree, dict):
        leaves, children = [], []
        for key in tree:
            sub, spec = _flatten(tree[key])
            leaves += sub
            children.append(spec)
        return leaves, _Spec(dict, list(tree), children)
    return [tree], _Spec()


def _unflatten(leaves, spec):
    it = iter(leaves)

    def build(s):
        if s.kind is None:
            return next(it)
        items = [build(c) for c in s.children]
        return dict(zip(s.keys, items)) if s.kind is dict else s.kind(items)

    return build(spec)


# ---- shared pieces -------------------------------------------------------------------------------------------------
def _check_argnums(argnums, num_args):
    """argnums normalized to non-negative ints, checked as torch.func checks it."""
    if isinstance(argnums, int):
        items = (argnums,)
    elif isinstance(argnums, tuple):
        if not argnums:
            raise RuntimeError("argnums must be non-empty")
        for a in argnums:
            if not isinstance(a, int):
                raise RuntimeError(f"argnum must be int, got: {type(a)}")
        items = argnums
    else:
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    for a in items:
        if not -num_args <= a < num_args:
            raise RuntimeError(f"Got argnum={a}, but only {num_args} positional inputs")
    normalized = tuple(a % num_args for a in items)
    if len(set(normalized)) != len(normalized):
        raise RuntimeError(f"argnums elements must be unique, got {argnums}")
    return normalized


def _fresh(x):
    """The tensor a transform differentiates against: a view keeps an argument that requires grad in its graph."""
    if not isinstance(x, Tensor):
        raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")
    if not x.is_floating_point():
        raise RuntimeError("only Tensors of floating point dtype can require gradients")
    return x.view_as(x) if x.requires_grad else x.detach().requires_grad_(True)


def _enter(args, argnums):
    """Start a transform: (args with fresh copies at argnums, the chosen pytree of fresh copies, its leaves,
    create_graph). create_graph when nested in a transform, or when an argument is already in a graph and grad mode
    is on out here (under no_grad, as in torch, nothing the caller sees is recorded)."""
    recording = is_grad_enabled()
    args = list(args)
    wanted = []
    with enable_grad():
        for a in _check_argnums(argnums, len(args)):
            leaves, spec = _flatten(args[a])
            args[a] = _unflatten([_fresh(x) for x in leaves], spec)
            wanted.append(args[a])
    diff = wanted[0] if isinstance(argnums, int) else tuple(wanted)
    leaves, _ = _flatten(diff)
    # a fresh copy has a grad_fn exactly when it is a view of an argument that requires grad
    create_graph = _depth > 0 or (recording and any(x.grad_fn is not None for x in leaves))
    return args, diff, leaves, create_graph


def _split_aux(output, has_aux, api):
    if not has_aux:
        return output, None
    if not (isinstance(output, tuple) and len(output) == 2):
        raise RuntimeError(f"{api}: output of function f should be a tuple: (output, aux) if has_aux is True")
    return output


def _out(t, create_graph):
    """What leaves a transform: the tensor itself when the caller may differentiate it further, else detached."""
    return t if create_graph or not isinstance(t, Tensor) else t.detach()


def _leave(tree, create_graph):
    """_out on every tensor of a pytree (aux outputs, values)."""
    leaves, spec = _flatten(tree)
    return _unflatten([_out(t, create_graph) for t in leaves], spec)


def _vjp(outputs, inputs, cotangents, create_graph, retain_graph=None):
    """autograd.grad over the outputs in the graph; zeros where no gradient reaches (a constant, an integer result)."""
    from .creation import zeros_like

    pairs = [(o, c) for o, c in zip(outputs, cotangents) if o is not None and o.requires_grad]
    grads = [None] * len(inputs)
    if pairs:
        grads = _autograd_grad([o for o, _ in pairs], list(inputs), [c for _, c in pairs], allow_unused=True,
                               retain_graph=create_graph if retain_graph is None else retain_graph,
                               create_graph=create_graph)
    return [zeros_like(x) if g is None else g for g, x in zip(grads, inputs)]


def _check_outputs(leaves, api):
    for o in leaves:
        if not isinstance(o, Tensor):
            raise RuntimeError(f"{api}: expected f(*primals) to return only tensors, got unsupported type {type(o)}")


# ---- the transforms ------------------------------------------------------------------------------------------------
def grad_and_value(func, argnums=0, has_aux=False):
    """A function returning (gradient of scalar func with respect to the argnums arguments, func's value); with
    has_aux, func returns (value, aux) and the result is (gradient, (value, aux))."""

    def wrapper(*args, **kwargs):
        global _depth
        api = "grad_and_value(f)(*args)"
        args, diff, leaves, create_graph = _enter(args, argnums)
        with enable_grad():
            _depth += 1
            try:
                output, aux = _split_aux(func(*args, **kwargs), has_aux, api)
                if not isinstance(output, Tensor):
                    raise RuntimeError(f"{api}: Expected f(*args) to return a Tensor, got {type(output)}")
                if output.dim() != 0:
                    raise RuntimeError(f"{api}: Expected f(*args) to return a scalar Tensor, got tensor with "
                                       f"{output.dim()} dims. Maybe you wanted to use the vjp or jacrev APIs instead?")
                grads = _vjp([output], leaves, [None], create_graph)
            finally:
                _depth -= 1
        _, spec = _flatten(diff)
        g = _unflatten(grads, spec)
        value = _out(output, create_graph)
        return (g, (value, _leave(aux, create_graph))) if has_aux else (g, value)

    return wrapper


def grad(func, argnums=0, has_aux=False):
    """A function returning the gradient of scalar func with respect to its argnums arguments (and aux with has_aux)."""
    gv = grad_and_value(func, argnums, has_aux)

    def wrapper(*args, **kwargs):
        g, value = gv(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return wrapper


def vjp(func, *primals, has_aux=False):
    """(func(*primals), vjp_fn[, aux]): vjp_fn(cotangents) is the tuple of v^T J with respect to each primal; it may
    be called more than once."""
    global _depth
    api = "vjp(f, *primals)"
    args, diff, leaves, create_graph = _enter(primals, tuple(range(len(primals))) or 0)
    with enable_grad():
        _depth += 1
        try:
            output, aux = _split_aux(func(*args), has_aux, api)
        finally:
            _depth -= 1
    out_leaves, out_spec = _flatten(output)
    _check_outputs(out_leaves, api)
    if has_aux:
        for a in _flatten(aux)[0]:
            if not isinstance(a, Tensor):
                raise RuntimeError(f"Expected tensors, got unsupported type {type(a)}")
        aux = _leave(aux, create_graph)

    def vjp_fn(cotangents, *, retain_graph=True, create_graph=None):
        ct_leaves, ct_spec = _flatten(cotangents)
        if ct_spec != out_spec:
            raise RuntimeError("Expected pytree structure of cotangents to be the same as pytree structure of outputs "
                               f"to the function. cotangents: {ct_spec}, primal output: {out_spec}")
        if create_graph is None:
            create_graph = _depth > 0 or (is_grad_enabled() and (made_with_graph or
                                                                 any(c.requires_grad for c in ct_leaves)))
        with enable_grad():
            grads = _vjp(out_leaves, leaves, ct_leaves, create_graph, retain_graph=retain_graph)
        _, spec = _flatten(diff)
        res = _unflatten(grads, spec)
        return res if isinstance(res, tuple) else (res,)

    made_with_graph = create_graph
    value = _leave(output, create_graph)
    return (value, vjp_fn, aux) if has_aux else (value, vjp_fn)


def _jvp_columns(out_leaves, leaves, create_graph):
    """The double-vjp trick, prepared: returns column(k, tangent) = J_k tangent for each output, where J_k is the
    Jacobian with respect to leaves[k]. One recorded backward (g = J^T u), then one backward of g per tangent."""
    from .creation import zeros_like

    live = [o for o in out_leaves if o.requires_grad]
    us = [zeros_like(o, requires_grad=True) for o in live]
    gs = _autograd_grad(live, leaves, us, create_graph=True, allow_unused=True) if live else [None] * len(leaves)

    def column(k, tangent):
        g = gs[k]
        cols = [None] * len(live)
        if g is not None and g.requires_grad:
            cols = _autograd_grad([g], us, [tangent], retain_graph=True, create_graph=create_graph,
                                  allow_unused=True)
        it = iter(cols)
        return [next(it) if o.requires_grad else None for o in out_leaves]

    return column


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """(func(*primals), J tangents[, aux]), by the double-vjp trick (see the module docstring); `strict` is accepted."""
    global _depth
    api = "jvp(f, primals, tangents)"
    if not isinstance(primals, tuple):
        raise RuntimeError(f"{api}: Expected primals to be a tuple. E.g. it should be valid to call f(*primals).")
    p_leaves, p_spec = _flatten(primals)
    t_leaves, t_spec = _flatten(tangents)
    if p_spec != t_spec:
        raise RuntimeError(f"{api}: Expected primals and tangents to have the same python structure. For example, if "
                           "primals is a tuple of 3 tensors, tangents also must be. Got primals with structure "
                           f"{p_spec.treespec_repr()} and tangents with structure {t_spec.treespec_repr()}")
    if not p_leaves:
        raise RuntimeError(f"{api}: Expected primals to contain at least one Tensor.")
    for p, t in zip(p_leaves, t_leaves):
        if not isinstance(p, Tensor):
            raise RuntimeError(f"{api}: Expected primals to only contain Tensors, got {type(p)}")
        if not isinstance(t, Tensor):
            raise RuntimeError(f"{api}: Expected tangents to only contain Tensors, got {type(t)}")
        if not p.is_floating_point():
            raise ValueError(f"Expected primal to be floating point or complex, but got: {p.dtype}")
        if not t.is_floating_point():
            raise ValueError(f"Expected tangent to be floating point or complex, but got: {t.dtype}")
        if tuple(p.shape) != tuple(t.shape):
            raise RuntimeError("Trying to set a forward gradient that has a different size than that of the original "
                               f"Tensor, this is not supported. Tensor is of size {list(p.shape)} while the given "
                               f"forward gradient is of size {list(t.shape)}.")
    recording = is_grad_enabled()
    args, _, leaves, create_graph = _enter(primals, tuple(range(len(primals))))
    create_graph = create_graph or (recording and any(t.requires_grad for t in t_leaves))
    with enable_grad():
        _depth += 1
        try:
            output, aux = _split_aux(func(*args), has_aux, api)
            out_leaves, out_spec = _flatten(output)
            _check_outputs(out_leaves, api)
            column = _jvp_columns(out_leaves, leaves, create_graph)
            totals = [None] * len(out_leaves)
            for k, t in enumerate(t_leaves):  # J t = sum over primals of J_k t_k
                for i, c in enumerate(column(k, t)):
                    if c is not None:
                        totals[i] = c if totals[i] is None else totals[i] + c
        finally:
            _depth -= 1
    from .creation import zeros_like

    tangent_out = [zeros_like(o) if c is None else c for c, o in zip(totals, out_leaves)]
    value = _leave(output, create_graph)
    res = _leave(_unflatten(tangent_out, out_spec), create_graph)
    return (value, res, _leave(aux, create_graph)) if has_aux else (value, res)


def _jacobian_transform(func, argnums, has_aux, api, blocks):
    """The wrapper jacrev and jacfwd share: call func on fresh arguments, then `blocks(out_leaves, leaves,
    create_graph)` gives J[i][k] (output leaf i, input leaf k), laid out as torch.func does: the output's pytree,
    each leaf replaced by the argnums pytree (a tensor, or a tuple over argnums, each possibly a pytree itself)."""

    def wrapper(*args, **kwargs):
        global _depth
        args, diff, leaves, create_graph = _enter(args, argnums)
        with enable_grad():
            _depth += 1
            try:
                output, aux = _split_aux(func(*args, **kwargs), has_aux, api)
                out_leaves, out_spec = _flatten(output)
                _check_outputs(out_leaves, api)
                per_output = blocks(out_leaves, leaves, create_graph)
            finally:
                _depth -= 1
        _, in_spec = _flatten(diff)
        jac = _unflatten([_unflatten([_out(j, create_graph) for j in row], in_spec) for row in per_output], out_spec)
        return (jac, _leave(aux, create_graph)) if has_aux else jac

    return wrapper


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None, _preallocate_and_copy=False):
    """A function returning the Jacobian of func with respect to its argnums arguments, one vjp per output element
    against its one-hot cotangent (shape: output.shape + input.shape). `chunk_size` is accepted; rows are computed one
    at a time."""
    if not (chunk_size is None or chunk_size > 0):
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")

    def blocks(out_leaves, leaves, create_graph):
        per_output = []
        for o in out_leaves:
            if not o.is_floating_point():
                raise RuntimeError("vjp(f, ...): All outputs of f must be floating-point or complex Tensors, got "
                                   f"Tensor with dtype {o.dtype}")
            rows = [[] for _ in leaves]  # rows[k]: J_k's rows, one per element of o
            for j in range(o.numel() if o.requires_grad else 0):
                for r, g in zip(rows, _vjp([o], leaves, [_one_hot(o, j)], create_graph, retain_graph=True)):
                    r.append(g)
            per_output.append([_stack_to(r, tuple(o.shape) + tuple(x.shape), 0, x.data.dtype)
                               for r, x in zip(rows, leaves)])
        return per_output

    return _jacobian_transform(func, argnums, has_aux, "vjp(f, *primals)", blocks)


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """A function returning the Jacobian of func with respect to its argnums arguments, one jvp per input element
    against its one-hot tangent, by the double-vjp trick (see the module docstring). `randomness` is checked and
    otherwise ignored."""

    def blocks(out_leaves, leaves, create_graph):
        column = _jvp_columns(out_leaves, leaves, create_graph)
        cols = [[[] for _ in leaves] for _ in out_leaves]  # cols[i][k]: J_ik's columns
        for k, x in enumerate(leaves):
            for j in range(x.numel()):
                for i, c in enumerate(column(k, _one_hot(x, j))):
                    if c is not None:
                        cols[i][k].append(c)
        return [[_stack_to(cols[i][k], tuple(o.shape) + tuple(x.shape), -1, o.data.dtype)
                 for k, x in enumerate(leaves)] for i, o in enumerate(out_leaves)]

    jac = _jacobian_transform(func, argnums, has_aux, "jvp(f, primals, tangents)", blocks)

    def wrapper(*args, **kwargs):
        if randomness not in ("error", "different", "same"):
            raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or 'same'. Got "
                               f"{randomness}")
        return jac(*args, **kwargs)

    return wrapper


def hessian(func, argnums=0):
    """The Hessian of scalar func with respect to its argnums arguments: jacfwd(jacrev(func, argnums), argnums)."""
    return jacfwd(jacrev(func, argnums), argnums)


__all__ = ["grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian"]
