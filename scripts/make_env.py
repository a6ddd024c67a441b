#!/usr/bin/env python3
"""Create .env from .env.example when .env is absent, with fresh random secrets.

Placeholders in the template: `__secret__` (a URL-safe random token), `__fernet__`
(a Fernet key: 32 random bytes, URL-safe base64) and `__password__` (a password a person types:
the staff console's first account). An existing .env is never overwritten,
but keys added to the template later are appended to it, so old checkouts keep working.
"""
import base64
import os
import secrets
import sys
from pathlib import Path


def fill(value: str) -> str:
    if value == "__secret__":
        return secrets.token_urlsafe(32)
    if value == "__fernet__":
        return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    if value == "__password__":
        return secrets.token_urlsafe(15)  # 20 characters, about 120 bits
    return value


def say_where_the_admin_password_is(keys) -> None:
    if "STAFF_ADMIN_PASSWORD" in keys:
        print("The staff console's first account (an admin) is STAFF_ADMIN_USER in .env; its password is "
              "STAFF_ADMIN_PASSWORD in .env. Sign in at http://localhost:<WEB_PORT>/staff/ (docs/console.md).")


def parse_keys(text: str) -> set:
    lines = (line for line in text.splitlines() if "=" in line and not line.lstrip().startswith("#"))
    return {line.split("=", 1)[0].strip() for line in lines}


def render(template: str, only_keys=None) -> str:
    out = []
    for line in template.splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            key, value = line.split("=", 1)
            if only_keys is not None and key.strip() not in only_keys:
                continue
            out.append(f"{key}={fill(value.strip())}")
        elif only_keys is None:
            out.append(line)
    return "\n".join(out) + "\n"


def main(root: Path) -> int:
    template_path, env_path = root / ".env.example", root / ".env"
    template = template_path.read_text()
    if not env_path.exists():
        # Created private, not chmod-ed afterwards: no moment when other users can read it.
        fd = os.open(env_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(render(template))
        print("Created .env with fresh secrets.")
        say_where_the_admin_password_is(parse_keys(template))
        return 0
    # An older checkout's .env may have been created readable by others.
    env_path.chmod(0o600)
    missing = parse_keys(template) - parse_keys(env_path.read_text())
    if missing:
        with env_path.open("a") as handle:
            handle.write("# added from .env.example\n" + render(template, only_keys=missing))
        print(f"Added {len(missing)} new key(s) to .env: {', '.join(sorted(missing))}")
        say_where_the_admin_password_is(missing)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent))
