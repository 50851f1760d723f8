"""validate_schemas.py fails on what kubernetes-validate's CLI lets through (unknown kind/apiVersion) and on
unknown fields, and passes the real overlays. Needs the lint venv (scripts/lint/run runs it there)."""

import contextlib
import importlib.util
import io
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

HAVE_KV = importlib.util.find_spec("kubernetes_validate") is not None

if HAVE_KV:
    import validate_schemas as vs
    from test_check_manifests import OVERLAYS, rendered


@unittest.skipUnless(HAVE_KV, "kubernetes-validate is not installed here; scripts/lint/run installs it")
class ValidateSchemasTests(unittest.TestCase):
    def run_on(self, objects, version):
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
            vs.yaml.safe_dump_all(objects, f)
        try:
            with contextlib.redirect_stdout(io.StringIO()) as out:
                status = vs.main(["--kubernetes-version", version, f.name])
            return status, out.getvalue()
        finally:
            os.unlink(f.name)

    def deployment(self, m):
        return next(o for o in m.objects if o["kind"] == "Deployment")

    def test_real_overlays_pass_on_1_30_and_latest(self):
        for overlay in OVERLAYS:
            for version in ("1.30", "latest"):
                with self.subTest(overlay=overlay, version=version):
                    status, out = self.run_on(rendered(overlay).objects, version)
                    self.assertEqual(status, 0, out)

    def test_unknown_kind_fails(self):
        m = rendered("prod")
        self.deployment(m)["kind"] = "Deploymnet"
        status, out = self.run_on(m.objects, "latest")
        self.assertEqual(status, 1)
        self.assertIn("no schema", out)

    def test_unknown_api_version_fails(self):
        m = rendered("prod")
        self.deployment(m)["apiVersion"] = "apps/v2"
        status, out = self.run_on(m.objects, "1.30")
        self.assertEqual(status, 1)
        self.assertIn("no schema", out)

    def test_misspelled_field_fails(self):
        m = rendered("prod")
        container = self.deployment(m)["spec"]["template"]["spec"]["containers"][0]
        container["livenessProbes"] = container.pop("livenessProbe")
        status, out = self.run_on(m.objects, "1.30")
        self.assertEqual(status, 1)
        self.assertIn("'livenessProbes' was unexpected", out)

    def test_wrong_type_fails(self):
        m = rendered("prod")
        self.deployment(m)["spec"]["revisionHistoryLimit"] = "five"
        status, out = self.run_on(m.objects, "1.30")
        self.assertEqual(status, 1)
        self.assertIn("revisionHistoryLimit", out)


if __name__ == "__main__":
    unittest.main()
