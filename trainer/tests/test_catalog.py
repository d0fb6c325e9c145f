import json
import os
import subprocess
import sys
from pathlib import Path

from trainer.catalog import LABS
from trainer.catalog.lab import specs

ROOT = Path(__file__).resolve().parents[2]

# What a web process does at start and on its pages, in a fresh interpreter: Django, the URLs and the ASGI
# application, every lab's form and widget, and the API's schema.
WEB_PROCESS = """
import json, os, sys
import django
django.setup()
import config.urls, config.asgi
from django.template.loader import render_to_string
from drf_spectacular.generators import SchemaGenerator
from trainer.catalog import LABS
from trainer.forms import LabForm
from trainer.templatetags.labs import render_widget
widgets = [render_widget(lab, {}) for lab in LABS.values()]
forms = [LabForm(lab).as_div() for lab in LABS.values()]
schema = SchemaGenerator().get_schema(request=None, public=True)
print(json.dumps({"torch": sorted(m for m in sys.modules if m == "torch" or m.startswith("torch.")),
                  "widgets": len(widgets), "forms": len(forms), "paths": len(schema["paths"])}))
"""


class CatalogTests:
    def test_it_serves_the_labs_without_importing_pytorch(self):
        """A web process does not pay PyTorch's seconds and hundreds of megabytes: only a worker trains."""
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "VERIFY_SERVICES": "0"}
        result = subprocess.run(
            [sys.executable, "-c", WEB_PROCESS],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        seen = json.loads(result.stdout.strip().splitlines()[-1])
        assert seen["widgets"] == seen["forms"] == len(LABS)
        assert seen["paths"] > 10
        assert seen["torch"] == []

    def test_it_finds_every_labs_training_code(self):
        for lab in LABS.values():
            assert lab.module == f"trainer.labs.{lab.slug.replace('-', '_')}"
            assert callable(lab.train), lab.slug

    def test_it_declares_every_steps_field_as_a_hyperparameter(self):
        for lab in LABS.values():
            spec, default = specs(lab.config)[lab.steps_field]
            assert spec.kind == "int" and default >= 1, lab.slug
