"""The built wheel carries static files, schemas, translations and data, and the blocks work
from an install outside the source tree."""
from __future__ import annotations

import configparser
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
    import os, re, sys, json
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

    def post(usage, handler, payload):
        response = client.post(f"/handler/{usage}/{handler}/?student=wheel",
                               data=json.dumps(payload), content_type="application/json")
        assert response.status_code == 200, (handler, response.status_code, response.content)
        return response.json()

    for tag in ("competency_self_assessment", "data_security_quiz", "atlas_lookup"):
        html = client.get(f"/scenario/{tag}.0/?student=wheel").content.decode()
        assert 'class="cx-block' in html, tag
        # Every script and style sheet the page links is served from the installed package.
        assets = sorted(set(re.findall(r"/resource/[^'\\"]+", html)))
        assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets)
        for url in assets:
            response = client.get(url)
            body = b"".join(response) if response.streaming else response.content
            assert response.status_code == 200 and body.strip(), (url, response.status_code)
        studio = client.get(f"/scenario/{tag}.0/studio_view/?student=wheel").content.decode()
        assert "data-cx-studio-form" in studio, tag
        for url in sorted(set(re.findall(r"/resource/[^'\\"]+", studio))):
            assert client.get(url).status_code == 200, url
        usage = re.search(r"data-usage='([^']+)'", html).group(1)
        # The shipped content loads: the DigComp framework and example roles, the default
        # question bank, the Eksempel Kommune atlas.
        if tag == "competency_self_assessment":
            form = json.dumps(post(usage, "select", {"role": "sagsbehandler",
                                                     "unit": "jobcenter"}))
            assert "Protecting devices" in form, form[:500]
        elif tag == "data_security_quiz":
            loaded = post(usage, "load", {})
            assert len(loaded["attempt"]["questions"]) == 10, loaded
        else:
            found = post(usage, "search", {"query": "flytning"})
            assert found["total"] > 0, found
        print("RENDERED", tag)
    from competency_xblock.core import schemas
    schemas.load_schema("studio-edits")
    from competency_xblock.core.i18n import catalogue
    assert catalogue("da").gettext("Data-security quiz") == "Quiz om datasikkerhed"
    print("OK")
""")


def shipped_files() -> set[str]:
    """What the wheel must carry, from the source tree: every static file, schema, shipped
    data file and compiled catalogue (the translation part files are build input only)."""
    package = ROOT / "competency_xblock"
    found = set()
    for folder in ("static", "schemas", "data", "translations"):
        for path in (package / folder).rglob("*"):
            relative = path.relative_to(package)
            if not path.is_file() or "__pycache__" in relative.parts or \
                    relative.parts[:2] == ("translations", "parts"):
                continue
            found.add(f"competency_xblock/{relative.as_posix()}")
    return found


def test_the_shipped_file_list_sees_every_kind_of_file():
    files = shipped_files()
    for expected in ("competency_xblock/static/public/js/quiz.js",
                     "competency_xblock/static/templates/self_assessment.html",
                     "competency_xblock/schemas/atlas.schema.json",
                     "competency_xblock/data/atlas/eksempel-kommune.json",
                     "competency_xblock/translations/da/LC_MESSAGES/text.mo"):
        assert expected in files, expected
    assert not any("/parts/" in f for f in files)


@pytest.mark.slow
def test_wheel_contents_and_render_from_a_fresh_venv(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist),
                    str(ROOT)], check=True, cwd=tmp_path, timeout=300)
    wheel = next(dist.glob("competency_xblock-*.whl"))
    archive = zipfile.ZipFile(wheel)
    names = set(archive.namelist())
    missing = sorted(shipped_files() - names)
    assert not missing, f"the wheel lacks (setup.cfg package_data): {missing}"
    parser = configparser.ConfigParser()
    parser.read_string(archive.read(
        next(n for n in names if n.endswith(".dist-info/entry_points.txt"))).decode())
    assert dict(parser["xblock.v1"]) == {
        "competency_self_assessment":
            "competency_xblock.self_assessment:CompetencySelfAssessmentXBlock",
        "data_security_quiz": "competency_xblock.quiz:DataSecurityQuizXBlock",
        "atlas_lookup": "competency_xblock.atlas_lookup:AtlasLookupXBlock",
    }
    assert dict(parser["console_scripts"]) == {"competency-xblock": "competency_xblock.cli:main"}

    # A fresh venv outside the repo, the wheel installed into it by pip (with the console
    # script).  Only then are the dependencies borrowed read-only from the test venv (a path
    # entry, so its editable-install hook for our package is NOT active there).
    venv = tmp_path / "venv"
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    # Without PYTHONPATH: pointing at the source tree (as the suite is often run), it shows
    # pip the tree's competency_xblock.egg-info, and pip then skips the wheel as "already
    # installed with the same version".
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
                    "--no-deps", "--no-index", str(wheel)], check=True, timeout=300, env=clean)
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = Path(subprocess.check_output([str(python), "-c", purelib], text=True).strip())
    assert (site / "competency_xblock" / "static" / "public" / "js" / "quiz.js").is_file()
    (site / "borrowed-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE")}
    result = subprocess.run([str(python), "-c", RENDER_SCRIPT], cwd=work, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"PACKAGE {site}" in result.stdout, result.stdout
    assert result.stdout.count("RENDERED") == 3 and "OK" in result.stdout

    # The console script runs from the installed package and reads its shipped bank.
    script = venv / "bin" / "competency-xblock"
    assert script.read_text().startswith(f"#!{python}"), script.read_text()[:200]
    gift = subprocess.run([str(script), "export-quiz", "default", "--language", "en"], cwd=work,
                          env=env, capture_output=True, text=True, timeout=120)
    assert gift.returncode == 0, gift.stderr
    assert gift.stdout.count("$CATEGORY") >= 1 and gift.stdout.count("{") >= 40, gift.stdout[:300]
