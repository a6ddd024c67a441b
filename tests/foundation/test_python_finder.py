"""Setup finds a Python 3.10 itself, and says clearly what to install when there is none."""
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FINDER = ROOT / "scripts" / "find-python310.sh"


def run_finder(tmp_path, search_dirs, path="/usr/bin:/bin"):
    env = {"PATH": path, "HOME": str(tmp_path), "PYENV_ROOT": str(tmp_path / "pyenv"),
           "PLR_PYTHON_SEARCH_DIRS": search_dirs}
    return subprocess.run(["bash", str(FINDER)], env=env, capture_output=True, text=True)


def test_missing_python_gives_a_clear_message(tmp_path):
    fake = tmp_path / "bin"
    fake.mkdir()
    # A python3.10 that is really something else must not be accepted.
    impostor = fake / "python3.10"
    impostor.write_text("#!/bin/sh\nexit 1\n")
    impostor.chmod(0o755)
    result = run_finder(tmp_path, str(fake), path=f"{fake}:/usr/bin:/bin")
    assert result.returncode == 1
    assert "no Python 3.10 interpreter found" in result.stderr
    assert "pyenv install 3.10" in result.stderr
    assert "PLR_PYTHON=" in result.stderr
    assert result.stdout == ""


def test_finds_the_interpreter_the_venv_was_built_with(tmp_path):
    venv_cfg = (ROOT / ".venv" / "pyvenv.cfg").read_text()
    home = next(line.split("=", 1)[1].strip() for line in venv_cfg.splitlines() if line.startswith("home"))
    result = run_finder(tmp_path, home)
    assert result.returncode == 0, result.stderr
    found = result.stdout.strip()
    version = subprocess.run([found, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True)
    assert version.stdout.strip() == "(3, 10)"
