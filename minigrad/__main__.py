"""`minigrad train`, `compare`, `explain` and `exercise` (also `python -m minigrad ...`)."""
import argparse
import sys


def build_parser():
    from .cli import compare, exercise, explain, layers, ops_compare, train

    parser = argparse.ArgumentParser(
        prog="minigrad",
        description="Train PyTorch's FashionMNIST tutorial MLP with minigrad, and check it step by step against torch.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="{train,compare,explain,exercise}")
    p = commands.add_parser("train", help="train the tutorial MLP (minigrad or torch), with checkpoint and resume",
                            description=train.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    train.add_args(p)
    p.set_defaults(run=train.run)
    p = commands.add_parser("compare", help="train minigrad and torch in lockstep and report every difference",
                            description=compare.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    compare.add_args(p)
    layers.add_args(p)
    ops_compare.add_args(p)
    p.set_defaults(run=layers.run_compare)
    p = commands.add_parser("explain", help="narrate one backward pass of the tutorial MLP, node by node",
                            description=explain.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    explain.add_args(p)
    p.set_defaults(run=explain.run)
    p = commands.add_parser("exercise", help="write the backward of an op and have it checked",
                            description=exercise.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    exercise.add_args(p)
    p.set_defaults(run=exercise.run)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        status = args.run(args)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    return status if isinstance(status, int) else 0


if __name__ == "__main__":
    sys.exit(main())
