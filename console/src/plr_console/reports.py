"""The latest results in reports/, read-only: what `make eval`, `make bench`, `make test` and
`make report` wrote there, as figure tables, Markdown reports and plots.

Only files under reports/ are ever read: a Markdown report directly in it, a plot in one of the
folders the tools draw into (so the browser tests' screenshots in reports/ itself are never taken
for plots), every part of a name checked, and the resolved path must still be inside reports/."""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")
TEXT = (".md",)
IMAGES = {".png": "image/png", ".svg": "image/svg+xml"}
# Where the tools put their plots: make report (plots/), rasa test nlu in make eval and make test
# (heldout/, crossval/) and the story tests (stories/).
PLOT_FOLDERS = ("plots", "heldout", "heldout/en", "heldout/cy", "crossval", "stories")
# Alt text for the plots the tools are known to draw; any other gets one made from its name.
ALT = {
    "bench-latency.png": "Latency (p50, p95) and throughput by number of learners, the assistant against the "
                         "reference bot",
    "bench-long-conversation.png": "Median reply time along a 200-turn conversation",
    "bench-services.png": "CPU use and memory of each service at each load level",
    "intent_confusion_matrix.png": "Intent confusion matrix: which intent each message was taken for",
    "intent_histogram.png": "Histogram of intent confidence, right and wrong predictions",
    "response_selection_confusion_matrix.png": "FAQ answer confusion matrix: which answer each question got",
    "response_selection_histogram.png": "Histogram of FAQ answer confidence, right and wrong choices",
    "story_confusion_matrix.png": "Action confusion matrix of the story tests",
}
FOLDER_NAMES = {"plots": "make report", "heldout": "held-out set", "heldout/en": "held-out set, English",
                "heldout/cy": "held-out set, Welsh", "crossval": "cross-validation", "stories": "story tests"}


def _modified(path: Path) -> str:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _inside(directory: Path, path: Path) -> bool:
    try:
        return path.resolve().is_relative_to(directory.resolve()) and path.is_file()
    except OSError:
        return False


def find(directory: Path, relative: str, suffixes) -> Path | None:
    """The file at `relative` under `directory`, or None: a Markdown report only directly in it,
    a plot only in PLOT_FOLDERS; no empty, dot-led or `..` part; nothing outside by a symlink."""
    parts = (relative or "").split("/")
    if not all(NAME.match(part) for part in parts) or Path(parts[-1]).suffix not in suffixes:
        return None
    folder = "/".join(parts[:-1])
    allowed = ("",) if suffixes == TEXT else PLOT_FOLDERS
    if folder not in allowed:
        return None
    path = directory.joinpath(*parts)
    return path if _inside(directory, path) else None


def texts(directory: Path) -> list[dict]:
    if not directory.is_dir():
        return []
    found = sorted(p for p in directory.iterdir() if p.suffix in TEXT and NAME.match(p.name) and _inside(directory, p))
    return [{"name": p.name, "modified": _modified(p)} for p in found]


def plots(directory: Path, folders=PLOT_FOLDERS) -> list[dict]:
    out = []
    for folder in folders:
        base = directory.joinpath(*folder.split("/"))
        if not base.is_dir():
            continue
        for path in sorted(base.iterdir()):
            if path.suffix in IMAGES and NAME.match(path.name) and _inside(directory, path):
                what = ALT.get(path.name) or path.stem.replace("_", " ").replace("-", " ").capitalize()
                out.append({"path": f"{folder}/{path.name}", "modified": _modified(path),
                            "alt": f"{what} ({FOLDER_NAMES[folder]})"})
    return out


# ---- Figures as tables -------------------------------------------------------------------------

