"""PyTorch's FashionMNIST tutorial model and loops, in torch: the reference minigrad is compared with."""
import torch
from torch import nn


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


def choose_device(preferred=None):
    """The tutorial's choice: cuda, then mps, then cpu; `preferred` ("cpu", "cuda", "cuda:1", "mps") overrides it.

    Asking for a device this machine lacks raises RuntimeError, rather than silently training somewhere else.
    """
    if preferred not in (None, "", "auto"):
        device = torch.device(preferred)
        if device.type == "cuda" and not torch.cuda.is_available():
            raise RuntimeError(f"device {preferred!r} was asked for, but torch.cuda.is_available() is False here; "
                               "use --device cpu")
        if device.type == "mps" and not torch.backends.mps.is_available():
            raise RuntimeError(f"device {preferred!r} was asked for, but torch.backends.mps.is_available() is False "
                               "here; use --device cpu")
        return device
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def train_loop(dataloader, model, loss_fn, optimizer, device="cpu"):
    """One epoch of SGD over `dataloader`; returns the list of per-batch losses (Python floats)."""
    size = len(dataloader.dataset)
    model.train()  # batchnorm (the CNN) uses batch statistics and updates its running ones
    losses = []
    for batch, (X, y) in enumerate(dataloader):
        X, y = X.to(device), y.to(device)
        pred = model(X)
        loss = loss_fn(pred, y)

        loss.backward()
        optimizer.step()
        optimizer.zero_grad()

        losses.append(loss.item())
        if batch % 100 == 0:
            current = batch * dataloader.batch_size + len(X)
            print(f"loss: {losses[-1]:>7f}  [{current:>5d}/{size:>5d}]")
    return losses


def test_loop(dataloader, model, loss_fn, device="cpu", verbose=True):
    """Accuracy and mean loss over `dataloader`; prints the tutorial's "Test Error" line. Returns (accuracy, loss)."""
    model.eval()
    size = len(dataloader.dataset)
    num_batches = len(dataloader)
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        for X, y in dataloader:
            X, y = X.to(device), y.to(device)
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    test_loss /= num_batches
    correct /= size
    if verbose:
        print(f"Test Error: \n Accuracy: {(100*correct):>0.1f}%, Avg loss: {test_loss:>8f} \n")
    return correct, test_loss
