"""torch.backends, as far as the tutorials touch it: minigrad has no GPU backend, so `backends.mps` and
`backends.cuda` report nothing available, and `backends.cudnn`'s flags are plain attributes that code may set
(they change nothing: NumPy is deterministic and has nothing to benchmark)."""
import contextlib

__all__ = ["cpu", "cuda", "cudnn", "mps"]


class _MPS:
    """Apple's Metal backend: never built into minigrad."""

    @staticmethod
    def is_available():
        return False

    @staticmethod
    def is_built():
        return False

    @staticmethod
    def is_macos_or_newer(major, minor):
        return False


class _CUDA:
    @staticmethod
    def is_built():
        return False


class _CuDNN:
    enabled = True
    benchmark = False
    deterministic = False
    allow_tf32 = True

    @staticmethod
    def is_available():
        return False

    @staticmethod
    def version():
        return None

    @contextlib.contextmanager
    def flags(self, enabled=False, benchmark=False, deterministic=False, allow_tf32=True):
        """Set the flags for a `with` block, then restore them (torch.backends.cudnn.flags)."""
        saved = (self.enabled, self.benchmark, self.deterministic, self.allow_tf32)
        self.enabled, self.benchmark, self.deterministic, self.allow_tf32 = enabled, benchmark, deterministic, \
            allow_tf32
        try:
            yield
        finally:
            self.enabled, self.benchmark, self.deterministic, self.allow_tf32 = saved

    def __repr__(self):
        return "<minigrad.backends.cudnn (no cuDNN: the flags are accepted and change nothing)>"


class _CPU:
    @staticmethod
    def get_cpu_capability():
        return "DEFAULT"


mps = _MPS()
cuda = _CUDA()
cudnn = _CuDNN()
cpu = _CPU()
