"""The staff CLI, the register commands and fail-fast configuration, run as real subprocesses."""

from __future__ import annotations

import csv
import json
import subprocess

import pytest

from support import PYTHON, REPO, person, submit


def test_list_shows_pending_requests(backend, actions, staff):
    waiting = submit(actions, person()).json()["reference"]
    finished = submit(actions, person()).json()["reference"]
    staff.post(f"/v1/requests/{finished}/status", json={"status": "rejected"})
    output = backend.cli("list", "--limit", "100000").stdout
    assert waiting in output and finished not in output
    assert finished in backend.cli("list", "--status", "rejected", "--limit", "100000").stdout


def test_list_shows_and_filters_by_language(backend, actions):
    welsh = submit(actions, person(language="cy")).json()["reference"]
    english = submit(actions, person()).json()["reference"]
    output = backend.cli("list", "--limit", "100000").stdout
    assert output.splitlines()[0].split()[:6] == ["reference", "type", "status", "match", "channel", "lang"]
    rows = {line.split()[0]: line.split() for line in output.splitlines()[1:-1]}
    assert (rows[welsh][5], rows[english][5]) == ("cy", "en")
    only_welsh = backend.cli("list", "--language", "cy", "--limit", "100000").stdout
    assert welsh in only_welsh and english not in only_welsh


def test_show_prints_the_record_with_history(backend, actions):
    body = person(language="cy")
    reference = submit(actions, body).json()["reference"]
    shown = json.loads(backend.cli("show", reference.lower()).stdout)
    assert shown["reference"] == reference
    assert shown["family_name"] == body["family_name"]
    assert shown["language"] == "cy"
    assert shown["history"][0]["action"] == "created"


def test_set_status_is_audited_with_the_actor(backend, actions, staff):
    reference = submit(actions, person()).json()["reference"]
    result = backend.cli("set-status", reference, "completed", "--note", "confirmed by phone", "--actor", "agent.two")
    assert f"{reference}: received -> completed" in result.stdout
    record = staff.get(f"/v1/requests/{reference}").json()
    assert record["status"] == "completed"
    assert (record["history"][-1]["actor"], record["history"][-1]["note"]) == (
        "staff-cli:agent.two",
        "confirmed by phone",
    )
    refused = backend.cli("set-status", reference, "in_progress", check=False)
    assert refused.returncode == 1
    assert "cannot change status from completed to in_progress" in refused.stderr


def test_cli_refuses_unknown_or_malformed_references(backend):
    for args in (("show", "PLR-2345-6789"), ("show", "hello"), ("set-status", "PLR-2345-6789", "completed")):
        result = backend.cli(*args, check=False)
        assert result.returncode == 1
        assert result.stderr.splitlines()[-1].startswith("error:")
        assert "Traceback" not in result.stderr


def test_export_csv_contains_every_field(backend, actions, run_dir):
    body = person(type="opt_in", language="cy")
    reference = submit(actions, body).json()["reference"]
    english = submit(actions, person(type="opt_in")).json()["reference"]
    target = run_dir / f"export-{backend.name}.csv"
    result = backend.cli("export-csv", "--output", str(target), "--status", "received")
    assert "written to" in result.stdout
    assert target.stat().st_mode & 0o777 == 0o600
    with target.open(newline="") as handle:
        rows = {row["reference"]: row for row in csv.DictReader(handle)}
    row = rows[reference]
    assert (row["family_name"], row["date_of_birth"], row["uln"], row["type"]) == (
        body["family_name"],
        body["date_of_birth"],
        body["uln"],
        "opt_in",
    )
    assert (row["language"], rows[english]["language"]) == ("cy", "en")
    assert all(r["status"] == "received" for r in rows.values())
    target.unlink()  # personal data: do not leave it lying around
    welsh_only = backend.cli("export-csv", "--status", "received", "--language", "cy").stdout
    exported = {row["reference"]: row for row in csv.DictReader(welsh_only.splitlines())}
    assert reference in exported and english not in exported
    assert {row["language"] for row in exported.values()} == {"cy"}


