#!/usr/bin/env python3
"""Makes the template yours: renames the service from its current name to NAME everywhere a name is an identifier.

    scripts/rename.py orders          # or: make rename NAME=orders

What it renames: the executable product (Package.swift) and every path to it (Makefile, Dockerfile, scripts, CI,
the contract tests), the image, every Kubernetes object name, label, namespace, ConfigMap, Secret and the migration
Job (deploy/), the Secret and Job names in docs/DEPLOY.md, and the README's title. Prose that merely says "the
service" is left alone. The current name is read from Package.swift, so renaming twice works.

It also replaces the template's placeholder PRESTOP_TOKEN (deploy/base/deployment.yaml, in the env and in the preStop
hook's header) with a random one: a value published with the template would let anyone who can reach the admin port
begin this installation's termination.

NAME must be a DNS-1123 label (what Kubernetes requires of object names and label values): lowercase letters, digits
and '-', starting with a letter, ending with a letter or digit, at most 40 characters (room for the '-migrate' and
'-database' suffixes within 63).
"""
import pathlib
import re
import secrets
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
NAME_PATTERN = re.compile(r"[a-z]([-a-z0-9]{0,38}[a-z0-9])?")
PRODUCT = re.compile(r'\.executable\(name: "([^"]+)", targets: \["App"\]\)')
SUFFIXES = r"(-config|-database|-migrate|-dev|-prod)"
PLACEHOLDER_TOKEN = "replace-me-per-installation"


def current_name() -> str:
    match = PRODUCT.search((ROOT / "Package.swift").read_text())
    if not match:
        sys.exit('rename: Package.swift has no `.executable(name: "...", targets: ["App"])` product')
    return match.group(1)


def substitutions(old: str, new: str) -> list[tuple[re.Pattern[str], str]]:
    o = re.escape(old)
    return [
        # Kubernetes names and values: `name: service`, `app.kubernetes.io/name: service`, `image: service`,
        # `- name: service` (images, containers), and the derived names (`service-config`, `service-prod`, ...).
        (re.compile(rf"(:\s+|-\s+name:\s+){o}$", re.M), rf"\g<1>{new}"),
        (re.compile(rf"(?<![-\w.]){o}{SUFFIXES}\b"), rf"{new}\g<1>"),
        (re.compile(rf"(registry\.example\.com/[\w.-]+/|registry\.example\.com/|localhost/){o}\b"), rf"\g<1>{new}"),
        (re.compile(rf"\bset image {o}="), f"set image {new}="),
        (re.compile(rf"\bDB_APPLICATION_NAME={o}$", re.M), f"DB_APPLICATION_NAME={new}"),
        # The executable and every path to it.
        (re.compile(rf'\.executable\(name: "{o}", targets: \["App"\]\)'), f'.executable(name: "{new}", targets: ["App"])'),
        (re.compile(rf"--product {o}\b"), f"--product {new}"),
        (re.compile(rf"(\.build/(?:debug|release|image)/){o}\b"), rf"\g<1>{new}"),
        (re.compile(rf"(--show-bin-path\)/|/usr/local/bin/|/out/|prebuilt/){o}\b"), rf"\g<1>{new}"),
        (re.compile(rf'(case service = ){re.escape(chr(34) + old + chr(34))}'), f'\\g<1>"{new}"'),
        # The image's title label.
        (re.compile(rf'(org\.opencontainers\.image\.title=){re.escape(chr(34) + old + chr(34))}'), f'\\g<1>"{new}"'),
    ]


def files() -> list[pathlib.Path]:
    listed = [ROOT / name for name in ("Package.swift", "Makefile", "Dockerfile", ".ci/run", "docs/DEPLOY.md")]
    listed += sorted((ROOT / "deploy").rglob("*.yaml"))
    listed += sorted(p for p in (ROOT / "scripts").rglob("*") if p.is_file() and p.suffix in ("", ".sh", ".py", ".toml"))
    listed.append(ROOT / "Tests/ServiceTests/ServiceFixture.swift")
    return [p for p in listed if p.is_file() and p.resolve() != pathlib.Path(__file__).resolve()]


def replace_placeholder_token() -> None:
    deployment = ROOT / "deploy/base/deployment.yaml"
    text = deployment.read_text()
    if PLACEHOLDER_TOKEN in text:
        deployment.write_text(text.replace(PLACEHOLDER_TOKEN, secrets.token_hex(16)))
        print(f"PRESTOP_TOKEN: a random one in {deployment.relative_to(ROOT)}")


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: scripts/rename.py NAME")
    new = sys.argv[1]
    if not NAME_PATTERN.fullmatch(new):
        sys.exit(f"rename: {new!r} is not a DNS-1123 label of at most 40 characters (a-z, 0-9, '-'; starts with a letter)")
    replace_placeholder_token()
    old = current_name()
    if old == new:
        print(f"rename: already named {new}")
        return
    rules = substitutions(old, new)
    changed = []
    for path in files():
        text = path.read_text()
        updated = text
        for pattern, replacement in rules:
            updated = pattern.sub(replacement, updated)
        if updated != text:
            path.write_text(updated)
            changed.append(path.relative_to(ROOT))
    readme = ROOT / "README.md"
    lines = readme.read_text().split("\n")
    if lines and lines[0].startswith("# "):
        lines[0] = f"# {new}"
        readme.write_text("\n".join(lines))
        changed.append(readme.relative_to(ROOT))
    for path in changed:
        print(f"renamed {old} -> {new}: {path}")


if __name__ == "__main__":
    main()
