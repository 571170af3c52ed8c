"""The built wheel carries static files, schemas, translations and data, and the blocks work
from an install outside the source tree."""
from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

RENDER_SCRIPT = textwrap.dedent("""
    import os, sys, json
    os.environ["DJANGO_SETTINGS_MODULE"] = "workbench.settings"
    os.environ["EXCLUDE_SAMPLE_XBLOCKS"] = "yes"
    os.makedirs("var", exist_ok=True)
    os.environ["WORKBENCH_DATABASES"] = json.dumps({"default": {
        "ENGINE": "django.db.backends.sqlite3", "NAME": "var/wheel.db"}})
    import django
    django.setup()
    from django.core.management import call_command
    call_command("migrate", run_syncdb=True, verbosity=0)
    import competency_xblock
    print("PACKAGE", competency_xblock.__file__)
    from django.test import Client
    client = Client()
    for tag in ("competency_self_assessment", "data_security_quiz", "atlas_lookup"):
        html = client.get(f"/scenario/{tag}.0/").content.decode()
        assert 'class="cx-block' in html, tag
        css = client.get(f"/resource/{tag}/public/css/common.css")
        assert css.status_code == 200, (tag, css.status_code)
        da = client.get(f"/scenario/{tag}.0/", HTTP_ACCEPT_LANGUAGE="da").content.decode()
        print("RENDERED", tag)
    from competency_xblock.core import schemas
    schemas.load_schema("studio-edits")
    from competency_xblock.core.i18n import catalogue
    assert catalogue("da").gettext("Data-security quiz") == "Quiz om datasikkerhed"
    print("OK")
""")


@pytest.mark.slow
def test_wheel_contents_and_render_from_a_fresh_venv(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist),
                    str(ROOT)], check=True, cwd=tmp_path, timeout=300)
    wheel = next(dist.glob("competency_xblock-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("competency_xblock/static/public/js/common.js",
                     "competency_xblock/static/public/css/common.css",
                     "competency_xblock/static/templates/quiz.html",
                     "competency_xblock/schemas/studio-edits.schema.json",
                     "competency_xblock/translations/da/LC_MESSAGES/text.mo"):
        assert required in names, required
    entry_points = zipfile.ZipFile(wheel).read(
        next(n for n in names if n.endswith("entry_points.txt"))).decode()
    for tag in ("competency_self_assessment", "data_security_quiz", "atlas_lookup"):
        assert tag in entry_points
    assert "competency-xblock = competency_xblock.cli:main" in entry_points

    # A fresh venv outside the repo; dependencies are borrowed read-only from the test venv
    # (a path entry, so its editable-install hook for our package is NOT active there).
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = Path(subprocess.check_output([str(venv / "bin" / "python"), "-c", purelib],
                                        text=True).strip())
    (site / "borrowed-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                    "--target", str(site), str(wheel)], check=True, timeout=300)
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE")}
    result = subprocess.run([str(venv / "bin" / "python"), "-c", RENDER_SCRIPT], cwd=work, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"PACKAGE {site}" in result.stdout, result.stdout
    assert result.stdout.count("RENDERED") == 3 and "OK" in result.stdout
