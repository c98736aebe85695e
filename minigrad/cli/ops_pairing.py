"""How `minigrad compare --ops` pairs torch's backward graph with minigrad's: from the loss down, edge by edge
(`next_functions`), node names checked.

Where one library records an op as one node and the other as several (GROUPS), the several nodes are found by growing
from the op's top through nodes of the listed names until every edge out of the single node is met: by its node's name
and output shape, a parameter's leaf by the parameter's name. That boundary is where the op is compared: its output,
the gradient into its top, the gradients leaving it. Nothing else is model-specific: a new fused or composed op is one
more GROUPS line.
"""
from typing import NamedTuple

# One op that one library records as one node and the other as several: (torch's node names, minigrad's node names),
# one side a single name. The op's top has one of these names on each side.
GROUPS = [
    (("NllLossBackward0", "LogSoftmaxBackward0"), ("CrossEntropyLossBackward0",)),  # minigrad fuses cross-entropy
]


def node_name(node):
    return node.name().replace("torch::autograd::", "")


def children(node):
    return [c for c, _ in node.next_functions]


class Op(NamedTuple):
    """One op as the two libraries recorded it: torch's nodes and minigrad's, the top first (minigrad's empty where
    its graph has no such op), and the edges out of it as [(torch's child, minigrad's child)]."""
    torch: tuple
    minigrad: tuple
    exits: tuple


def _key(node, leaves):
    """What names the node an edge leads into, the same in both libraries: its name and output shape; a leaf's
    AccumulateGrad by its parameter's name (`leaves`: {id(parameter): name}), else by the shape."""
    if hasattr(node, "variable"):
        return "AccumulateGrad", leaves.get(id(node.variable), tuple(node.variable.shape))
    meta = getattr(node, "out_meta", None)  # minigrad's node keeps its output's (shape, dtype)
    return node_name(node), tuple(meta[0] if meta is not None else node._input_metadata[0].shape)


def pair_graphs(t_root, m_root, leaves=None):
    """[Op] for every torch node, paired from the roots down by edges; where the graphs part, torch's nodes below
    come as Ops with no minigrad nodes."""
    ops, seen, stack = [], set(), [(t_root, m_root)]
    while stack:
        t, m = stack.pop()
        if t is None or t in seen:
            continue
        op = _match(t, m, lambda n: _key(n, leaves or {}))
        if op is None:  # the graphs part here
            op = Op((t,), (), tuple((c, None) for c in children(t)))
        seen.update(op.torch)
        ops.append(op)
        stack.extend(reversed(op.exits))
    return ops


def _match(t, m, key):
    """The Op whose top is torch's `t`, in the place of minigrad's `m`, or None when they are not the same op."""
    if m is None:
        return None
    if node_name(t) == node_name(m):  # one node each: their edges pair in order
        t_children, m_children = children(t), children(m)
        if len(t_children) != len(m_children):
            m_children = [None] * len(t_children)
        return Op((t,), (m,), tuple(zip(t_children, m_children)))
    for t_names, m_names in GROUPS:
        if node_name(t) not in t_names or node_name(m) not in m_names:
            continue
        one, many, names = (t, m, m_names) if len(t_names) == 1 else (m, t, t_names)
        ends = list(dict.fromkeys(c for c in children(one) if c is not None))  # each child once
        grown = _grow(many, names, [(key(c), c) for c in ends], key)
        if grown is None or len(grown[1]) != len(ends):
            return None
        inside, found = grown  # found: {one's child: the node of many's library it is}
        if one is t:
            return Op((t,), tuple(inside), tuple((c, found[c]) for c in ends))
        return Op(tuple(inside), (m,), tuple((found[c], c) for c in ends))
    return None


def _grow(top, names, ends, key):
    """The several nodes of one op: from `top` down through nodes named in `names`, stopping at those that are the
    other library's edges out of the op (`ends`: [(key, its node)]). (nodes, {end: node met}); None when the growth
    meets any other node."""
    inside, found, stack = [top], {}, [top]
    while stack:
        for child in children(stack.pop()):
            if child is None or child in inside or child in found.values():
                continue
            k = key(child)
            end = next((e for ek, e in ends if ek == k and e not in found), None)
            if end is not None:
                found[end] = child
            elif node_name(child) in names:
                inside.append(child)
                stack.append(child)
            else:
                return None
    return inside, found
