"""Run every benchmarks/bench_*.py, collect the JSON line each ends with, print the results table.

Each benchmark's last line is JSON with a "rows" list: {"figure", "value", "unit", "floor"} where
"floor" is the same work without the platform, measured in the same run (null where none applies).
With --readme the table between the results markers of README.md is replaced; with ``--only NAME``
(e.g. ``--only bench_auction``) only that benchmark runs and, with --readme, only its rows are
replaced (matched by figure), the others' latest figures kept.
"""
import datetime as dt
import json
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
README = HERE.parent / "README.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.machine())
    import os

    return f"{os.cpu_count()} cores, {cpu}"


def run(script: Path) -> list[dict]:
    print(f"== {script.name}", flush=True)
    result = subprocess.run([sys.executable, str(script)], cwd=HERE.parent, capture_output=True, text=True)
    sys.stdout.write(result.stdout)
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"{script.name} failed with exit code {result.returncode}")
    return json.loads(result.stdout.strip().splitlines()[-1])["rows"]


def table(rows: list[dict], when: str, where: str) -> str:
    lines = ["| figure | value | floor | ratio | date | machine |", "|---|---|---|---|---|---|"]
    for row in rows:
        value, floor, unit = row["value"], row.get("floor"), row.get("unit", "")
        ratio = f"{value / floor:.2f}" if floor else "–"
        floor_text = f"{floor:,.0f} {unit}" if floor is not None else "–"  # a floor of 0 (lost events) shows
        lines.append(f"| {row['figure']} | {value:,.0f} {unit} | {floor_text} | {ratio} | {when} | {where} |")
    return "\n".join(lines)


def merged(old: str, new: str) -> str:
    """The README's table ``old`` with each row of ``new`` in place of the row with the same figure,
    and the rows of figures it did not have at the end."""
    lines = old.strip().splitlines()
    rows = {row.split(" | ")[0]: row for row in new.splitlines()[2:]}
    kept = [rows.pop(line.split(" | ")[0], line) for line in lines[2:]]
    return "\n".join(lines[:2] + kept + list(rows.values()))


def main():
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else None
    rows = []
    for script in sorted(HERE.glob("bench_*.py")):
        if only is None or script.stem == only:
            rows.extend(run(script))
    text = table(rows, dt.date.today().isoformat(), machine())
    print(text)
    if "--readme" in sys.argv:
        readme = README.read_text()
        head, rest = readme.split(START, 1)
        current, tail = rest.split(END, 1)
        if only is not None:
            text = merged(current, text)
        README.write_text(f"{head}{START}\n{text}\n{END}{tail}")


if __name__ == "__main__":
    main()
