"""How much of torch's OpInfo corpus minigrad has, and how much of it agrees with torch.

    PYTHONPATH=. .venv/bin/python -m tests.opinfo_report [--ops add,sum,...] [--json PATH] [--markdown PATH]

Prints one line per OpInfo entry minigrad has (samples agreeing for values, gradients and second derivatives, per
dtype), then the totals: OpInfo names present, samples agreeing as counts and percentages, and the worst offenders
with their first error. Writes every sample's outcome to a JSON file (default ./opinfo_results.json) and, with
--markdown, a summary (benchmarks/opinfo.md is generated this way: never edit it by hand)."""
import argparse
import collections
import datetime
import json
import os
import platform
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # the opinfo_* helpers import each other by name
import opinfo_support as S  # noqa: E402

LABEL = {"values": "values", "grad": "gradients", "gradgrad": "second derivatives"}


def _pct(a, n):
    return f"{100.0 * a / n:.1f}%" if n else "-"


def _tally(results):
    """{check: (agree, counted)} over sample results."""
    out = {}
    for c in S.CHECKS:
        outcomes = [r[c][0] for r in results]
        out[c] = (outcomes.count(S.AGREE), sum(o in S.COUNTED for o in outcomes))
    return out


def _kind(outcome, detail):
    if outcome == S.MG_ERROR and detail:
        return f"{outcome} ({detail.split(':', 1)[0]})"
    return outcome


def run(ops=None, dtypes=("float64", "float32"), gradgrad=True, progress=None):
    db = S.load_op_db()
    names = sorted({op.name for op in db})
    present = {op.name for op in db if S.resolve(op)}
    wanted = set(ops) if ops else None
    rows = []
    for entry in S.entries(db):
        if wanted and not wanted & {entry.op.name, S.full_name(entry.op), entry.name, entry.name.split("@")[0]}:
            continue
        for dt in dtypes:
            t0 = time.perf_counter()
            r = S.run_entry(entry, dt, gradgrad=gradgrad)
            r["seconds"] = round(time.perf_counter() - t0, 3)
            r["alias"] = "@" in entry.name
            rows.append(r)
            if progress:
                progress(r)
    return {"names": names, "present": sorted(present), "missing": sorted(set(names) - present),
            "entries": len(db), "entries_present": sum(1 for op in db if S.resolve(op)), "rows": rows}


def totals(report, aliases=False):
    """Over the OpInfo entries (or, with `aliases`, over the alias rows only): {check: (agree, counted)},
    {check: Counter of outcomes}, {check: (entries at >= 99%, entries with counted samples)}."""
    rows = [r for r in report["rows"] if r.get("alias", False) == aliases]
    all_samples = [s for r in rows for s in r["samples"]]
    t = _tally(all_samples)
    outcomes = {c: collections.Counter(_kind(*s[c]) for s in all_samples) for c in S.CHECKS}
    per_check_99 = {}
    for c in S.CHECKS:
        good = bad = 0
        for r in rows:
            a, n = _tally(r["samples"])[c]
            if n:
                good, bad = (good + 1, bad) if a >= 0.99 * n else (good, bad + 1)
        per_check_99[c] = (good, good + bad)
    return t, outcomes, per_check_99


def worst(report, n=25, checks=("values", "grad")):
    """[(entry, {dtype: (failing samples, samples)}, first failure)] for the entries with the largest share of
    failing samples (over the dtypes together), the first failure from the first dtype that has one."""
    by_entry = {}
    for r in report["rows"]:
        fails = S.failures(r["samples"], checks)
        e = by_entry.setdefault(r["op"], {"counts": {}, "first": None})
        e["counts"][r["dtype"]] = (len({i for i, *_ in fails}), len(r["samples"]))
        if fails and e["first"] is None:
            idx, check, outcome, detail = fails[0]
            e["first"] = f"{r['dtype']} #{idx} {check}: {outcome}: {detail}"
    out = [(op, e["counts"], e["first"]) for op, e in by_entry.items() if e["first"]]
    share = lambda c: sum(k for k, _ in c.values()) / max(1, sum(m for _, m in c.values()))  # noqa: E731
    out.sort(key=lambda x: (-share(x[1]), -sum(k for k, _ in x[1].values()), x[0]))
    return out[:n]


