"""minigrad.nn: Module and Parameter, the layers, the losses, `functional` and `init`."""
from . import functional, init
from .activation import LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .container import ModuleDict, ModuleList, Sequential
from .dropout import Dropout
from .flatten import Flatten, Unflatten
from .linear import Identity, Linear
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss
from .module import Module
# ---- modules of issue 11c (activations, losses, Embedding, Bilinear) ----
# ---- modules of issue 12 (conv, pool, norm, upsampling) ----
from .conv import Conv1d, Conv2d
from .normalization import BatchNorm1d, BatchNorm2d, Dropout2d, GroupNorm, LayerNorm
from .pooling import AdaptiveAvgPool1d, AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d
from .parameter import Parameter

__all__ = ["Module", "Parameter", "Linear", "Identity", "ReLU", "Sigmoid", "Tanh", "Softmax", "LogSoftmax",
           "Flatten", "Unflatten", "Sequential", "ModuleList", "ModuleDict", "Dropout", "CrossEntropyLoss",
           "NLLLoss", "MSELoss", "L1Loss", "BCELoss", "BCEWithLogitsLoss", "functional", "init"]
# ---- __all__ additions of issue 11c ----
# ---- __all__ additions of issue 12 ----
__all__ += ["Conv1d", "Conv2d", "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d",
            "AdaptiveAvgPool2d", "BatchNorm1d", "BatchNorm2d", "LayerNorm", "GroupNorm", "Dropout2d"]
