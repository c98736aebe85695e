"""PyTorch's "Learn the Basics" tutorial, chapter by chapter, with `import minigrad as torch`.

Each test walks one chapter's calls (our own code, exercising the same API) and checks the results the chapter
shows or implies. The data chapters use the real FashionMNIST (the `fashion_root` fixture fails in CI without it).
"""
import numpy as np

import minigrad as torch
from minigrad import nn
from minigrad.utils.data import DataLoader, Dataset
from minigrad.vision import datasets
from minigrad.vision.transforms import Lambda, ToTensor


def test_tensors_chapter():
    data = [[1, 2], [3, 4]]
    x_data = torch.tensor(data)
    x_np = torch.from_numpy(np.array(data))
    assert x_data.dtype == torch.int64 and torch.equal(x_data, x_np)
    x_ones = torch.ones_like(x_data)
    x_rand = torch.rand_like(x_data, dtype=torch.float)
    assert x_ones.dtype == torch.int64 and x_rand.dtype == torch.float32 and x_rand.shape == (2, 2)
    shape = (2, 3,)
    assert torch.rand(shape).shape == torch.ones(shape).shape == torch.zeros(shape).shape == (2, 3)
    tensor = torch.rand(3, 4)
    assert tensor.shape == torch.Size([3, 4]) and tensor.dtype == torch.float32 and str(tensor.device) == "cpu"
    if torch.accelerator.is_available():  # the tutorial's device move; never taken in minigrad
        tensor = tensor.to(torch.accelerator.current_accelerator())
    tensor = torch.ones(4, 4)
    assert tensor[0].tolist() == [1.0] * 4 and tensor[:, 0].shape == (4,) and tensor[..., -1].shape == (4,)
    tensor[:, 1] = 0
    assert tensor.tolist()[0] == [1.0, 0.0, 1.0, 1.0]
    t1 = torch.cat([tensor, tensor, tensor], dim=1)
    assert t1.shape == (4, 12)
    y1 = tensor @ tensor.T
    y2 = tensor.matmul(tensor.T)
    y3 = torch.rand_like(y1)
    torch.matmul(tensor, tensor.T, out=y3)
    assert torch.equal(y1, y2) and torch.equal(y1, y3) and y1[0, 0].item() == 3.0
    z1 = tensor * tensor
    z2 = tensor.mul(tensor)
    z3 = torch.rand_like(tensor)
    torch.mul(tensor, tensor, out=z3)
    assert torch.equal(z1, z2) and torch.equal(z1, z3)
    agg_item = tensor.sum().item()
    assert agg_item == 12.0 and isinstance(agg_item, float)
    tensor.add_(5)
    assert tensor[0, 0].item() == 6.0
    t = torch.ones(5)
    n = t.numpy()
    t.add_(1)
    assert n.tolist() == [2.0] * 5  # the NumPy array shares the tensor's memory
    n = np.ones(5)
    t = torch.from_numpy(n)
    np.add(n, 1, out=n)
    assert t.tolist() == [2.0] * 5


def test_datasets_transforms_and_dataloaders_chapters(fashion_root, tmp_path):
    training_data = datasets.FashionMNIST(root=fashion_root, train=True, download=False, transform=ToTensor())
    test_data = datasets.FashionMNIST(root=fashion_root, train=False, download=False, transform=ToTensor())
    assert len(training_data) == 60000 and len(test_data) == 10000
    torch.manual_seed(0)
    sample_idx = torch.randint(len(training_data), size=(1,)).item()
    img, label = training_data[sample_idx]
    assert img.shape == (1, 28, 28) and img.dtype == torch.float32 and 0 <= label < 10
    assert img.squeeze().shape == (28, 28) and 0.0 <= img.min().item() and img.max().item() <= 1.0

    ds = datasets.FashionMNIST(root=fashion_root, train=True, transform=ToTensor(), target_transform=Lambda(
        lambda y: torch.zeros(10, dtype=torch.float).scatter_(0, torch.tensor(y), value=1)))
    one_hot = ds[sample_idx][1]
    assert one_hot.tolist() == [1.0 if i == label else 0.0 for i in range(10)]

    train_dataloader = DataLoader(training_data, batch_size=64, shuffle=True)
    train_features, train_labels = next(iter(train_dataloader))
    assert train_features.size() == (64, 1, 28, 28) and train_labels.size() == (64,)
    assert train_labels.dtype == torch.int64 and len(train_dataloader) == 938

    class TwoImages(Dataset):  # the chapter's custom dataset, minus the files: __len__ and __getitem__ suffice
        def __len__(self):
            return 2

        def __getitem__(self, idx):
            return torch.full((1, 2, 2), float(idx)), idx

    feats, labels = next(iter(DataLoader(TwoImages(), batch_size=2)))
    assert feats.shape == (2, 1, 2, 2) and labels.tolist() == [0, 1]


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(28 * 28, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))

    def forward(self, x):
        return self.linear_relu_stack(self.flatten(x))


def test_build_the_neural_network_chapter():
    device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
    model = NeuralNetwork().to(device)
    assert "(linear_relu_stack): Sequential(" in repr(model)
    X = torch.rand(1, 28, 28, device=device)
    logits = model(X)
    pred_probab = nn.Softmax(dim=1)(logits)
    y_pred = pred_probab.argmax(1)
    assert logits.shape == (1, 10) and abs(pred_probab.sum().item() - 1) < 1e-6 and y_pred.shape == (1,)
    input_image = torch.rand(3, 28, 28)
    flat_image = nn.Flatten()(input_image)
    hidden1 = nn.ReLU()(nn.Linear(in_features=28 * 28, out_features=20)(flat_image))
    assert flat_image.size() == (3, 784) and hidden1.size() == (3, 20) and hidden1.min().item() >= 0
    seq_modules = nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 20), nn.ReLU(), nn.Linear(20, 10))
    assert seq_modules(input_image).shape == (3, 10)
    names = [name for name, _ in model.named_parameters()]
    assert names[0] == "linear_relu_stack.0.weight" and len(names) == 6
    for _, param in model.named_parameters():
        assert param[:2].shape[0] == 2


