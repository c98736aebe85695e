"""The comparison's report: the lines printed per epoch, the checks, report.json and the loss/drift plot."""
import json
import os

from .common import test_error_line

# the acceptance criteria for one epoch of lockstep training on FashionMNIST (float32, batch 64, SGD lr 1e-3),
# checked on the first epoch: later epochs drift further apart (see the report's per-epoch figures), as any two
# float32 implementations that sum in different orders do once a ReLU flips on a near-zero input
CRITERIA = ("largest per-step loss relative difference < 1e-4", "test accuracies within 0.1 points",
            ">= 99.8% of test predictions identical")
# the CNN's (--model cnn): a max-pool or ReLU that flips on a near tie moves more of its output, so its accuracy
# and predictions get a little more room. Its batchnorm running statistics, updated from the same weights and batch
# on the first step, must agree to float32 rounding; after that they follow the weights' float32 drift (the conv
# biases before a batchnorm get gradients that are 0 in exact arithmetic, so pure rounding noise, and they shift
# the running means), which the report shows but does not bound
BUFFER_TOL = 1e-6
CNN_CRITERIA = ("largest per-step loss relative difference < 1e-4", "test accuracies within 0.2 points",
                ">= 99.5% of test predictions identical",
                f"running statistics equal to float32 rounding on the first step (rel diff < {BUFFER_TOL:g})")


def check_criteria(record, model="mlp"):
    if model == "cnn":
        values = (record["max_step_loss_rel_diff"] < 1e-4, abs(record["accuracy_diff_points"]) <= 0.2,
                  record["predictions_identical"] >= 0.995, record["first_step_buffer_rel_diff"] < BUFFER_TOL)
        return dict(zip(CNN_CRITERIA, values))
    values = (record["max_step_loss_rel_diff"] < 1e-4, abs(record["accuracy_diff_points"]) <= 0.1,
              record["predictions_identical"] >= 0.998)
    return dict(zip(CRITERIA, values))


def _fmt_exceeded(first):
    if first is None:
        return "not exceeded"
    return (f"first exceeded at step {first['step']} (epoch {first['epoch']}, batch {first['batch']}) by the "
            f"{first['quantity']} {first['name']}: abs {first['abs_error']:.3g}, rel {first['rel_error']:.3g}")


def print_epoch(record, first_exceeded):
    for name in ("minigrad", "torch"):
        r = record[name]
        line = test_error_line(r["test_accuracy"], r["test_loss"]).replace("\n", "").replace("  ", " ").strip()
        print(f"{name:<9}{line}  (train {r['train_seconds']:.1f} s, test {r['eval_seconds']:.1f} s)")
    grad = record.get("max_grad_diff")
    print(f"agreement: largest per-step loss rel diff {record['max_step_loss_rel_diff']:.2e} "
          f"(step {record['max_step_loss_rel_diff_at_step']}); largest parameter diff "
          f"{record['max_param_abs_diff']:.2e} abs, {record['max_param_rel_diff']:.2e} rel "
          f"({record['max_param_diff_name']})")
    if "max_buffer_rel_diff" in record:
        print(f"           running statistics: largest diff {record['max_buffer_abs_diff']:.2e} abs, "
              f"{record['max_buffer_rel_diff']:.2e} rel at the end ({record['max_buffer_diff_name']}), "
              f"{record['max_step_buffer_rel_diff']:.2e} rel at worst over the steps, "
              f"{record['first_step_buffer_rel_diff']:.2e} rel after the first")
    if grad:
        print(f"           largest gradient diff {grad['abs']:.2e} abs, {grad['rel']:.2e} rel "
              f"({grad['name']}, step {grad['step']})")
    print(f"           test predictions identical {100 * record['predictions_identical']:.2f}%; accuracy diff "
          f"{record['accuracy_diff_points']:+.2f} points; minigrad/torch train time "
          f"{record['minigrad']['train_seconds'] / max(record['torch']['train_seconds'], 1e-9):.2f}x")
    f64 = record.get("float64_distance")
    if f64:
        print(f"           distance from a float64 torch run (largest parameter rel diff): minigrad "
              f"{f64['minigrad']:.2e}, torch {f64['torch']:.2e}")
    f64 = record.get("float64_buffer_distance")
    if f64:
        print(f"           its running statistics' distance (largest rel diff): minigrad {f64['minigrad']:.2e}, "
              f"torch {f64['torch']:.2e}")
    tol = first_exceeded["tolerance"] if first_exceeded else None
    print(f"tolerance{'' if tol is None else f' {tol:g}'}: {_fmt_exceeded(first_exceeded)}")


def write_json(report, path):
    tmp = f"{path}.tmp"
    with open(tmp, "w") as f:
        json.dump(report, f, indent=1)
    os.replace(tmp, path)
    return path


def write_png(report, path):
    """Both loss curves over the steps, and the drift below them; (path, None), or (None, why) without matplotlib."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None, "matplotlib is not installed: pip install 'minigrad[plot]' for the plot"
    steps = report["steps"]
    n = len(steps["loss_minigrad"])
    x = range(1, n + 1)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 7.6), sharex=True)
    top.plot(x, steps["loss_torch"], lw=1.6, color="tab:orange", label="torch")
    top.plot(x, steps["loss_minigrad"], lw=0.8, color="tab:blue", ls="--", label="minigrad")
    top.set_ylabel("training loss (per step)")
    top.set_title("minigrad vs torch in lockstep: same initial weights, same batches")
    top.legend()
    floor = 1e-10  # exact agreement (a difference of 0) is drawn on this line, which a log scale can show
    bottom.semilogy(x, [max(v, floor) for v in steps["loss_rel_diff"]], ".", ms=1.5, color="tab:green",
                    label=f"loss: |minigrad - torch| / |torch| (0 drawn at {floor:g})")
    bottom.semilogy(x, [max(v, floor) for v in steps["param_max_rel_diff"]], lw=1.4, color="tab:red",
                    label="parameters: max |minigrad - torch| / max |torch|, worst tensor")
    bottom.axhline(report["config"]["tolerance"], color="gray", ls=":", label="--tolerance")
    per_epoch = report["config"]["steps_per_epoch"]
    for e in range(1, len(report["epochs"])):
        for ax in (top, bottom):
            ax.axvline(e * per_epoch + 0.5, color="lightgray", lw=0.8)
    bottom.set_xlabel("step")
    bottom.set_ylabel("relative difference")
    bottom.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)  # below: never on the data
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path, None
