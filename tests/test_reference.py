"""reference/: the torch twin. Conversion both ways bit for bit, the same data as minigrad, device choice, and a
minigrad-trained model that torch evaluates to the same accuracy."""
import re

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("torchvision")

import minigrad  # noqa: E402
import minigrad.nn  # noqa: E402,F401
import minigrad.optim  # noqa: E402,F401
from minigrad.cli.model import NeuralNetwork as MinigradNet  # noqa: E402
from reference.convert import copy_weights, to_minigrad, to_torch  # noqa: E402
from reference import model as ref  # noqa: E402 - test_loop by module: pytest would collect the name
from reference.model import NeuralNetwork, choose_device  # noqa: E402


def _bits(t):
    arr = t.numpy() if isinstance(t, minigrad.Tensor) else t.detach().cpu().numpy()
    return arr.dtype, arr.shape, arr.tobytes()


def test_the_two_networks_have_the_same_state_dict_layout():
    t, m = NeuralNetwork().state_dict(), MinigradNet().state_dict()
    assert list(t) == list(m) == [f"linear_relu_stack.{i}.{p}" for i in (0, 2, 4) for p in ("weight", "bias")]
    assert [tuple(v.shape) for v in t.values()] == [tuple(v.shape) for v in m.values()]
    assert all(v.dtype == minigrad.float32 for v in m.values())


def test_minigrad_to_torch_to_minigrad_is_bit_identical():
    minigrad.manual_seed(3)
    model = MinigradNet()
    for p in model.parameters():  # awkward bits too: subnormals, -0.0, the extremes of float32
        p.data.flat[:4] = np.array([1e-45, -0.0, np.finfo(np.float32).max, np.finfo(np.float32).tiny], np.float32)
    state = model.state_dict()
    there = to_torch(state)
    assert all(v.dtype == torch.float32 and isinstance(v, torch.Tensor) for v in there.values())
    back = to_minigrad(there)
    assert list(back) == list(state)
    for key in state:
        assert _bits(back[key]) == _bits(state[key]) == _bits(there[key])
    there[next(iter(there))].zero_()  # the copies own their memory: nothing aliases the live model
    assert _bits(back[next(iter(back))]) == _bits(state[next(iter(state))])


def test_torch_to_minigrad_to_torch_is_bit_identical_and_loads():
    torch.manual_seed(0)
    t_model = NeuralNetwork()
    m_model = copy_weights(t_model, MinigradNet())
    again = copy_weights(m_model, NeuralNetwork())
    for (k, a), (_, b) in zip(t_model.state_dict().items(), again.state_dict().items()):
        assert _bits(a) == _bits(b), k
    x = np.random.default_rng(0).random((5, 1, 28, 28), dtype=np.float32)
    with torch.no_grad():
        expected = t_model(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(m_model(minigrad.from_numpy(x)).detach().numpy(), expected, rtol=1e-5, atol=1e-6)


def test_optimizer_state_dicts_convert_with_their_numbers():
    torch.manual_seed(0)
    model = NeuralNetwork()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(torch.rand(4, 1, 28, 28)).sum().backward()
    opt.step()
    state = to_minigrad(opt.state_dict())
    assert state["param_groups"][0]["momentum"] == 0.9 and state["param_groups"][0]["params"] == list(range(6))
    buf = opt.state_dict()["state"][0]["momentum_buffer"]
    assert _bits(state["state"][0]["momentum_buffer"]) == _bits(buf)
    assert _bits(to_torch(state)["state"][0]["momentum_buffer"]) == _bits(buf)


def test_to_minigrad_rejects_bfloat16_with_a_fix():
    with pytest.raises(TypeError, match="bfloat16.*float32"):
        to_minigrad({"w": torch.zeros(2, dtype=torch.bfloat16)})


def test_choose_device_order_and_override():
    expected = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
    assert choose_device().type == expected
    assert choose_device("cpu") == torch.device("cpu")
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match=r"'cuda'.*torch.cuda.is_available\(\) is False.*--device cpu"):
            choose_device("cuda")


def test_torchvision_reads_the_same_images_as_minigrad(fashion_root, monkeypatch, tmp_path):
    from minigrad.vision import datasets, transforms
    from reference.data import fashion_mnist

    monkeypatch.setenv("MINIGRAD_DATA", fashion_root)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # a fresh cache: the extraction is exercised too
    for train in (True, False):
        t_data = fashion_mnist(train)
        m_data = datasets.FashionMNIST(None, train=train, transform=transforms.ToTensor())
        assert len(t_data) == len(m_data) == (60000 if train else 10000)
        assert np.array_equal(t_data.targets.numpy(), m_data.targets.numpy())
        assert t_data.data.numpy().tobytes() == m_data.data.numpy().tobytes()
        for i in (0, 1, len(t_data) - 1):
            (tx, ty), (mx, my) = t_data[i], m_data[i]
            assert ty == my and _bits(tx) == _bits(mx)  # ToTensor: the same float32 bits


@pytest.fixture
def one_thread():
    """One BLAS thread each for NumPy and torch while the test trains (two pools on 2 busy cores crawl)."""
    from minigrad.cli.threads import get_blas_threads, set_threads

    blas, torch_threads = get_blas_threads(), torch.get_num_threads()
    set_threads(1, torch)
    yield
    if blas is not None:
        set_threads(blas)
    torch.set_num_threads(torch_threads)


def test_a_minigrad_trained_model_scores_the_same_in_torch(fashion_root, monkeypatch, capsys, one_thread):
    from minigrad.utils.data import DataLoader, Subset
    from minigrad.vision import datasets, transforms
    from reference.data import fashion_mnist

    monkeypatch.setenv("MINIGRAD_DATA", fashion_root)
    minigrad.manual_seed(0)
    model, loss_fn = MinigradNet(), minigrad.nn.CrossEntropyLoss()
    opt = minigrad.optim.SGD(model.parameters(), lr=0.05)
    train = Subset(datasets.FashionMNIST(None, train=True, transform=transforms.ToTensor()), range(6400))
    for X, y in DataLoader(train, batch_size=64, shuffle=True, generator=minigrad.Generator().manual_seed(0)):
        loss_fn(model(X), y).backward()
        opt.step()
        opt.zero_grad()
    test = Subset(datasets.FashionMNIST(None, train=False, transform=transforms.ToTensor()), range(2000))
    with minigrad.no_grad():
        m_pred = np.concatenate([model(X).argmax(1).numpy() for X, _ in DataLoader(test, batch_size=500)])
    correct = float(np.mean(m_pred == test.dataset.targets.numpy()[:2000]))
    assert correct > 0.5  # it learned something, so agreeing is not trivial

    t_model = copy_weights(model, NeuralNetwork())
    t_test = torch.utils.data.Subset(fashion_mnist(False), range(2000))
    t_loader = torch.utils.data.DataLoader(t_test, batch_size=64)
    t_correct, t_loss = ref.test_loop(t_loader, t_model, torch.nn.CrossEntropyLoss())
    assert t_correct == pytest.approx(correct, abs=1e-12)
    out = capsys.readouterr().out
    assert re.fullmatch(r"Test Error: \n Accuracy: \d+\.\d%, Avg loss: \d+\.\d{6} \n\n", out), out