def _counts_text(counts):
    return ", ".join(f"{dt} {k}/{m}" for dt, (k, m) in counts.items())


def _row_text(r):
    if "skipped" in r:
        return f"skipped: {r['skipped']}"
    t = _tally(r["samples"])
    return "  ".join(f"{c} {a}/{n}" for c, (a, n) in t.items() if n) or "no counted samples"


def print_report(report, worst_n=25, out=sys.stdout):
    p = lambda *a: print(*a, file=out)  # noqa: E731
    p(f"{'OpInfo entry':48s} {'dtype':8s} {'minigrad':34s} samples")
    for r in report["rows"]:
        p(f"{r['op']:48s} {r['dtype']:8s} {r['where'] or '-':34s} {len(r['samples']):3d}  {_row_text(r)}")
    t, outcomes, per99 = totals(report)
    p("")
    p(f"OpInfo names present in minigrad: {len(report['present'])} of {len(report['names'])} "
      f"({report['entries_present']} of {report['entries']} OpInfo entries, counting variants)")
    for c in S.CHECKS:
        a, n = t[c]
        p(f"  {LABEL[c]:19s} {a:5d} of {n:5d} samples agree ({_pct(a, n)}); entries at >= 99%: "
          f"{per99[c][0]} of {per99[c][1]};  outcomes: " + ", ".join(f"{k} {v}" for k, v in outcomes[c].most_common()))
    ta, _, _ = totals(report, aliases=True)
    n_alias = len({r["op"] for r in report["rows"] if r.get("alias")})
    if n_alias:
        p(f"Aliases OpInfo lists that minigrad has too ({n_alias}; name@entry, on the entry's samples): "
          + "; ".join(f"{LABEL[c]} {a} of {n} ({_pct(a, n)})" for c, (a, n) in ta.items() if n))
    rows = worst(report, worst_n)
    if rows:
        p("")
        p("Worst offenders (values and gradients; samples failing of samples):")
        for op, counts, first in rows:
            p(f"  {op:28s} {_counts_text(counts):30s} {first[:180]}")


