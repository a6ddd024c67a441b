#!/usr/bin/env python3
"""`make report`: one page, reports/index.html, with the latest results of every check.

    .venv/bin/python scripts/report.py        # then open reports/index.html in a browser

It only reads what the other commands wrote to reports/ (nothing is re-run):
  make eval            reports/heldout/, reports/crossval/, reports/nlu-quality.json
  make test            reports/stories/ (story tests), reports/heldout/ (held-out gate)
  make conversations   reports/conversations.json
  make bench           reports/bench.json, reports/bench-details.json
  make bench-backend   reports/backend-bench.json
A section whose files are missing says which command produces them. Plots are drawn with
matplotlib into reports/plots/.

It also rewrites the figures table in README.md (between `<!-- figures:start -->` and
`<!-- figures:end -->`): one row per figure with its value, its target and the command that
measures it, "not measured" where the report is missing. The targets come from the tools that
measure them, so they are written in one place. `--no-readme` leaves README.md alone.
"""
from __future__ import annotations

import argparse
import html
import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
STYLE = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#1b1b1b;line-height:1.45}
h1{margin-bottom:0}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#0a6b2d;font-weight:600}.bad{color:#b00020;font-weight:600}.muted{color:#666}
.missing{background:#fff6e0;border-left:4px solid #e0a000;padding:.5em 1em}
pre{background:#f7f7f7;padding:.6em;overflow-x:auto;font-size:.85em}img{max-width:100%;border:1px solid #eee}
nav a{margin-right:1em}details{margin:.4em 0}
"""


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def load(path: Path) -> Optional[Any]:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def when(path: Path) -> str:
    return datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d %H:%M") if path.exists() else "never"


def missing(what: str, command: str) -> str:
    return f'<p class="missing">No {esc(what)} yet: run <code>{esc(command)}</code>, then <code>make report</code>.</p>'


def num(value: Any, digits: int = 3) -> str:
    if isinstance(value, float):
        return f'<td class="num">{value:.{digits}f}</td>'
    return f'<td class="num">{esc(value)}</td>'


def verdict(ok: Optional[bool]) -> str:
    return {True: '<span class="ok">met</span>', False: '<span class="bad">missed</span>',
            None: '<span class="muted">not measured</span>'}[ok]


def table(headers: List[str], rows: List[str]) -> str:
    return "<table><tr>" + "".join(f"<th>{esc(h)}</th>" for h in headers) + "</tr>" + "".join(rows) + "</table>"


def image(reports: Path, relative: str, alt: str) -> str:
    return f'<p><img src="{esc(relative)}" alt="{esc(alt)}"></p>' if (reports / relative).exists() else ""


def intent_section(reports: Path, folder: str, title: str, command: str) -> str:
    path = reports / folder / "intent_report.json"
    data = load(path)
    if not data:
        return f"<h3>{esc(title)}</h3>" + missing(title.lower(), command)
    out = [f"<h3>{esc(title)}</h3>", f'<p class="muted">{esc(path.relative_to(reports))}, {when(path)}</p>']
    macro = data.get("macro avg") or {}
    weighted = data.get("weighted avg") or {}
    summary = [f"<tr><td>intent accuracy</td>{num(data.get('accuracy'))}</tr>",
               f"<tr><td>macro F1</td>{num(macro.get('f1-score'))}</tr>",
               f"<tr><td>weighted F1</td>{num(weighted.get('f1-score'))}</tr>"]
    response = load(reports / folder / "response_selection_report.json")
    if response:
        summary.append(f"<tr><td>response-selector accuracy (FAQ topic)</td>{num(response.get('accuracy'))}</tr>")
    out.append(table(["Figure", "Value"], summary))
    intents = {k: v for k, v in data.items() if isinstance(v, dict) and "f1-score" in v and not k.endswith(" avg")}
    rows = []
    for name, figures in sorted(intents.items(), key=lambda kv: (kv[1]["f1-score"], kv[0])):
        confused = ", ".join(f"{c}: {n}" for c, n in (figures.get("confused_with") or {}).items())
        rows.append(f"<tr><td>{esc(name)}</td>{num(figures['precision'])}{num(figures['recall'])}"
                    f"{num(figures['f1-score'])}{num(figures['support'])}<td>{esc(confused)}</td></tr>")
    out.append("<details><summary>Per-intent F1 (worst first)</summary>"
               + table(["Intent", "Precision", "Recall", "F1", "Support", "Confused with"], rows) + "</details>")
    out.append(image(reports, f"{folder}/intent_confusion_matrix.png", f"{title}: intent confusion matrix"))
    if response:
        topics = {k: v for k, v in response.items() if isinstance(v, dict) and "f1-score" in v
                  and not k.endswith(" avg")}
        worst = sorted(topics.items(), key=lambda kv: kv[1]["f1-score"])[:10]
        rows = [f"<tr><td>{esc(k)}</td>{num(v['precision'])}{num(v['recall'])}{num(v['f1-score'])}"
                f"{num(v['support'])}</tr>" for k, v in worst]
        out.append("<details><summary>FAQ topics, the 10 weakest</summary>"
                   + table(["Topic", "Precision", "Recall", "F1", "Support"], rows) + "</details>")
    return "\n".join(out)


def nlu_quality_section(reports: Path) -> str:
    path = reports / "nlu-quality.json"
    data = load(path)
    if not data:
        return "<h3>Repeated cross-validation, opt-out/opt-in and fallback thresholds</h3>" + \
            missing("NLU quality figures", "make eval")
    out = ["<h3>Repeated cross-validation, opt-out/opt-in and fallback thresholds</h3>",
           f'<p class="muted">reports/nlu-quality.json, {when(path)}</p>']
    cv = data.get("cross_validation")
    if cv:
        rows = [f"<tr><td>{esc(name)}</td><td class='num'>{cv[key]['mean']:.4f} ± {cv[key]['sd']:.4f}</td>"
                f"{num(cv[key]['n'])}</tr>" for key, name in (("intent_accuracy", "intent accuracy"),
                                                              ("intent_macro_f1", "intent macro F1"),
                                                              ("response_accuracy", "response-selector accuracy"))]
        out.append(f"<p>{cv['folds']}-fold cross-validation of data/nlu/ repeated with seeds {esc(cv['seeds'])} "
                   "(FallbackClassifier dropped): mean ± sd over folds.</p>" + table(["Metric", "mean ± sd", "folds"],
                                                                                      rows))
    held = data.get("heldout")
    if held:
        rows = []
        for intent, figures in held["request_intents"].items():
            ok = all(v is not None and v >= 0.95 for v in (figures["precision"], figures["recall"]))
            rows.append(f"<tr><td>{esc(intent)}</td>{num(figures['precision'])}{num(figures['recall'])}"
                        f"{num(figures['support'])}<td>{verdict(ok)}</td></tr>")
        out.append("<p>Held-out precision and recall of the request intents (target ≥ 0.95 each):</p>"
                   + table(["Intent", "Precision", "Recall", "Support", "Target"], rows))
        for mistake in held.get("request_intent_mistakes") or []:
            out.append(f"<p class='muted'>“{esc(mistake['text'])}”: expected {esc(mistake['expected'])}, "
                       f"got {esc(mistake['predicted'])}</p>")
        current, chosen = held["current"], held["chosen"]
        out.append(f"<p>FallbackClassifier on the held-out set: now threshold {current['threshold']}, ambiguity "
                   f"{current['ambiguity_threshold']} (fallback rate {esc(current.get('fallback_rate'))}, error "
                   f"rate {esc(current.get('error_rate'))}); best in the sweep: threshold {chosen['threshold']}, "
                   f"ambiguity {chosen['ambiguity_threshold']} (fallback rate {chosen['fallback_rate']}, error rate "
                   f"{chosen['error_rate']}).</p>")
        rows = [f"<tr><td>{r['threshold']}</td><td>{r['ambiguity_threshold']}</td>{num(r['fallback_rate'])}"
                f"{num(r['error_rate'])}{num(r['accuracy'])}{num(r['opt_out_in_confusions'])}</tr>"
                for r in held["sweep"]]
        out.append("<details><summary>The whole sweep</summary>" + table(
            ["Threshold", "Ambiguity", "Fallback rate", "Error rate", "Accuracy", "Opt-out/in confusions"], rows)
            + "</details>")
    return "\n".join(out)


def stories_section(reports: Path) -> str:
    path = reports / "stories" / "story_report.json"
    data = load(path)
    if not data:
        return missing("story-test results", "make test (or scripts/story_tests.sh)")
    conv = data.get("conversation_accuracy") or {}
    failed = reports / "stories" / "failed_test_stories.yml"
    failed_text = failed.read_text() if failed.exists() else ""
    ok = conv.get("correct") == conv.get("total")
    out = [f'<p class="muted">reports/stories/, {when(path)}</p>',
           table(["Figure", "Value"], [
               f"<tr><td>stories passed</td><td class='num'>{esc(conv.get('correct'))} / {esc(conv.get('total'))} "
               f"{verdict(ok)}</td></tr>",
               f"<tr><td>action accuracy</td>{num(data.get('accuracy'))}</tr>",
               f"<tr><td>action macro F1</td>{num((data.get('macro avg') or {}).get('f1-score'))}</tr>"])]
    if failed_text.strip() and "None of the test stories failed" not in failed_text:
        out.append("<details open><summary>Failed stories (what was predicted is in the comments)</summary>"
                   f"<pre>{esc(failed_text)}</pre></details>")
    out.append(image(reports, "stories/story_confusion_matrix.png", "action confusion matrix"))
    return "\n".join(out)


def conversations_section(reports: Path) -> str:
    path = reports / "conversations.json"
    data = load(path)
    if not data:
        return missing("conversation-runner results", "make conversations")
    summary = data["summary"]
    out = [f'<p class="muted">reports/conversations.json, {when(path)}, against {esc(data.get("target"))}</p>',
           f"<p><b>{summary['passed']} passed</b>, <b class='{'bad' if summary['failed'] else 'ok'}'>"
           f"{summary['failed']} failed</b>, {summary['skipped']} skipped, {summary['broken']} broken file(s), "
           f"{summary['seconds']} s.</p>"]
    rows = []
    for case in data["cases"]:
        status = {"passed": '<span class="ok">pass</span>', "failed": '<span class="bad">FAIL</span>',
                  "skipped": '<span class="muted">skip</span>'}[case["status"]]
        rows.append(f"<tr><td>{status}</td><td>{esc(case['file'])}</td><td>{esc(case['name'])}</td>"
                    f"<td>{esc(', '.join(case.get('tags') or []))}</td>{num(case['seconds'], 1)}</tr>")
    out.append(table(["", "File", "Conversation", "Tags", "Seconds"], rows))
    for error in data.get("broken_files") or []:
        out.append(f"<p class='bad'>Broken file: {esc(error)}</p>")
    for case in (c for c in data["cases"] if c["status"] == "failed"):
        lines = []
        for turn in case["turns"]:
            lines.append(f"learner> {turn['user']}" + (f"   (NLU: {turn['intent']})" if turn.get("intent") else ""))
            for reply in turn["replies"]:
                lines.append(f"bot    > {reply.get('text') or ''}")
                if reply.get("buttons"):
                    lines.append("          buttons: " + " | ".join(reply["buttons"]))
            if turn.get("responses") is not None:
                lines.append(f"          responses: {turn['responses']}")
            lines += [f"!! {f}" for f in turn.get("failures") or []]
        out.append(f"<details open><summary><b class='bad'>{esc(case['name'])}</b> ({esc(case['file'])}) failed at "
                   f"{esc(case['failed_step'])}: {esc(case['failure'])}</summary><pre>{esc(chr(10).join(lines))}</pre>"
                   "</details>")
    return "\n".join(out)


def bench_section(reports: Path) -> str:
    path = reports / "bench.json"
    bench, details = load(path), load(reports / "bench-details.json") or {}
    if not bench:
        return missing("benchmark figures", "make bench")
    from stafftools import plots
    from stafftools.benchmd import verdicts

    machine = details.get("machine") or {}
    out = [f'<p class="muted">reports/bench.json, {when(path)}; {esc(machine.get("cpus"))} CPUs '
           f'({esc(machine.get("cpu_model"))}); load average at start {esc(details.get("load_average_at_start"))}, '
           f'at end {esc(details.get("load_average_at_end"))}</p>']
    if (details.get("load_average_at_start") or 0) > 1.5:
        out.append('<p class="missing">The machine was busy when these figures were taken: re-measure them on a '
                   'quiet machine before quoting them.</p>')
    rows = []
    for bot in ("assistant", "reference"):
        for row in bench.get(bot) or []:
            rows.append(f"<tr><td>{bot}</td>{num(row['users'])}{num(row['p50_ms'], 1)}{num(row['p95_ms'], 1)}"
                        f"{num(row['p99_ms'], 1)}{num(row['rps'], 2)}{num(row['errors'])}</tr>")
    out.append(table(["Bot", "Learners", "p50 ms", "p95 ms", "p99 ms", "msg/s", "Errors"], rows))
    long = bench.get("long_conversation") or {}
    out.append(table(["Figure", "Value"], [
        f"<tr><td>long conversation p50, first 20 / last 20 turns</td><td>{esc(long.get('first_p50_ms'))} ms / "
        f"{esc(long.get('last_p50_ms'))} ms</td></tr>",
        f"<tr><td>Rasa peak RSS</td><td>{esc(bench.get('rasa_rss_mb'))} MB</td></tr>",
        f"<tr><td>training time (fresh, empty cache)</td><td>{esc(bench.get('train_seconds'))} s</td></tr>",
        f"<tr><td>cold start (process start to first answer)</td><td>{esc(bench.get('cold_start_seconds'))} s"
        "</td></tr>"]))
    out.append(table(["Target", "Value", ""], [f"<tr><td>{esc(v['target'])}</td><td>{esc(v['value'])}</td>"
                                              f"<td>{verdict(v['met'])}</td></tr>" for v in verdicts(bench)]))
    plot_dir = reports / "plots"
    plots.latency_by_users(bench, plot_dir / "bench-latency.png")
    out.append(image(reports, "plots/bench-latency.png", "latency and throughput by number of learners"))
    if details.get("assistant"):
        plots.long_conversation(details, plot_dir / "bench-long-conversation.png")
        plots.services(details, plot_dir / "bench-services.png")
        out.append(image(reports, "plots/bench-long-conversation.png", "p50 latency along a 200-turn conversation"))
        out.append(image(reports, "plots/bench-services.png", "CPU and memory of each service"))
    backend = reports / "backend-bench.md"
    if backend.exists():
        out.append(f'<p>The backend\'s own benchmark: <a href="backend-bench.md">backend-bench.md</a> '
                   f"({when(backend)}).</p>")
    return "\n".join(out)


# ---- The figures table of README.md ------------------------------------------------------------

FIGURES_START, FIGURES_END = "<!-- figures:start -->", "<!-- figures:end -->"
NOT_MEASURED = "not measured"
Row = Tuple[str, str, str, str]  # figure, value, target, command that measures it


def fixed(value: Any, digits: int = 3) -> str:
    return f"{value:.{digits}f}" if isinstance(value, (int, float)) and not isinstance(value, bool) else NOT_MEASURED


def heldout_rows(reports: Path) -> List[Row]:
    from stafftools.targets import HELDOUT_TARGETS as TARGETS
    from stafftools.targets import REQUEST_INTENTS
    from stafftools.targets import REQUEST_TARGET as TARGET

    rows: List[Row] = []
    for language, name in (("en", "English"), ("cy", "Welsh")):
        intents = load(reports / "heldout" / language / "intent_report.json") or {}
        responses = load(reports / "heldout" / language / "response_selection_report.json") or {}
        rows.append((f"Held-out intent accuracy, {name}", fixed(intents.get("accuracy")),
                     f"≥ {TARGETS['intent']}", "`make eval`"))
        rows.append((f"Held-out FAQ answer (response selector) accuracy, {name}", fixed(responses.get("accuracy")),
                     f"≥ {TARGETS['response selector']}", "`make eval`"))
        for intent in REQUEST_INTENTS:
            figures = intents.get(intent) or {}
            both = (figures.get("precision"), figures.get("recall"))
            value = " / ".join(fixed(v) for v in both) if all(isinstance(v, (int, float)) for v in both) \
                else NOT_MEASURED
            rows.append((f"Held-out `{intent}` precision / recall, {name}", value, f"≥ {TARGET} each",
                         "`make eval`"))
    return rows


def safeguarding_rows(reports: Path) -> List[Row]:
    from stafftools.targets import SAFEGUARDING_FPR as TARGET_FPR
    from stafftools.targets import SAFEGUARDING_RECALL as TARGET_RECALL

    data = load(reports / "safeguarding.json") or {}
    return [("Safeguarding recall (distress messages caught)", fixed(data.get("recall")), f"≥ {TARGET_RECALL}",
             "`make eval`"),
            ("Safeguarding false-positive rate (ordinary messages)", fixed(data.get("false_positive_rate")),
             f"≤ {TARGET_FPR}", "`make eval`")]


def language_rows(reports: Path) -> List[Row]:
    data = load(reports / "language.json") or {}
    return [("Welsh held-out phrasings detected as Welsh", fixed(data.get("welsh_detected")),
             "none (a missed one keeps the conversation's language)", "`make eval`"),
            ("English held-out phrasings taken for Welsh", fixed(data.get("english_marked_welsh")), "0",
             "`make eval`")]


def readability_figures() -> Optional[dict]:
    """The Flesch-Kincaid figures of every response, computed now by content/readability.py."""
    code = ("import json; from content import readability as r; s = r.scores(); "
            "print(json.dumps({'average': r.average(s), 'maximum': max(x.grade for x in s), "
            "'max_average': r.MAX_AVERAGE, 'max_grade': r.MAX_GRADE}))")
    try:
        done = subprocess.run([sys.executable, "-W", "ignore", "-c", code], cwd=ROOT, capture_output=True,
                              text=True, timeout=300)
        return json.loads(done.stdout) if done.returncode == 0 else None
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return None


def readability_rows(figures: Optional[dict]) -> List[Row]:
    figures = figures or {}
    return [("Readability: average Flesch-Kincaid grade of the responses", fixed(figures.get("average"), 2),
             f"≤ {figures.get('max_average', '6.5')}", "`make eval`"),
            ("Readability: hardest response's grade", fixed(figures.get("maximum"), 2),
             f"≤ {figures.get('max_grade', '8.0')}", "`make eval`")]


def bench_rows(reports: Path) -> List[Row]:
    from stafftools.benchmd import TARGETS, verdicts

    bench = load(reports / "bench.json")
    values: List[Any] = [None] * 6
    try:
        values = [v["value"] for v in verdicts(bench)] if bench else values
    except (KeyError, TypeError, ZeroDivisionError):  # an incomplete bench.json: its figures are not measured
        pass
    p95, ratio, errors, rss, growth, cold = values
    rows: List[Row] = [
        ("p95 latency at 10 learners (ms)", fixed(p95, 0), f"≤ {TARGETS['p95_ms_at_10']:.0f}", "`make bench`"),
        ("Throughput at 10 learners, × the `rasa init` bot", fixed(ratio, 2), f"≥ {TARGETS['rps_ratio_at_10']}",
         "`make bench`"),
        ("Errors (every load level)", NOT_MEASURED if errors is None else str(errors), str(TARGETS["errors"]),
         "`make bench`"),
        ("Rasa server's peak RSS (MB)", fixed(rss, 0), f"≤ {TARGETS['rasa_rss_mb']:.0f}", "`make bench`"),
        ("Long conversation: last-20 p50 / first-20 p50", fixed(growth, 2), f"≤ {TARGETS['long_ratio']}",
         "`make bench`"),
        ("Cold start (s)", fixed(cold, 1), f"≤ {TARGETS['cold_start_seconds']:.0f}", "`make bench`"),
    ]
    soak = load(reports / "soak.json") or {}
    rows.append(("Soak: errors in 100 conversations through nginx",
                 NOT_MEASURED if soak.get("errors") is None else str(soak["errors"]), "0", "`make soak`"))
    rows.append(("Soak: memory growth after warm-up (%)", fixed(soak.get("rss_growth_total_percent"), 1), "< 10",
                 "`make soak`"))
    return rows


def figure_rows(reports: Path, readability: Optional[dict]) -> List[Row]:
    return (heldout_rows(reports) + safeguarding_rows(reports) + language_rows(reports)
            + readability_rows(readability) + bench_rows(reports))


def figures_block(rows: List[Row]) -> str:
    lines = ["| Figure | Value | Target | Measured by |", "|---|---|---|---|"]
    lines += [f"| {figure} | {value} | {target} | {command} |" for figure, value, target, command in rows]
    return "\n".join(lines)


def rewrite_readme(readme: Path, block: str) -> bool:
    """Replace what is between the figures markers; False when the markers are not there once each."""
    text = readme.read_text(encoding="utf-8")
    if text.count(FIGURES_START) != 1 or text.count(FIGURES_END) != 1 or \
            text.index(FIGURES_START) > text.index(FIGURES_END):
        return False
    head, rest = text.split(FIGURES_START)
    _, tail = rest.split(FIGURES_END)
    new = f"{head}{FIGURES_START}\n{block}\n{FIGURES_END}{tail}"
    if new != text:
        readme.write_text(new, encoding="utf-8")
    return True


def render(reports: Path) -> str:
    sections = [
        ("nlu", "Understanding (NLU)", "\n".join([
            intent_section(reports, "heldout/en", "Held-out set, English (tests/nlu/)", "make eval"),
            intent_section(reports, "heldout/cy", "Held-out set, Welsh (tests/nlu_cy/)", "make eval"),
            intent_section(reports, "crossval", "Cross-validation (data/nlu/)", "make eval"),
            nlu_quality_section(reports)])),
        ("stories", "Story tests (dialogue)", stories_section(reports)),
        ("conversations", "Scripted conversations", conversations_section(reports)),
        ("bench", "Speed and memory", bench_section(reports)),
    ]
    nav = "".join(f'<a href="#{key}">{esc(title)}</a>' for key, title, _ in sections)
    body = "".join(f'<h2 id="{key}">{esc(title)}</h2>{content}' for key, title, content in sections)
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>PLR assistant: test report</title>"
            f"<style>{STYLE}</style></head><body><h1>PLR assistant: test report</h1>"
            f"<p class='muted'>Made {datetime.now():%Y-%m-%d %H:%M} by <code>make report</code> from the files in "
            f"reports/. How to read each part: docs/staff.md.</p><nav>{nav}</nav>{body}</body></html>\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=Path, default=ROOT / "reports")
    parser.add_argument("--readme", type=Path, default=ROOT / "README.md", help="whose figures table to rewrite")
    parser.add_argument("--no-readme", action="store_true", help="leave README.md alone")
    args = parser.parse_args()
    args.reports.mkdir(parents=True, exist_ok=True)
    page = args.reports / "index.html"
    page.write_text(render(args.reports), encoding="utf-8")
    print(f"wrote {page}")
    if not args.no_readme:
        if not rewrite_readme(args.readme, figures_block(figure_rows(args.reports, readability_figures()))):
            print(f"{args.readme}: no single {FIGURES_START} ... {FIGURES_END} block, figures not written",
                  file=sys.stderr)
            return 1
        print(f"rewrote the figures table in {args.readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
