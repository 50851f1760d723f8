#!/usr/bin/env python3
"""Strict schema validation of rendered manifests with kubernetes-validate's Python API.

    validate_schemas.py --kubernetes-version 1.30 --kubernetes-version latest prod.yaml dev.yaml

Unlike its CLI (which reports an unknown kind or apiVersion as a warning and exits 0), an object without a
schema fails here, as does any unknown field (strict schemas) and any type error.
"""

import argparse
import sys

import kubernetes_validate
import kubernetes_validate.utils as kv
import yaml


def name(obj):
    meta = obj.get("metadata") or {}
    return "%s %s/%s" % (obj.get("kind"), meta.get("namespace", "-"), meta.get("name"))


def validate(obj, version):
    """An error message, or None."""
    try:
        kubernetes_validate.validate(obj, version, strict=True)
    except kv.SchemaNotFoundError as e:
        return "no schema (unknown kind or apiVersion %s): %s" % (obj.get("apiVersion"), e.message)
    except kv.VersionNotSupportedError as e:
        raise SystemExit(e.message)
    except kv.ValidationError as e:
        path = ".".join(str(p) for p in e.path) or "(root)"
        return "%s: %s" % (path, e.message)
    return None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kubernetes-version", action="append", required=True,
                        help="e.g. 1.30, or `latest` for the newest bundled schemas; repeatable")
    parser.add_argument("rendered", nargs="+")
    args = parser.parse_args(argv)
    versions = [kv.latest_version() if v == "latest" else v for v in args.kubernetes_version]

    failed = False
    for path in args.rendered:
        with open(path) as f:
            objects = [o for o in yaml.safe_load_all(f) if o]
        if not objects:
            print("FAIL %s: no objects" % path)
            failed = True
        for version in versions:
            errors = [(name(o), validate(o, version)) for o in objects]
            errors = [(n, e) for n, e in errors if e]
            for n, e in errors:
                print("FAIL %s [kubernetes %s] %s: %s" % (path, version, n, e))
            if errors:
                failed = True
            else:
                print("ok   %s [kubernetes %s, strict] %d objects" % (path, version, len(objects)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
