"""The README is a newcomer's guide, not a log: short, its map points at real paths, and its one
table of figures is written by `make report` (scripts/report.py), so no dated run sits in the
prose. The comments of config.yml say why, not when."""
import glob
import json
import re
import subprocess
import sys

from tests.unit.domain_files import ROOT

README = ROOT / "README.md"
START, END = "<!-- figures:start -->", "<!-- figures:end -->"
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DATED = [
    re.compile(rf"\b\d{{1,2}}(?:-\d{{1,2}})? (?:{MONTHS})\b"),  # 30 November, 29-30 November
    re.compile(rf"\b(?:{MONTHS}) (?:19|20)\d\d\b"),  # November 2026
    re.compile(r"\b20\d\d-\d\d-\d\d\b"),  # 2026-11-30
    re.compile(r"\b\d{1,2}:\d\d UTC\b"),  # 20:48 UTC
]
# A backticked word in the map is a path when it has a folder or a file extension.
PATH_LIKE = re.compile(r"/|\.(?:py|yml|yaml|md|json|template|toml|txt|sh)$")


def readme_lines():
    return README.read_text(encoding="utf-8").splitlines()


def outside_figures(lines):
    text = "\n".join(lines)
    head, rest = text.split(START)
    return head + rest.split(END)[1]


def section(lines, title):
    start = lines.index(title) + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("## ")), len(lines))
    return lines[start:end]


def dates_in(text):
    return [m.group(0) for pattern in DATED for m in pattern.finditer(text)]


def test_the_readme_is_at_most_250_lines():
    assert len(readme_lines()) <= 250, f"README.md has {len(readme_lines())} lines: link to docs/ instead"


def test_the_figures_markers_appear_exactly_once_and_in_order():
    text = README.read_text(encoding="utf-8")
    assert text.count(START) == 1 and text.count(END) == 1
    assert text.index(START) < text.index(END)


def test_every_path_in_the_map_exists():
    rows = [line for line in section(readme_lines(), "## Where things live") if line.startswith("| ")][1:]
    assert len(rows) > 20, "the map ('Where things live') is missing or empty"
    paths, missing = [], []
    for row in rows:
        where = row.split("|")[2]
        for word in re.findall(r"`([^`]+)`", where):
            if PATH_LIKE.search(word):
                paths.append(word)
                if not glob.glob(str(ROOT / word)):
                    missing.append(word)
    assert paths and missing == [], f"the README's map points at paths that do not exist: {missing}"


def test_no_date_in_the_readme_outside_the_generated_figures():
    found = dates_in(outside_figures(readme_lines()))
    assert found == [], f"dates in README.md (history belongs in git, figures in the generated table): {found}"


def test_no_dated_figure_in_the_comments_of_config_yml():
    comments = [line.split("#", 1)[1] for line in (ROOT / "config.yml").read_text().splitlines() if "#" in line]
    found = [(comment.strip(), dates_in(comment)) for comment in comments if dates_in(comment)]
    found += [(c.strip(), "a year") for c in comments if re.search(r"\b20\d\d\b", c) and not dates_in(c)]
    assert found == [], f"config.yml comments quote dated runs; say why and which command measures it: {found}"


def test_make_report_writes_the_figures_table_from_the_reports(tmp_path):
    reports, readme = tmp_path / "reports", tmp_path / "README.md"
    (reports / "heldout" / "en").mkdir(parents=True)
    (reports / "heldout" / "en" / "intent_report.json").write_text(json.dumps({
        "accuracy": 0.9876, "request_opt_out": {"precision": 1.0, "recall": 0.96},
        "request_opt_in": {"precision": 0.97, "recall": 1.0}}))
    (reports / "safeguarding.json").write_text(json.dumps({"recall": 0.99, "false_positive_rate": 0.004}))
    readme.write_text(f"# Title\n\nBefore.\n\n{START}\nan old table\n{END}\n\nAfter.\n")

    done = subprocess.run([sys.executable, "scripts/report.py", "--reports", str(reports), "--readme", str(readme)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    text = readme.read_text()
    assert text.startswith("# Title\n\nBefore.\n\n") and text.endswith(f"{END}\n\nAfter.\n")
    assert "an old table" not in text
    rows = {line.split(" | ")[0].lstrip("| "): line for line in text.splitlines() if line.startswith("| ")}
    assert "| 0.988 | ≥ 0.95 | `make eval` |" in rows["Held-out intent accuracy, English"]
    assert "| 1.000 / 0.960 |" in rows["Held-out `request_opt_out` precision / recall, English"]
    assert "| not measured |" in rows["Held-out intent accuracy, Welsh"]  # no reports/heldout/cy/
    assert "| 0.990 | ≥ 0.98 |" in rows["Safeguarding recall (distress messages caught)"]
    assert "| not measured | ≤ 300 | `make bench` |" in rows["p95 latency at 10 learners (ms)"]
    assert all(line.count(" | ") == 3 for line in rows.values())


def test_make_report_refuses_a_readme_without_one_figures_block(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# No markers here\n")
    done = subprocess.run([sys.executable, "scripts/report.py", "--reports", str(tmp_path / "reports"),
                           "--readme", str(readme)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1 and "figures" in done.stderr
    assert readme.read_text() == "# No markers here\n"
