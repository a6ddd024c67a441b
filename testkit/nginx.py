"""nginx from Debian's package, run by the project with its own config, pid and logs.

Never the system service: `nginx -p <dir> -c <dir>/nginx.conf -e <log>` in the foreground
(`daemon off`), as a child process that stops with the stack. The config is rendered from
deploy/nginx.conf.template by replacing `{{NAME}}` placeholders.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Mapping

from testkit.process import Service

NGINX = "/usr/sbin/nginx"
ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
_PLACEHOLDER = re.compile(r"\{\{([A-Z0-9_]+)\}\}")


def render(values: Mapping[str, object], template: Path = TEMPLATE) -> str:
    text = template.read_text()
    missing = sorted({name for name in _PLACEHOLDER.findall(text) if name not in values})
    if missing:
        raise KeyError(f"nginx template needs values for {', '.join(missing)}")
    return _PLACEHOLDER.sub(lambda match: str(values[match.group(1)]), text)


def binary() -> str:
    found = shutil.which("nginx") or NGINX
    if not Path(found).exists():
        raise RuntimeError("nginx not found; run scripts/install-system-packages.sh nginx")
    return found


def prepare(run_dir: Path, values: Mapping[str, object]) -> Path:
    """Write the config and the folders nginx needs; check the config with `nginx -t`."""
    run_dir.mkdir(parents=True, exist_ok=True)
    temp = run_dir / "tmp"
    temp.mkdir(exist_ok=True)
    # Worker processes run as an unprivileged user when the master is root.
    temp.chmod(0o1777)
    config = run_dir / "nginx.conf"
    config.write_text(render({**values, "RUN_DIR": run_dir}))
    result = subprocess.run([binary(), "-t", "-p", str(run_dir), "-c", str(config), "-e", str(run_dir / "startup.log")],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"nginx config check failed:\n{result.stderr}")
    return config


def nginx_service(run_dir: Path, config: Path, log_path: Path) -> Service:
    argv = [binary(), "-p", str(run_dir), "-c", str(config), "-e", str(run_dir / "startup.log"),
            "-g", "daemon off;"]
    return Service("nginx", argv, log_path)
