"""The test-runs page's latest results: figures read from what `make bench`, `make eval` and
`make test` write, their plots, what is missing and which command makes it, and that nothing
outside reports/ can be read. Each test has its own temporary reports/ with synthetic figures."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conftest import make_settings, sign_in
from plr_console.app import create_app
from plr_console.settings import Settings

# The smallest valid PNG: a 1x1 image.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002"
                    "00015e2b53510000000049454e44ae426082")
BENCH = {"assistant": [{"users": 10, "p50_ms": 123.4, "p95_ms": 271.9, "p99_ms": 301.0, "rps": 31.25, "errors": 0}],
         "reference": [{"users": 10, "p50_ms": 111.1, "p95_ms": 222.2, "p99_ms": 333.3, "rps": 27.5, "errors": 0}],
         "long_conversation": {"first_p50_ms": 42.5, "last_p50_ms": 44.0}, "rasa_rss_mb": 987.6,
         "train_seconds": None, "cold_start_seconds": 12.34}
BENCH_MD = """# Benchmark of the PLR assistant

Measured on a **synthetic** machine.

| Bot | Learners |
|---|---|
| assistant | 10 |

## Targets

| Target | Value | Met |
|---|---|---|
| p95 at 10 learners <= 300 ms | 271.9 | yes |
| cold start <= 15 s | 12.34 | yes |
"""
INTENTS = {"request_opt_out": {"precision": 0.9876, "recall": 1.0, "f1-score": 0.9938, "support": 40},
           "greet": {"precision": 0.5, "recall": 0.25, "f1-score": 0.3333, "support": 4},
           "macro avg": {"precision": 0.9, "recall": 0.9, "f1-score": 0.8771, "support": 44},
           "weighted avg": {"precision": 0.9, "recall": 0.9, "f1-score": 0.9432, "support": 44},
           "accuracy": 0.9512}


@pytest.fixture
def reports(tmp_path) -> Path:
    directory = tmp_path / "reports"
    directory.mkdir()
    return directory


@pytest.fixture
def client(tmp_path, clock, reports):
    application = create_app(make_settings(tmp_path, reports_dir=reports), clock=clock)
    with TestClient(application, base_url="http://testserver", follow_redirects=False) as test_client:
        sign_in(test_client)
        yield test_client


def write(path: Path, content) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def test_the_reports_directory_can_be_pointed_elsewhere(tmp_path):
    env = {"STAFF_API_KEY": "k" * 32, "RASA_API_TOKEN": "t" * 32, "CONSOLE_SECRET": "s" * 32,
           "CONSOLE_REPORTS_DIR": str(tmp_path / "elsewhere")}
    assert Settings.from_env(env).reports_dir == tmp_path / "elsewhere"


def test_every_result_missing_says_which_command_makes_it(client):
    page = client.get("/staff/tests")
    assert page.status_code == 200
    for command in ("make bench", "make eval", "make test", "make conversations"):
        assert f"No results yet: <code>{command}</code> writes them." in page.text, command
    assert "<img" not in page.text


def test_bench_figures_are_a_table_and_its_plots_images(client, reports):
    write(reports / "bench.json", BENCH)
    write(reports / "bench.md", BENCH_MD)
    write(reports / "plots" / "bench-latency.png", PNG)
    page = client.get("/staff/tests").text
    bench = page[page.index('id="results-bench"'):page.index('id="results-heldout"')]
    assert '<td class="govuk-table__cell">271.9</td>' in bench  # p95 at 10 learners
    assert '<td class="govuk-table__cell">31.25</td>' in bench
    assert "987.6 MB" in bench and "12.3 s" in bench and "not measured s" in bench
    assert "p95 at 10 learners &lt;= 300 ms" in bench  # the Targets table of bench.md
    assert 'href="/staff/reports/bench.md"' in bench
    assert ('<img class="plr-plot" src="/staff/report-files/plots/bench-latency.png" alt="Latency (p50, p95) and '
            'throughput by number of learners') in bench
    image = client.get("/staff/report-files/plots/bench-latency.png")
    assert image.status_code == 200 and image.content == PNG and image.headers["content-type"] == "image/png"


def test_bench_figures_without_plots_name_make_report(client, reports):
    write(reports / "bench.json", BENCH)
    page = client.get("/staff/tests").text
    assert "No plots yet: <code>make report</code> draws them from these results." in page
    assert "No results yet: <code>make bench</code>" not in page


def test_held_out_figures_per_language(client, reports):
    write(reports / "heldout" / "en" / "intent_report.json", INTENTS)
    write(reports / "heldout" / "en" / "response_selection_report.json", {"accuracy": 0.9351})
    write(reports / "heldout" / "cy" / "intent_report.json", INTENTS | {"accuracy": 0.9011})
    write(reports / "heldout" / "intent_confusion_matrix.png", PNG)
    page = client.get("/staff/tests").text
    heldout = page[page.index('id="results-heldout"'):page.index('id="results-crossval"')]
    assert '<th scope="col" class="govuk-table__header">English</th>' in heldout
    assert '<th scope="col" class="govuk-table__header">Welsh</th>' in heldout
    for value in ("0.951", "0.901", "0.935", "0.877", "0.333"):
        assert f'<td class="govuk-table__cell">{value}</td>' in heldout, value
    assert 'alt="Intent confusion matrix: which intent each message was taken for (held-out set)"' in heldout


def test_safeguarding_language_and_stories(client, reports):
    write(reports / "safeguarding.json", {"distress": 50, "ordinary": 200, "recall": 0.98, "false_positive_rate": 0.005,
                                          "misses": [{"text": "synthetic", "intent": "faq"}], "false_alarms": []})
    write(reports / "safeguarding.md", "# Safeguarding\n\n- one miss\n")
    write(reports / "language.json", {"welsh": 10, "welsh_detected": 0.9, "english": 20, "english_marked_welsh": 0.0})
    write(reports / "stories" / "story_report.json", {"conversation_accuracy": {"correct": 7, "total": 8},
                                                      "accuracy": 0.99, "macro avg": {"f1-score": 0.97}})
    page = client.get("/staff/tests").text
    assert "0.9800 of 50" in page and "0.0050 of 200" in page
    assert "0.900 of 10" in page and "0.000 of 20" in page
    assert "7 of 8" in page
    report = client.get("/staff/reports/safeguarding.md")
    assert report.status_code == 200
    assert '<h1 class="govuk-heading-l">Safeguarding</h1>' in report.text and "<li>one miss</li>" in report.text


def test_a_markdown_report_shows_its_tables_as_tables(client, reports):
    write(reports / "bench.md", BENCH_MD + "\n<script>alert(1)</script>\n")
    page = client.get("/staff/reports/bench.md").text
    assert '<h1 class="govuk-heading-l">Benchmark of the PLR assistant</h1>' in page
    assert "<strong>synthetic</strong>" in page
    assert '<th scope="col" class="govuk-table__header">Target</th>' in page
    assert '<td class="govuk-table__cell">271.9</td>' in page
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_browser_screenshots_are_not_plots(client, reports):
    write(reports / "webchat-desktop.png", PNG)
    write(reports / "console-account.png", PNG)
    page = client.get("/staff/tests").text
    assert "webchat-desktop" not in page and "console-account" not in page
    assert client.get("/staff/report-files/webchat-desktop.png").status_code == 404
    assert client.get("/staff/report-files/console-account.png").status_code == 404


def test_an_unreadable_report_is_explained_not_a_500(client, reports):
    write(reports / "bench.json", {"assistant": [{"users": 1}]})
    page = client.get("/staff/tests")
    assert page.status_code == 200
    assert "in a form this console cannot read: run make bench again" in page.text


def test_missing_report_and_plot_are_404(client):
    assert client.get("/staff/reports/bench.md").status_code == 404
    assert client.get("/staff/report-files/plots/bench-latency.png").status_code == 404


def test_nothing_outside_reports_can_be_read(client, reports, tmp_path):
    secret = write(tmp_path / "outside.png", PNG)
    write(tmp_path / "outside.md", "# not a report")
    write(reports / "plots" / "notes.txt", "a known folder, an unknown extension")
    os.symlink(secret, reports / "plots" / "linked.png")
    os.symlink(tmp_path / "outside.md", reports / "linked.md")
    for path in ("/staff/report-files/../outside.png", "/staff/report-files/plots/../../outside.png",
                 "/staff/report-files/plots/%2e%2e/%2e%2e/outside.png", "/staff/report-files/..%2Foutside.png",
                 "/staff/report-files/%2Fetc%2Fpasswd", "/staff/report-files/plots//bench.png",
                 "/staff/report-files/plots/.hidden.png", "/staff/report-files/plots/notes.txt",
                 "/staff/report-files/plots/linked.png", "/staff/report-files/elsewhere/x.png",
                 "/staff/reports/..%2Foutside.md", "/staff/reports/linked.md", "/staff/reports/plots%2Fx.md"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.content != PNG and b"not a report" not in response.content, path
    assert "linked" not in client.get("/staff/tests").text
