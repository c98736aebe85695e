"""Pretrained weights as torchvision names them (`VGG16_Weights.IMAGENET1K_V1`), read from torch hub's cache folder.

minigrad never downloads: `weights=` loads <hub dir>/checkpoints/<torchvision's file name> with minigrad.load when the
file is there (put there by torchvision, or by hand), and otherwise says which file, which folder and which URL."""
import enum
import os
from collections import namedtuple

Weights = namedtuple("Weights", "url num_classes")

_BASE = "https://download.pytorch.org/models/"


class WeightsEnum(enum.Enum):
    """An enum of Weights; `DEFAULT` is an alias of the recommended member, as in torchvision."""

    @property
    def url(self):
        return self.value.url

    @property
    def file_name(self):
        return self.value.url.rsplit("/", 1)[-1]

    @property
    def meta(self):
        return {"num_classes": self.value.num_classes}

    @classmethod
    def verify(cls, obj):
        """None, a member, or a member's name ('IMAGENET1K_V1', 'DEFAULT', 'VGG16_Weights.IMAGENET1K_V1')."""
        if obj is None or isinstance(obj, cls):
            return obj
        if isinstance(obj, str):
            name = obj.replace(cls.__name__ + ".", "")
            if name in cls.__members__:
                return cls.__members__[name]
            raise ValueError(f"Failed to find Weights {obj} in {cls.__name__}.")
        raise TypeError(f"Invalid Weight class provided; expected {cls.__name__} but received {type(obj).__name__}.")

    def get_state_dict(self, progress=True, check_hash=False):
        from ... import serialization

        folder = os.path.join(hub_dir(), "checkpoints")
        path = os.path.join(folder, self.file_name)
        if not os.path.exists(path):
            raise FileNotFoundError(
                f"{type(self).__name__}.{self.name}: the weights file {self.file_name!r} is not in {folder!r}, and "
                f"minigrad does not download. Fetch it from {self.url} into that folder (or let torchvision cache "
                "it there), or set $TORCH_HOME to the folder that holds hub/checkpoints/.")
        return serialization.load(path)

    def __repr__(self):
        return f"{type(self).__name__}.{self.name}"


def hub_dir():
    """torch.hub.get_dir(): $TORCH_HOME/hub, else $XDG_CACHE_HOME/torch/hub, else ~/.cache/torch/hub."""
    home = os.environ.get("TORCH_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "torch")
    return os.path.join(os.path.expanduser(home), "hub")


def weights(file_name, num_classes=1000):
    return Weights(_BASE + file_name, num_classes)


def build(model_fn, weights_enum, weights, kwargs):
    """torchvision's model builders: check the weights, make the model (num_classes from the weights), load them."""
    weights = weights_enum.verify(weights)
    if weights is not None and weights.value.num_classes is not None:
        if kwargs.get("num_classes", weights.value.num_classes) != weights.value.num_classes:
            raise ValueError(f"The parameter 'num_classes' expected value {weights.value.num_classes} but got "
                             f"{kwargs['num_classes']} instead.")
        kwargs["num_classes"] = weights.value.num_classes
    model = model_fn(**kwargs)
    if weights is not None:
        model.load_state_dict(weights.get_state_dict())
    return model
