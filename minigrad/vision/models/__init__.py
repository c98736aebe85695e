"""torchvision.models' structures on minigrad: VGG, ResNet, AlexNet, with torchvision's state_dict keys and shapes,
`weights=None` by default, and `*_Weights` enums whose files are read from torch hub's cache (never downloaded)."""
from .alexnet import *  # noqa: F401,F403
from .resnet import *  # noqa: F401,F403
from .vgg import *  # noqa: F401,F403
from ._weights import WeightsEnum, hub_dir  # noqa: F401
