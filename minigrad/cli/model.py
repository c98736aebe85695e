"""The tutorial's network written with minigrad: the twin of `reference.model.NeuralNetwork`, line for line."""
from .. import nn


class NeuralNetwork(nn.Module):
    """Flatten -> Linear(784, 512) -> ReLU -> Linear(512, 512) -> ReLU -> Linear(512, 10); logits (N, 10)."""

    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(28 * 28, 512),
            nn.ReLU(),
            nn.Linear(512, 512),
            nn.ReLU(),
            nn.Linear(512, 10),
        )

    def forward(self, x):
        x = self.flatten(x)  # (N, 1, 28, 28) -> (N, 784)
        return self.linear_relu_stack(x)


class CNN(nn.Module):
    """(Conv 3x3 -> BatchNorm -> ReLU -> MaxPool 2) twice, then Linear(32*7*7, 10); logits (N, 10)."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1),  # (N, 1, 28, 28) -> (N, 16, 28, 28)
            nn.BatchNorm2d(16),
            nn.ReLU(),
            nn.MaxPool2d(2),  # -> (N, 16, 14, 14)
            nn.Conv2d(16, 32, 3, padding=1),  # -> (N, 32, 14, 14)
            nn.BatchNorm2d(32),
            nn.ReLU(),
            nn.MaxPool2d(2),  # -> (N, 32, 7, 7)
        )
        self.flatten = nn.Flatten()
        self.classifier = nn.Linear(32 * 7 * 7, 10)

    def forward(self, x):
        x = self.features(x)
        x = self.flatten(x)  # (N, 32, 7, 7) -> (N, 1568)
        return self.classifier(x)


MODELS = {"mlp": NeuralNetwork, "cnn": CNN}
