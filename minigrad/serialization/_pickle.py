"""Pickle protocol 2, the subset torch's weights-only loader speaks, read and written without Python's pickle.

The reader interprets opcodes itself, so nothing in a file is ever imported or called by name: a GLOBAL is looked
up through `resolve(module, name)`, which answers with a constant (a dtype) or a `Global` (a stand-in minigrad wrote,
for REDUCE or NEWOBJ), or refuses. Everything it allocates is bounded by the pickle's own length: strings are
sliced from it, the memo is a dict, and containers grow one opcode at a time. Tuples are depth-checked as they are
made (hashing a deeply nested tuple would exhaust the C stack) and the finished object is walked once to refuse
cycles and deep nesting. The writer emits only opcodes torch's weights-only loader accepts.
"""
import struct
from collections import Counter, OrderedDict

MAX_DEPTH = 200  # nested containers beyond this are refused: nothing torch or minigrad writes comes close

MARK, STOP, BINFLOAT, BININT, BININT1, BININT2 = b"(", b".", b"G", b"J", b"K", b"M"
NONE, BINPERSID, REDUCE, BINUNICODE, EMPTY_LIST, APPEND = b"N", b"Q", b"R", b"X", b"]", b"a"
BUILD, GLOBAL, APPENDS, BINGET, LONG_BINGET, EMPTY_DICT = b"b", b"c", b"e", b"h", b"j", b"}"
SETITEM, TUPLE, EMPTY_TUPLE, SETITEMS, BINPUT, LONG_BINPUT = b"s", b"t", b")", b"u", b"q", b"r"
SHORT_BINSTRING, PROTO, NEWOBJ, TUPLE1, TUPLE2, TUPLE3 = b"U", b"\x80", b"\x81", b"\x85", b"\x86", b"\x87"
NEWTRUE, NEWFALSE, LONG1, EMPTY_SET = b"\x88", b"\x89", b"\x8a", b"\x8f"


class Global:
    """What a GLOBAL may resolve to besides a constant: `call` runs for REDUCE, `new` for NEWOBJ (either may be
    None: then that opcode is refused for it)."""
    __slots__ = ("name", "call", "new")

    def __init__(self, name, call=None, new=None):
        self.name, self.call, self.new = name, call, new

    def __repr__(self):
        return self.name


class PickleError(Exception):
    """Raised inside the reader; the caller turns it into a SerializationError naming the file."""


