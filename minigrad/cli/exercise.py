"""`minigrad exercise`: write the backward of an op and have it checked.

  minigrad exercise list                  the exercises, in order
  minigrad exercise start NAME [-o FILE]  write the stub: the forward is given, the backward is yours
  minigrad exercise check FILE [--hint]   compare your backward with autograd, torch and finite differences;
                                          --hint shows the first hint, --hint --hint two, and so on
  minigrad exercise hint NAME [N]         the first N hints (default 1)
  minigrad exercise solution NAME         the reference solution (only when you ask)
"""
import sys


def add_args(p):
    sub = p.add_subparsers(dest="action", required=True, metavar="{list,start,check,hint,solution}")
    sub.add_parser("list", help="the exercises, in order")
    s = sub.add_parser("start", help="write an exercise's stub file")
    s.add_argument("name")
    s.add_argument("-o", "--output", default=None, metavar="FILE", help="where to write it (default: ./NAME.py)")
    s.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    s = sub.add_parser("check", help="check the backward in a stub file")
    s.add_argument("file")
    s.add_argument("--hint", action="count", default=0, help="also show a hint; repeat for more")
    s.add_argument("--seed", type=int, default=0, help="draw other values on the same shapes (default: 0)")
    s = sub.add_parser("hint", help="the hint ladder of an exercise")
    s.add_argument("name")
    s.add_argument("level", nargs="?", type=int, default=1, help="how many hints (default: 1)")
    s = sub.add_parser("solution", help="print the reference solution")
    s.add_argument("name")


def run(args):
    from .. import exercises
    try:
        if args.action == "list":
            for number, name, title in exercises.list_exercises():
                print(f"{number:>2}. {name:<14} {title}")
            return 0
        if args.action == "start":
            path = exercises.start(args.name, args.output, args.force)
            print(f"wrote {path}: write its backward, then run `minigrad exercise check {path}`")
            return 0
        if args.action == "check":
            report = exercises.check(args.file, seed=args.seed)
            print(report)
            if args.hint:
                print(exercises.hint(report.exercise.name, args.hint))
            return 0 if report.passed else 1
        if args.action == "hint":
            print(exercises.hint(args.name, args.level))
            return 0
        print(exercises.solution(args.name), end="")
        return 0
    except (KeyError, FileExistsError, FileNotFoundError, ValueError) as e:
        print(f"minigrad exercise {args.action}: {e.args[0] if e.args else e}", file=sys.stderr)
        return 2
