"""torchvision's counterpart on NumPy: `datasets` (MNIST, FashionMNIST), `transforms`, and `io.read_image`."""
from . import datasets, io, transforms
from . import models  # noqa: E402  (issue 12)