def test_autograd_chapter():
    x = torch.ones(5)
    y = torch.zeros(3)
    w = torch.randn(5, 3, requires_grad=True)
    b = torch.randn(3, requires_grad=True)
    z = torch.matmul(x, w) + b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
    assert type(z.grad_fn).__name__ == "AddBackward0"
    assert type(loss.grad_fn).__name__ == "BinaryCrossEntropyWithLogitsBackward0"
    loss.backward()
    expected = torch.sigmoid(z.detach()) / 3  # d mean(BCE)/dz = (σ(z) - y) / 3
    assert np.allclose(b.grad.numpy(), expected.numpy(), atol=1e-6)
    assert np.allclose(w.grad.numpy(), np.outer(np.ones(5), expected.numpy()), atol=1e-6)
    z = torch.matmul(x, w) + b
    assert z.requires_grad
    with torch.no_grad():
        z = torch.matmul(x, w) + b
    assert not z.requires_grad
    assert not (torch.matmul(x, w) + b).detach().requires_grad
    inp = torch.eye(4, 5, requires_grad=True)
    out = (inp + 1).pow(2).t()
    out.backward(torch.ones_like(out), retain_graph=True)
    first = inp.grad.clone()
    out.backward(torch.ones_like(out), retain_graph=True)
    assert torch.equal(inp.grad, first * 2)  # gradients accumulate
    inp.grad.zero_()
    out.backward(torch.ones_like(out), retain_graph=True)
    assert torch.equal(inp.grad, first)


def test_optimization_and_save_load_chapters(fashion_root, tmp_path):
    torch.manual_seed(0)
    training_data = datasets.FashionMNIST(root=fashion_root, train=True, transform=ToTensor())
    test_data = datasets.FashionMNIST(root=fashion_root, train=False, transform=ToTensor())
    train_dataloader = DataLoader(torch.utils.data.Subset(training_data, range(6400)), batch_size=64, shuffle=True)
    test_dataloader = DataLoader(torch.utils.data.Subset(test_data, range(1000)), batch_size=64)
    model = NeuralNetwork()
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-1)

    def train_loop(dataloader, model, loss_fn, optimizer):
        model.train()
        for batch, (X, y) in enumerate(dataloader):
            loss = loss_fn(model(X), y)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
        return loss.item()

    def test_loop(dataloader, model, loss_fn):
        model.eval()
        test_loss, correct = 0, 0
        with torch.no_grad():
            for X, y in dataloader:
                pred = model(X)
                test_loss += loss_fn(pred, y).item()
                correct += (pred.argmax(1) == y).type(torch.float).sum().item()
        return correct / len(dataloader.dataset), test_loss / len(dataloader)

    before, _ = test_loop(test_dataloader, model, loss_fn)
    for _ in range(2):
        train_loop(train_dataloader, model, loss_fn, optimizer)
    accuracy, avg_loss = test_loop(test_dataloader, model, loss_fn)
    assert accuracy > 0.6 > before and avg_loss < 1.2  # learning, not chance (0.1)

    path = tmp_path / "model_weights.pth"
    torch.save(model.state_dict(), path)
    assert [p.name for p in tmp_path.iterdir()] == ["model_weights.pth"]  # the name as given; no temp file left
    model2 = NeuralNetwork()
    model2.load_state_dict(torch.load(path, weights_only=True))
    model2.eval()
    assert test_loop(test_dataloader, model2, loss_fn) == (accuracy, avg_loss)
    torch.save(model, tmp_path / "model.pth")  # the chapter's whole-model save, and its load
    model3 = torch.load(tmp_path / "model.pth", weights_only=False)
    model3.eval()
    assert test_loop(test_dataloader, model3, loss_fn) == (accuracy, avg_loss)


def test_save_and_load_chapter_with_vgg16(tmp_path):
    # the chapter's own calls, with `import minigrad as torch` and `import minigrad.vision.models as models`; its
    # pretrained weights (IMAGENET1K_V1) need a download, so the first model is drawn at random instead. A vgg16 is
    # 138M parameters (seconds to build): one at a time
    import minigrad.vision.models as models

    torch.manual_seed(0)
    model = models.vgg16()
    model.eval()
    x = torch.rand(2, 3, 32, 32)  # adaptive pooling takes any size; 32x32 keeps the forward cheap
    with torch.no_grad():
        expected = model(x).numpy().copy()
    torch.save(model.state_dict(), tmp_path / "model_weights.pth")
    del model
    model = models.vgg16()  # we do not specify ``weights``, i.e. create untrained model
    model.load_state_dict(torch.load(tmp_path / "model_weights.pth", weights_only=True))
    model.eval()
    assert not model.training and not model.classifier[2].training  # Dropout off
    with torch.no_grad():
        assert np.array_equal(model(x).numpy(), expected)
    torch.save(model, tmp_path / "model.pth")  # the whole model, class and all
    del model
    model = torch.load(tmp_path / "model.pth", weights_only=False)
    assert type(model).__name__ == "VGG" and not model.training
    with torch.no_grad():
        assert np.array_equal(model(x).numpy(), expected)