def _load(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _n(value: Any, digits: int = 3) -> str:
    if isinstance(value, bool) or value is None:
        return "not measured" if value is None else str(value)
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _table(caption: str, headers: list[str], rows: list[list[Any]]) -> dict:
    return {"caption": caption, "headers": headers, "rows": [[str(c) for c in row] for row in rows]}


def _bench(directory: Path) -> tuple[list[dict], list[Path], list[str]]:
    path = directory / "bench.json"
    bench = _load(path)
    if not isinstance(bench, dict):
        return [], [], []
    rows = [[bot, r["users"], _n(r["p50_ms"], 1), _n(r["p95_ms"], 1), _n(r["p99_ms"], 1), _n(r["rps"], 2),
             r["errors"]] for bot in ("assistant", "reference") for r in bench.get(bot) or []]
    long = bench.get("long_conversation") or {}
    tables = [
        _table("Reply time and throughput by number of learners", ["Bot", "Learners", "p50 ms", "p95 ms",
                                                                   "p99 ms", "Messages a second", "Errors"], rows),
        _table("Other figures", ["Figure", "Value"], [
            ["Long conversation (200 turns): median reply, first 20 / last 20 turns",
             f"{_n(long.get('first_p50_ms'), 1)} ms / {_n(long.get('last_p50_ms'), 1)} ms"],
            ["Rasa server's peak memory", f"{_n(bench.get('rasa_rss_mb'), 1)} MB"],
            ["Training the full assistant (fresh)", f"{_n(bench.get('train_seconds'), 1)} s"],
            ["Cold start (process start to first answer)", f"{_n(bench.get('cold_start_seconds'), 1)} s"]])]
    targets = markdown_table_after(directory / "bench.md", "Targets")
    if targets:
        tables.append(targets | {"caption": "Targets"})
    notes = []
    details = _load(directory / "bench-details.json") or {}
    if isinstance(details, dict) and (details.get("load_average_at_start") or 0) > 1.5:
        notes.append("The machine was busy when these figures were taken: measure again on a quiet machine "
                     "before quoting them.")
    return tables, [path], notes


def _intent_figures(report: Any, response: Any) -> list[str]:
    report = report if isinstance(report, dict) else {}
    response = response if isinstance(response, dict) else {}
    return [_n(report.get("accuracy")), _n((report.get("macro avg") or {}).get("f1-score")),
            _n((report.get("weighted avg") or {}).get("f1-score")), _n(response.get("accuracy"))]


FIGURE_NAMES = ["Intent accuracy", "Intent macro F1", "Intent weighted F1", "FAQ answer (response selector) accuracy"]


def _heldout(directory: Path) -> tuple[list[dict], list[Path], list[str]]:
    paths, columns, weakest = [], [], []
    for language, name in (("en", "English"), ("cy", "Welsh")):
        path = directory / "heldout" / language / "intent_report.json"
        report = _load(path)
        if not isinstance(report, dict):
            continue
        paths.append(path)
        columns.append((name, _intent_figures(report, _load(directory / "heldout" / language
                                                            / "response_selection_report.json"))))
        intents = {k: v for k, v in report.items() if isinstance(v, dict) and "f1-score" in v
                   and not k.endswith(" avg")}
        for intent, f in sorted(intents.items(), key=lambda kv: (kv[1]["f1-score"], kv[0]))[:5]:
            weakest.append([name, intent, _n(f["precision"]), _n(f["recall"]), _n(f["f1-score"]), f["support"]])
    if not columns:
        return [], [], []
    rows = [[figure] + [values[i] for _, values in columns] for i, figure in enumerate(FIGURE_NAMES)]
    return [_table("Held-out figures", ["Figure"] + [name for name, _ in columns], rows),
            _table("The five weakest intents in each language", ["Language", "Intent", "Precision", "Recall", "F1",
                                                                  "Messages"], weakest)], paths, []


def _crossval(directory: Path) -> tuple[list[dict], list[Path], list[str]]:
    tables, paths = [], []
    quality_path = directory / "nlu-quality.json"
    quality = _load(quality_path)
    if isinstance(quality, dict):
        paths.append(quality_path)
        cv = quality.get("cross_validation")
        if isinstance(cv, dict):
            rows = [[name, f"{cv[key]['mean']:.4f} ± {cv[key]['sd']:.4f}", cv[key]["n"]]
                    for key, name in (("intent_accuracy", "Intent accuracy"), ("intent_macro_f1", "Intent macro F1"),
                                      ("response_accuracy", "FAQ answer accuracy")) if key in cv]
            tables.append(_table(f"{cv.get('folds')}-fold cross-validation of data/nlu/, seeds {cv.get('seeds')}",
                                 ["Figure", "Mean ± sd", "Folds"], rows))
        held = quality.get("heldout")
        if isinstance(held, dict) and isinstance(held.get("request_intents"), dict):
            rows = [[intent, _n(f.get("precision")), _n(f.get("recall")), f.get("support")]
                    for intent, f in held["request_intents"].items()]
            tables.append(_table("Opt-out and opt-in requests on the held-out set (target 0.95 each)",
                                 ["Intent", "Precision", "Recall", "Messages"], rows))
    report_path = directory / "crossval" / "intent_report.json"
    report = _load(report_path)
    if isinstance(report, dict):
        paths.append(report_path)
        tables.append(_table("Cross-validation report in crossval/", ["Figure", "Value"],
                             [[n, v] for n, v in zip(FIGURE_NAMES, _intent_figures(
                                 report, _load(directory / "crossval" / "response_selection_report.json")),
                                                     strict=True)]))
    return tables, paths, []


def _safeguarding(directory: Path) -> tuple[list[dict], list[Path], list[str]]:
    path = directory / "safeguarding.json"
    data = _load(path)
    if not isinstance(data, dict):
        return [], [], []
    return [_table("Safeguarding on the held-out messages", ["Figure", "Value"], [
        ["Distress messages caught (recall)", f"{_n(data.get('recall'), 4)} of {data.get('distress')}"],
        ["Ordinary messages taken for distress (false-positive rate)",
         f"{_n(data.get('false_positive_rate'), 4)} of {data.get('ordinary')}"],
        ["Distress messages missed", len(data.get("misses") or [])],
        ["False alarms", len(data.get("false_alarms") or [])]])], [path], []


def _language(directory: Path) -> tuple[list[dict], list[Path], list[str]]:
    path = directory / "language.json"
    data = _load(path)
    if not isinstance(data, dict):
        return [], [], []
    return [_table("Language detection on the held-out phrasings", ["Figure", "Value"], [
        ["Welsh phrasings detected as Welsh", f"{_n(data.get('welsh_detected'))} of {data.get('welsh')}"],
        ["English phrasings taken for Welsh", f"{_n(data.get('english_marked_welsh'))} of {data.get('english')}"]])
    ], [path], []


def _stories(directory: Path) -> tuple[list[dict], list[Path], list[str]]:
    path = directory / "stories" / "story_report.json"
    data = _load(path)
    if not isinstance(data, dict):
        return [], [], []
    conv = data.get("conversation_accuracy") or {}
    return [_table("Story tests", ["Figure", "Value"], [
        ["Stories passed", f"{conv.get('correct')} of {conv.get('total')}"],
        ["Action accuracy", _n(data.get("accuracy"))],
        ["Action macro F1", _n((data.get("macro avg") or {}).get("f1-score"))]])], [path], []


def _conversations(directory: Path) -> tuple[list[dict], list[Path], list[str]]:
    path = directory / "conversations.json"
    data = _load(path)
    if not isinstance(data, dict) or not isinstance(data.get("summary"), dict):
        return [], [], []
    s = data["summary"]
    return [_table("Scripted conversations", ["Passed", "Failed", "Skipped", "Broken files", "Seconds"],
                   [[s.get("passed"), s.get("failed"), s.get("skipped"), s.get("broken"), s.get("seconds")]])
            ], [path], []


# key, title, the command that writes the figures, their reader, Markdown reports, plot folders,
# and the command that draws the plots.
Reader = Callable[[Path], tuple[list[dict], list[Path], list[str]]]
SECTIONS: list[tuple[str, str, str, Reader, tuple[str, ...], tuple[str, ...], str]] = [
    ("bench", "Speed and memory", "make bench", _bench, ("bench.md", "backend-bench.md"), ("plots",),
     "make report"),
    ("heldout", "Understanding: the held-out sets, English and Welsh", "make eval", _heldout, (),
     ("heldout", "heldout/en", "heldout/cy"), ""),
    ("crossval", "Understanding: cross-validation and the request intents", "make eval", _crossval,
     ("nlu-quality.md",), ("crossval",), ""),
    ("safeguarding", "Safeguarding: spotting a learner in distress", "make eval", _safeguarding,
     ("safeguarding.md",), (), ""),
    ("language", "Telling Welsh from English", "make eval", _language, ("language.md",), (), ""),
    ("stories", "Story tests (the dialogue)", "make test", _stories, (), ("stories",), ""),
    ("conversations", "Scripted conversations from the terminal", "make conversations", _conversations, (), (), ""),
]


def sections(directory: Path) -> list[dict]:
    out = []
    for key, title, command, reader, md, folders, plot_command in SECTIONS:
        try:
            tables, sources, notes = reader(directory)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            # A report of an older or newer shape: say so rather than fail the page.
            tables, sources, notes = [], [], [f"The results are in a form this console cannot read: run "
                                              f"{command} again."]
        found = [path for path in sources if path.exists()]
        out.append({
            "key": key, "title": title, "command": command, "tables": tables, "notes": notes,
            "updated": max((_modified(p) for p in found), default=None),
            "texts": [t for t in texts(directory) if t["name"] in md],
            "plots": plots(directory, folders), "plot_folders": folders, "plot_command": plot_command})
    return out


# ---- Markdown reports, read as blocks of headings, paragraphs, lists and tables ----------------

INLINE = re.compile(r"(\*\*[^*]+\*\*|`[^`]+`)")


def inline(text: str) -> list[tuple[str, str]]:
    """(kind, text) pieces: "strong", "code" or "text"; the template escapes each one."""
    pieces = []
    for part in INLINE.split(text):
        if not part:
            continue
        if part.startswith("**") and part.endswith("**") and len(part) > 4:
            pieces.append(("strong", part[2:-2]))
        elif part.startswith("`") and part.endswith("`") and len(part) > 2:
            pieces.append(("code", part[1:-1]))
        else:
            pieces.append(("text", part))
    return pieces


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def blocks(text: str) -> list[dict]:
    out: list[dict] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        if not line.strip():
            i += 1
        elif line.lstrip().startswith("|"):
            rows = []
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                cells = _cells(lines[i])
                if not all(re.fullmatch(r":?-{1,}:?", c) for c in cells if c):
                    rows.append([inline(c) for c in cells])
                i += 1
            if rows:
                out.append({"kind": "table", "headers": rows[0], "rows": rows[1:]})
        elif line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            out.append({"kind": "heading", "level": min(level, 4), "text": inline(line.lstrip("#").strip())})
            i += 1
        elif line.lstrip().startswith(("- ", "* ")):
            items = []
            while i < len(lines) and lines[i].lstrip().startswith(("- ", "* ")):
                items.append(inline(lines[i].lstrip()[2:]))
                i += 1
            out.append({"kind": "list", "entries": items})
        else:
            para = []
            while i < len(lines) and lines[i].strip() and not lines[i].lstrip().startswith(("|", "#", "- ", "* ")):
                para.append(lines[i].strip())
                i += 1
            out.append({"kind": "para", "text": inline(" ".join(para))})
    return out


def markdown_table_after(path: Path, heading: str) -> dict | None:
    """The first table after a heading containing `heading`, as plain cells."""
    try:
        found = blocks(path.read_text(errors="replace"))
    except OSError:
        return None
    after = False
    for block in found:
        if block["kind"] == "heading":
            after = heading.lower() in "".join(t for _, t in block["text"]).lower()
        elif after and block["kind"] == "table":
            plain = lambda cells: ["".join(t for _, t in cell) for cell in cells]  # noqa: E731
            return {"headers": plain(block["headers"]), "rows": [plain(r) for r in block["rows"]]}
    return None
