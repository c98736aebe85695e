"""Grad mode: whether Function.apply records the graph. Context managers that also work as decorators."""
import functools

_enabled = True


def is_grad_enabled():
    return _enabled


class _GradMode:
    mode = True

    def __new__(cls, *args):
        if len(args) == 1 and callable(args[0]) and cls in (no_grad, enable_grad):  # bare `@no_grad`, as torch allows
            return cls()(args[0])
        return super().__new__(cls)

    def __enter__(self):
        global _enabled
        self.prev, _enabled = _enabled, self.mode
        return self

    def __exit__(self, *exc):
        global _enabled
        _enabled = self.prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__() if not isinstance(self, set_grad_enabled) else set_grad_enabled(self.mode):
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):
    """Operations inside build no graph: for evaluation and for updating parameters."""

    mode = False


class enable_grad(_GradMode):
    mode = True


class set_grad_enabled(_GradMode):
    def __init__(self, mode):
        global _enabled
        self.mode = bool(mode)
        # like torch, calling it as a function switches the mode at once; __exit__ restores it
        self.prev, _enabled = _enabled, self.mode

    def __enter__(self):
        return self

    def __call__(self, fn):
        global _enabled
        _enabled = self.prev  # as a decorator it switches the mode per call, not from now on (as torch)
        return super().__call__(fn)
