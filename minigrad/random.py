"""Random numbers: one global NumPy generator that `manual_seed` resets, and torch-style `Generator` objects.

Unseeded, the global generator starts from a seed of its own in each process (`initial_seed()` returns it)."""
import json

import numpy as np

_DEFAULT_SEED = 67280421310721  # torch's default initial seed


class Generator:
    """`minigrad.Generator().manual_seed(0)`: an independent stream, for DataLoader shuffles and random_split."""

    def __init__(self, device="cpu"):
        self._seed = _DEFAULT_SEED
        self.rng = np.random.Generator(np.random.PCG64(self._seed))

    def manual_seed(self, seed):
        self._seed = int(seed)
        self.rng = np.random.Generator(np.random.PCG64(self._seed))
        return self

    def seed(self):
        return self.manual_seed(_fresh_seed())._seed

    def initial_seed(self):
        return self._seed

    def get_state(self):
        from .tensor import Tensor

        blob = json.dumps({"seed": self._seed, "state": self.rng.bit_generator.state}).encode()
        return Tensor._make(np.frombuffer(blob, np.uint8).copy(), None)

    def set_state(self, new_state):
        if not (hasattr(new_state, "data") and getattr(new_state.data, "dtype", None) == np.uint8):
            raise TypeError(f"expected a minigrad.ByteTensor (from get_state or get_rng_state), but got "
                            f"{type(new_state).__name__}")
        info = json.loads(bytes(np.asarray(new_state.data, np.uint8)).decode())
        self._seed = info["seed"]
        self.rng.bit_generator.state = info["state"]
        return self


def _fresh_seed():
    """A seed from the operating system's entropy: a different one in every process, as torch's default."""
    return int(np.random.SeedSequence().entropy) % (2**64)


# The global generator starts unseeded: each process draws its own seed (initial_seed() tells which), as torch's
# does; manual_seed makes a run reproducible. A new Generator() starts from torch's fixed default seed instead.
default_generator = Generator().manual_seed(_fresh_seed())


def manual_seed(seed):
    """Seed every random function of minigrad (rand, randn, init, dropout, shuffling)."""
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)


def _gen(generator=None):
    return (generator or default_generator).rng


def _in_place(out):
    """Whether NumPy's Generator can write a draw straight into `out`: float32 or float64, C-contiguous, writable."""
    return (out.dtype in (np.float32, np.float64) and out.flags.c_contiguous and out.flags.writeable
            and out.flags.aligned and out.dtype.isnative)


def _uniform_into(out, low, high, generator=None):
    """Fill the array `out` in place with U(low, high), computed in its own dtype as torch's kernel computes it:
    u in [0, 1) drawn straight into `out`, then low + (high - low) u. No float64 temporary the size of the array
    (vgg16's 25088x4096 weight would need 822 MiB of one); for float64 these are exactly rng.uniform's numbers."""
    rng = _gen(generator)
    if _in_place(out):
        rng.random(out.shape, dtype=out.dtype, out=out)
        out *= high - low
        out += low
    else:  # float16, a strided view, an integer tensor: draw, then assign (a temporary, as before)
        out[...] = rng.uniform(low, high, out.shape)
    return out


def _normal_into(out, mean, std, generator=None):
    """Fill the array `out` in place with N(mean, std²) in its own dtype: mean + std z, z standard normal drawn
    straight into `out`; for float64 exactly rng.normal's numbers."""
    rng = _gen(generator)
    if _in_place(out):
        rng.standard_normal(out.shape, dtype=out.dtype, out=out)
        out *= std
        out += mean
    else:
        out[...] = rng.normal(mean, std, out.shape)
    return out