class Unpickler:
    """`Unpickler(data, resolve, persistent_load, build).load()`: build(inst, state) handles BUILD."""

    def __init__(self, data, resolve, persistent_load, build, start=0):
        self.data, self.pos = memoryview(data), start  # after load(), pos is just past the STOP
        self.resolve, self.persistent_load, self.build = resolve, persistent_load, build
        self.tuple_depth = {}  # id(tuple) -> (depth, the tuple, kept alive so the id stays its own)

    def read(self, n):
        if self.pos + n > len(self.data):
            raise PickleError("the pickle ends in the middle of an instruction")
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def readline(self):
        end = bytes(self.data[self.pos:self.pos + 512]).find(b"\n")  # module and class names are short
        if end < 0:
            raise PickleError("a GLOBAL instruction has no end of line")
        line = bytes(self.data[self.pos:self.pos + end]).decode("utf-8")
        self.pos += end + 1
        return line

    def tuple(self, items):
        t = tuple(items)
        depth = 1 + max((self.tuple_depth.get(id(x), (0,))[0] for x in t if type(x) is tuple), default=0)
        if depth > MAX_DEPTH:
            raise PickleError(f"tuples are nested more than {MAX_DEPTH} deep")
        self.tuple_depth[id(t)] = (depth, t)
        return t

    def load(self):
        stack, marks, memo = [], [], {}
        read = self.read
        while True:
            op = bytes(read(1))
            if op == PROTO:
                if read(1)[0] > 5:
                    raise PickleError("unknown pickle protocol")
            elif op == STOP:
                if len(stack) != 1 or marks:
                    raise PickleError("the pickle stops with a malformed stack")
                result = stack.pop()
                check_nesting(result)
                return result
            elif op == GLOBAL:
                module = self.readline()
                stack.append(self.resolve(module, self.readline()))
            elif op == REDUCE:
                args = stack.pop()
                func = stack[-1]
                if not isinstance(func, Global) or func.call is None or type(args) is not tuple:
                    raise PickleError(f"REDUCE on {_what(func)}, which cannot be called")
                stack[-1] = func.call(*args)
            elif op == NEWOBJ:
                args = stack.pop()
                cls = stack.pop()
                if not isinstance(cls, Global) or cls.new is None or type(args) is not tuple:
                    raise PickleError(f"NEWOBJ on {_what(cls)}, which cannot create objects")
                stack.append(cls.new(*args))
            elif op == BUILD:
                state = stack.pop()
                self.build(stack[-1], state)
            elif op == BINPERSID:
                stack.append(self.persistent_load(stack.pop()))
            elif op == MARK:
                marks.append(stack)
                stack = []
            elif op in (TUPLE, APPENDS, SETITEMS):
                items, stack = stack, marks.pop()
                if op == TUPLE:
                    stack.append(self.tuple(items))
                elif op == APPENDS:
                    _target(stack, list, "APPENDS").extend(items)
                else:
                    if len(items) % 2:
                        raise PickleError("SETITEMS with a key and no value")
                    target = _target(stack, dict, "SETITEMS")
                    for i in range(0, len(items), 2):
                        target[items[i]] = items[i + 1]
            elif op in (TUPLE1, TUPLE2, TUPLE3):
                n = op[0] - TUPLE1[0] + 1
                if len(stack) < n:
                    raise PickleError("a TUPLE instruction finds too few items")
                stack[-n:] = [self.tuple(stack[-n:])]
            elif op == APPEND:
                item = stack.pop()
                _target(stack, list, "APPEND").append(item)
            elif op == SETITEM:
                value, key = stack.pop(), stack.pop()
                _target(stack, dict, "SETITEM")[key] = value
            elif op in _CONSTANTS:
                stack.append(_CONSTANTS[op]())
            elif op == BININT:
                stack.append(struct.unpack("<i", read(4))[0])
            elif op == BININT1:
                stack.append(read(1)[0])
            elif op == BININT2:
                stack.append(struct.unpack("<H", read(2))[0])
            elif op == LONG1:
                stack.append(int.from_bytes(read(read(1)[0]), "little", signed=True))
            elif op == BINFLOAT:
                stack.append(struct.unpack(">d", read(8))[0])
            elif op == BINUNICODE:
                n = struct.unpack("<I", read(4))[0]
                stack.append(str(read(n), "utf-8", "surrogatepass"))
            elif op == SHORT_BINSTRING:
                stack.append(str(read(read(1)[0]), "utf-8"))
            elif op in (BINGET, LONG_BINGET):
                i = read(1)[0] if op == BINGET else struct.unpack("<I", read(4))[0]
                if i not in memo:
                    raise PickleError(f"memo entry {i} is read before it is written")
                stack.append(memo[i])
            elif op in (BINPUT, LONG_BINPUT):
                i = read(1)[0] if op == BINPUT else struct.unpack("<I", read(4))[0]
                memo[i] = stack[-1]
            else:
                raise PickleError(f"unsupported pickle opcode {op!r} at byte {self.pos - 1} (torch's weights-only "
                                  "loader does not accept it either)")


_CONSTANTS = {NONE: lambda: None, NEWTRUE: lambda: True, NEWFALSE: lambda: False, EMPTY_TUPLE: tuple,
              EMPTY_LIST: list, EMPTY_DICT: dict, EMPTY_SET: set}


def _what(obj):
    return repr(obj) if isinstance(obj, Global) else f"a {type(obj).__name__}"


def _target(stack, kind, op):
    target = stack[-1]
    if type(target) not in ((list,) if kind is list else (dict, OrderedDict, Counter)):
        raise PickleError(f"{op} on a {type(target).__name__}")
    return target


def children(obj):
    """The objects a container holds (a module's: its attributes), for walks over a loaded tree."""
    if isinstance(obj, dict):
        return [*obj.keys(), *obj.values()]
    if isinstance(obj, (list, tuple, set, frozenset)):
        return list(obj)
    attrs = getattr(obj, "__dict__", None)  # a rebuilt module's attributes (a tensor's hold no containers)
    return list(attrs.values()) if isinstance(attrs, dict) else []


def check_nesting(root):
    """Refuse a loaded tree that refers to itself or nests deeper than MAX_DEPTH (iteratively: no recursion)."""
    done, on_path, stack = set(), set(), [(root, 0, False)]
    while stack:
        obj, depth, leaving = stack.pop()
        if leaving:
            on_path.discard(id(obj))
            done.add(id(obj))
            continue
        kids = children(obj)
        if not kids or id(obj) in done:
            continue
        if id(obj) in on_path:
            raise PickleError("the object refers to itself (a cycle); minigrad loads only trees of data")
        if depth >= MAX_DEPTH:
            raise PickleError(f"containers are nested more than {MAX_DEPTH} deep")
        on_path.add(id(obj))
        stack.append((obj, depth, True))
        stack.extend((kid, depth + 1, False) for kid in kids)