def test_generate_register_writes_valid_synthetic_learners(register_csv):
    from datetime import date

    from plr_common import check_date_of_birth, check_postcode, check_uln

    with register_csv.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) >= 200
    assert len({row["uln"] for row in rows}) == len(rows)
    for row in rows:
        assert check_uln(row["uln"]).value == row["uln"]
        assert check_postcode(row["postcode"]).value == row["postcode"]
        assert check_date_of_birth(row["date_of_birth"], date.today()).ok
        # clearly synthetic
        assert row["family_name"].startswith(("Testlearner-", "Synth"))


def test_generate_register_is_deterministic_and_refuses_small_registers(run_dir, register_csv):
    again = run_dir / "register-again.csv"
    subprocess.run(
        [PYTHON, "-m", "plr_backend", "generate-register", "-o", str(again), "--count", "220", "--seed", "7"],
        check=True,
        capture_output=True,
    )
    assert again.read_bytes() == register_csv.read_bytes()
    small = subprocess.run(
        [PYTHON, "-m", "plr_backend", "generate-register", "-o", str(again), "--count", "50"],
        capture_output=True,
        text=True,
    )
    assert small.returncode == 1 and "at least 200" in small.stderr


def test_load_register_rejects_a_bad_file_without_quoting_it(backend, run_dir, register_csv):
    rows = register_csv.read_text().splitlines()
    bad_line = rows[3].split(",")
    bad_line[0] = "1748529631"  # wrong check digit
    broken = run_dir / f"broken-{backend.name}.csv"
    broken.write_text("\n".join(rows[:3] + [",".join(bad_line)] + rows[4:]) + "\n")
    result = backend.cli("load-register", str(broken), check=False)
    assert result.returncode == 1
    assert "line 4: uln (uln_check_digit)" in result.stderr
    assert "1748529631" not in result.stderr and bad_line[2] not in result.stderr
    assert backend.count_rows("register_learners") == len(rows) - 1  # the old register is untouched


@pytest.mark.parametrize("missing", ["ACTIONS_API_KEY", "BACKEND_ENCRYPTION_KEY"])
def test_serve_fails_fast_naming_missing_keys(backend, missing):
    result = backend.cli("serve", check=False, extra_env={missing: "", "BACKEND_HASH_KEY": "__secret__"}, timeout=30)
    assert result.returncode == 2
    assert f"{missing} is missing" in result.stderr
    assert "BACKEND_HASH_KEY still holds the placeholder" in result.stderr


def test_env_file_is_read_and_real_environment_wins(tmp_path, backend):
    from cryptography.fernet import Fernet

    env_file = tmp_path / "custom.env"
    env_file.write_text(
        "ACTIONS_API_KEY=file-actions-key-123456\nSTAFF_API_KEY=file-staff-key-1234567\n"
        f"BACKEND_ENCRYPTION_KEY={Fernet.generate_key().decode()}\nBACKEND_HASH_KEY=file-hash-key-12345678\n"
        "RETENTION_DAYS=30\nBACKEND_PORT=9999\n"
    )
    code = (
        "from plr_backend.settings import load_settings; s = load_settings(); "
        "print(s.actions_api_key, s.staff_api_key, s.retention_days, s.port, s.database_url)"
    )
    env = {"PATH": "/usr/bin:/bin", "PLR_ENV_FILE": str(env_file), "RETENTION_DAYS": "7"}
    out = subprocess.run([PYTHON, "-c", code], env=env, capture_output=True, text=True, check=True).stdout.split()
    assert out[:4] == ["file-actions-key-123456", "file-staff-key-1234567", "7", "9999"]
    assert out[4] == f"sqlite:///{REPO / 'var' / 'backend.db'}"