def markdown(report, seconds, worst_n=40):
    t, outcomes, per99 = totals(report)
    lines = ["# minigrad against torch's OpInfo corpus", "",
             f"Generated by `PYTHONPATH=. python -m tests.opinfo_report --markdown benchmarks/opinfo.md` on "
             f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC (torch {S.torch.__version__}, "
             f"Python {platform.python_version()}, {seconds:.0f} s). Do not edit by hand.", "",
             "Every OpInfo entry whose name minigrad has (a function by the same dotted name, or a Tensor method or "
             "property) is run on OpInfo's CPU sample inputs in float64 and float32. *values*: shape, dtype and "
             "values (float64 rtol 1e-10 atol 1e-12, float32 rtol 1.3e-6 atol 1e-5); *gradients*: every input's "
             "gradient of sum(out * w) for a fixed random w (float32 rtol 1e-5); *second derivatives*: where OpInfo sets `supports_gradgrad`, "
             "the gradient of sum(grad * v). Samples torch itself rejects are skipped; a sample minigrad cannot be "
             "given (a complex tensor, a memory format) counts as not agreeing.", "",
             f"**OpInfo names present: {len(report['present'])} of {len(report['names'])}** "
             f"({report['entries_present']} of {report['entries']} entries counting variants).", "",
             "| check | samples agreeing | % | entries at >= 99% | outcomes |", "|---|---|---|---|---|"]
    for c in S.CHECKS:
        a, n = t[c]
        lines.append(f"| {LABEL[c]} | {a} of {n} | {_pct(a, n)} | {per99[c][0]} of {per99[c][1]} | "
                     + ", ".join(f"{k} {v}" for k, v in outcomes[c].most_common()) + " |")
    ta, _, _ = totals(report, aliases=True)
    n_alias = len({r["op"] for r in report["rows"] if r.get("alias")})
    if n_alias:
        lines += ["", f"Aliases OpInfo lists that minigrad has too ({n_alias}, shown as `alias@entry`, run on the "
                  "entry's samples; not in the totals above): "
                  + "; ".join(f"{LABEL[c]} {a} of {n} ({_pct(a, n)})" for c, (a, n) in ta.items() if n) + "."]
    lines += ["", "## Per entry", "", "| OpInfo entry | dtype | minigrad | samples | values | gradients | "
              "second derivatives |", "|---|---|---|---|---|---|---|"]
    for r in report["rows"]:
        if "skipped" in r:
            lines.append(f"| {r['op']} | {r['dtype']} | `{r['where']}` | - | skipped: {r['skipped']} | | |")
            continue
        tt = _tally(r["samples"])
        cells = [f"{a}/{n}" if n else "-" for a, n in (tt[c] for c in S.CHECKS)]
        lines.append(f"| {r['op']} | {r['dtype']} | `{r['where']}` | {len(r['samples'])} | " + " | ".join(cells)
                     + " |")
    rows = worst(report, worst_n)
    if rows:
        lines += ["", "## Worst offenders (values and gradients)", "", "| OpInfo entry | samples failing | first "
                  "failure |", "|---|---|---|"]
        for op, counts, first in rows:
            lines.append(f"| {op} | {_counts_text(counts)} | {first[:220].replace('|', '/')} |")
    lines += ["", f"## OpInfo names minigrad lacks ({len(report['missing'])})", "",
              ", ".join(f"`{m}`" for m in report["missing"]), ""]
    return "\n".join(lines)


def known_failures(report):
    """KNOWN_FAILURES lines for tests/test_opinfo.py, in its format: "entry": ("REASON", {check: indices or ALL}),
    with per-dtype dicts only where the dtypes differ. The reasons are left for a person to write."""
    per = {}
    for r in report["rows"]:
        table = {}
        for check in ("values", "grad"):
            idx = sorted({i for i, c, _, _ in S.failures(r["samples"], (check,))})
            if not idx:
                continue
            counted = [s["index"] for s in r["samples"] if s[check][0] in S.COUNTED]
            table[check] = "ALL" if idx == counted and len(idx) > 3 else idx
        if table:
            per.setdefault(r["op"], {})[r["dtype"]] = table
    lines = []
    for name, by_dtype in per.items():
        tables = list(by_dtype.values())
        body = tables[0] if len(by_dtype) == 2 and tables[0] == tables[1] else by_dtype
        lines.append(f'    "{name}": ("REASON", {body!r}),'.replace("'ALL'", "ALL"))
    return lines


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ops", help="comma-separated OpInfo names or entries (name.variant); default all present")
    ap.add_argument("--dtypes", default="float64,float32")
    ap.add_argument("--no-gradgrad", action="store_true", help="skip second derivatives")
    ap.add_argument("--json", default="opinfo_results.json", help="where to write every sample's outcome")
    ap.add_argument("--markdown", help="write a summary in Markdown here (benchmarks/opinfo.md)")
    ap.add_argument("--worst", type=int, default=25)
    ap.add_argument("--known-failures", action="store_true", help="print a KNOWN_FAILURES skeleton for the test")
    ap.add_argument("-v", "--verbose", action="store_true", help="print each entry as it finishes")
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    progress = (lambda r: print(f"  {r['op']} {r['dtype']} {r['seconds']} s", file=sys.stderr)) if a.verbose else None
    report = run(a.ops.split(",") if a.ops else None, tuple(a.dtypes.split(",")), not a.no_gradgrad, progress)
    seconds = time.perf_counter() - t0
    print_report(report, a.worst)
    print(f"\n{seconds:.1f} s")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(dict(report, seconds=seconds, torch=S.torch.__version__), f, indent=1, default=str)
        print(f"wrote {a.json}")
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write(markdown(report, seconds))
        print(f"wrote {a.markdown}")
    if a.known_failures:
        print("\n".join(known_failures(report)))


if __name__ == "__main__":
    main()
