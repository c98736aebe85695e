"""Hypothesis profiles: `dev` (the default: fresh random examples each run), `ci` (set by .ci/run, which passes a
seed that changes with each commit and prints it, so CI explores and any failure replays with
`--hypothesis-seed=SEED`) and `thorough` (ten times the examples)."""
import os

import pytest
from hypothesis import HealthCheck, settings

_common = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("dev", max_examples=40, **_common)
settings.register_profile("ci", max_examples=40, print_blob=True, **_common)
settings.register_profile("thorough", max_examples=400, **_common)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def pytest_report_header(config):
    seed = config.getoption("hypothesis_seed", None)
    return [f"hypothesis seed: {seed if seed is not None else 'random (replay a failure from its printed blob)'}"]


@pytest.fixture(scope="session")
def fashion_root():
    """The folder holding the real FashionMNIST IDX files, found the way `FashionMNIST` looks ($MINIGRAD_DATA, then
    Debian's dataset-fashion-mnist). Missing data skips the test, but fails it in CI (CI or MINIGRAD_REQUIRE_DATA
    set), where .ci/run installs the package."""
    from minigrad.vision import _fetch
    from minigrad.vision.datasets import FashionMNIST

    names = [f"{s}-{k}" for s in ("train", "t10k") for k in ("images-idx3-ubyte", "labels-idx1-ubyte")]
    found, searched = _fetch.locate(None, "FashionMNIST", names, FashionMNIST.debian_package,
                                    FashionMNIST.debian_folder)
    if found is None:
        reason = "real FashionMNIST not found: " + "; ".join(f"{p} ({why})" for p, why in searched)
        if os.environ.get("MINIGRAD_REQUIRE_DATA") or os.environ.get("CI"):
            pytest.fail(reason + " -- install it: sudo apt-get install dataset-fashion-mnist")
        pytest.skip(reason)
    return os.path.dirname(found[names[0]])
