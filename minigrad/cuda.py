"""minigrad computes with NumPy on the CPU: there is no CUDA device, and this module says so like torch does."""


def is_available():
    return False


def device_count():
    return 0


def manual_seed(seed):
    """Accepted for torch compatibility: there is no CUDA generator to seed."""


def manual_seed_all(seed):
    """Accepted for torch compatibility: there is no CUDA generator to seed."""