class Pickler:
    """Writes protocol 2. `save_other(obj, where)` (for subclasses) handles what is not a plain container or
    scalar; `where` names the object in errors ("the object['model'][1]")."""

    def __init__(self):
        self.out = [PROTO + b"\x02"]
        self._open = set()  # ids of containers being written: a cycle would recurse forever
        self._memo = {}  # id -> (memo index, obj): objects written once and referred to after (tensors, modules)

    def bytes(self):
        return b"".join(self.out + [STOP])

    def write(self, b):
        self.out.append(b)

    def global_(self, module, name):
        self.write(GLOBAL + f"{module}\n{name}\n".encode("utf-8"))

    def call(self, module, name, args, where):
        """GLOBAL module.name, then args as a tuple, REDUCE: the result is `module.name(*args)` for the reader."""
        self.global_(module, name)
        self.save(tuple(args), where)
        self.write(REDUCE)

    def memo_get(self, obj):
        entry = self._memo.get(id(obj))
        if entry is None:
            return False
        self.write(LONG_BINGET + struct.pack("<I", entry[0]))
        return True

    def memo_put(self, obj):
        self._memo[id(obj)] = (len(self._memo), obj)
        self.write(LONG_BINPUT + struct.pack("<I", self._memo[id(obj)][0]))

    def save(self, obj, where="the object"):
        t = type(obj)
        if obj is None:
            self.write(NONE)
        elif t is bool:
            self.write(NEWTRUE if obj else NEWFALSE)
        elif t is int:
            self._int(obj, where)
        elif t is float:
            self.write(BINFLOAT + struct.pack(">d", obj))
        elif t is str:
            raw = obj.encode("utf-8", "surrogatepass")
            self.write(BINUNICODE + struct.pack("<I", len(raw)) + raw)
        elif t in (bytes, bytearray):  # protocol 2 spells bytes as _codecs.encode(latin-1 text, "latin1")
            self.call("_codecs", "encode", (bytes(obj).decode("latin-1"), "latin1"), where)
        elif t in (list, tuple, dict, OrderedDict):
            if id(obj) in self._open:
                raise ValueError(f"minigrad.save: {where} contains itself; a self-referencing structure cannot be "
                                 "saved")
            self._open.add(id(obj))
            try:
                self._container(obj, where)
            finally:
                self._open.discard(id(obj))
        else:
            self.save_other(obj, where)

    def _int(self, v, where):
        if 0 <= v < 256:
            self.write(BININT1 + bytes([v]))
        elif 0 <= v < 65536:
            self.write(BININT2 + struct.pack("<H", v))
        elif -2 ** 31 <= v < 2 ** 31:
            self.write(BININT + struct.pack("<i", v))
        else:
            n = v.bit_length() // 8 + 1
            if n > 255:
                raise TypeError(f"minigrad.save: cannot save {where}: an int of {v.bit_length()} bits is too large "
                                "for torch's pickle protocol (at most 2039 bits)")
            self.write(LONG1 + bytes([n]) + v.to_bytes(n, "little", signed=True))

    def _container(self, obj, where):
        t = type(obj)
        if t is tuple:
            if len(obj) > 3:
                self.write(MARK)
            for i, v in enumerate(obj):
                self.save(v, f"{where}[{i}]")
            self.write({0: EMPTY_TUPLE, 1: TUPLE1, 2: TUPLE2, 3: TUPLE3}.get(len(obj), TUPLE))
            return
        if t is list:
            self.write(EMPTY_LIST)
            items = [(None, v) for v in obj]
        else:
            if t is OrderedDict:
                self.call("collections", "OrderedDict", (), where)
            else:
                self.write(EMPTY_DICT)
            items = list(obj.items())
        for start in range(0, len(items), 1000):  # batches, as pickle writes them
            self.write(MARK)
            for i, (k, v) in enumerate(items[start:start + 1000], start):
                if k is None and t is list:
                    self.save(v, f"{where}[{i}]")
                else:
                    self.save_key(k, where)
                    self.save(v, f"{where}[{k!r}]")
            self.write(APPENDS if t is list else SETITEMS)

    def save_key(self, k, where):
        self.save(k, where)

    def save_other(self, obj, where):
        raise TypeError(f"minigrad.save: cannot save {where} of type {type(obj).__module__}.{type(obj).__qualname__}")
