"""The torch twin of minigrad's tutorial pipeline: the same MLP, loops, data and weight conversion, in real torch.

Importing this package needs torch (and torchvision for `reference.data`): it is the side minigrad is checked
against, so it is written exactly like PyTorch's "Build the Neural Network" / "Optimizing Model Parameters" tutorial.
"""
from .model import NeuralNetwork, choose_device, test_loop, train_loop

__all__ = ["NeuralNetwork", "choose_device", "train_loop", "test_loop"]
