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
from .activation import (  # noqa: E402
    CELU, ELU, GELU, GLU, Hardshrink, Hardsigmoid, Hardswish, Hardtanh, LeakyReLU, LogSigmoid, Mish, PReLU, ReLU6,
    RReLU, SELU, SiLU, Softmin, Softplus, Softshrink, Softsign, Tanhshrink, Threshold,
)
from .linear import Bilinear  # noqa: E402
from .sparse import Embedding  # noqa: E402
from .loss import (  # noqa: E402
    CosineEmbeddingLoss, GaussianNLLLoss, HingeEmbeddingLoss, HuberLoss, KLDivLoss, MarginRankingLoss,
    MultiLabelMarginLoss, MultiLabelSoftMarginLoss, MultiMarginLoss, PoissonNLLLoss, SmoothL1Loss, SoftMarginLoss,
    TripletMarginLoss,
)
# ---- modules of issue 12 (conv, pool, norm, upsampling) ----
from .dropout import Dropout1d  # noqa: E402
from .normalization import InstanceNorm1d, InstanceNorm2d, RMSNorm  # noqa: E402
from .upsampling import PixelShuffle, PixelUnshuffle, Upsample  # noqa: E402
from .conv import Conv1d, Conv2d
from .normalization import BatchNorm1d, BatchNorm2d, Dropout2d, GroupNorm, LayerNorm
from .pooling import AdaptiveAvgPool1d, AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d
from .parameter import Parameter
from . import utils  # torch.nn.utils: clip_grad_norm_, parameters_to_vector, ...
from .conv import ConvTranspose1d, ConvTranspose2d  # noqa: E402
from .fold import Fold, Unfold  # noqa: E402
from .pooling import AdaptiveMaxPool2d, MaxUnpool2d  # noqa: E402

__all__ = ["Module", "Parameter", "Linear", "Identity", "ReLU", "Sigmoid", "Tanh", "Softmax", "LogSoftmax",
           "Flatten", "Unflatten", "Sequential", "ModuleList", "ModuleDict", "Dropout", "CrossEntropyLoss",
           "NLLLoss", "MSELoss", "L1Loss", "BCELoss", "BCEWithLogitsLoss", "functional", "init"]
# ---- __all__ additions of issue 11c ----
__all__ += ["GELU", "SiLU", "Mish", "ELU", "CELU", "SELU", "LeakyReLU", "PReLU", "RReLU", "ReLU6", "Hardtanh",
            "Hardsigmoid", "Hardswish", "Softplus", "Softsign", "Softmin", "LogSigmoid", "Tanhshrink", "Softshrink",
            "Hardshrink", "Threshold", "GLU", "Embedding", "Bilinear"]
__all__ += ["SmoothL1Loss", "HuberLoss", "KLDivLoss", "PoissonNLLLoss", "GaussianNLLLoss", "MarginRankingLoss",
            "HingeEmbeddingLoss", "SoftMarginLoss", "MultiLabelSoftMarginLoss", "MultiLabelMarginLoss",
            "MultiMarginLoss", "CosineEmbeddingLoss", "TripletMarginLoss"]
# ---- __all__ additions of issue 12 ----
__all__ += ["RMSNorm", "InstanceNorm1d", "InstanceNorm2d", "Dropout1d", "Upsample", "PixelShuffle", "PixelUnshuffle"]
__all__ += ["Conv1d", "Conv2d", "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d",
            "AdaptiveAvgPool2d", "BatchNorm1d", "BatchNorm2d", "LayerNorm", "GroupNorm", "Dropout2d"]
__all__ += ["ConvTranspose1d", "ConvTranspose2d", "Fold", "Unfold", "AdaptiveMaxPool2d", "MaxUnpool2d"]
# ---- modules of issue 12g (padding, upsampling, pooling and normalization breadth, parameter containers) ----
from .padding import (  # noqa: E402
    CircularPad1d, CircularPad2d, CircularPad3d, ConstantPad1d, ConstantPad2d, ConstantPad3d, ReflectionPad1d,
    ReflectionPad2d, ReflectionPad3d, ReplicationPad1d, ReplicationPad2d, ReplicationPad3d, ZeroPad1d, ZeroPad2d,
    ZeroPad3d,
)
from .upsampling import UpsamplingBilinear2d, UpsamplingNearest2d  # noqa: E402
from .pooling import AdaptiveMaxPool1d, LPPool1d, LPPool2d, MaxUnpool1d  # noqa: E402
from .normalization import LocalResponseNorm  # noqa: E402
from .activation import Softmax2d  # noqa: E402
from .upsampling import ChannelShuffle  # noqa: E402
from .distance import CosineSimilarity, PairwiseDistance  # noqa: E402
from .normalization import BatchNorm3d, InstanceNorm3d  # noqa: E402
from .dropout import Dropout3d  # noqa: E402
from .container import ParameterDict, ParameterList  # noqa: E402

__all__ += ["ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d",
            "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d",
            "ReplicationPad3d", "CircularPad1d", "CircularPad2d", "CircularPad3d"]
__all__ += ["UpsamplingNearest2d", "UpsamplingBilinear2d"]
__all__ += ["AdaptiveMaxPool1d", "MaxUnpool1d"]
__all__ += ["LPPool1d", "LPPool2d", "LocalResponseNorm", "Softmax2d", "ChannelShuffle", "PairwiseDistance",
            "CosineSimilarity"]
__all__ += ["BatchNorm3d", "InstanceNorm3d", "Dropout3d"]
__all__ += ["ParameterList", "ParameterDict"]
