"""Claims of the documentation that would silently go stale when the code changes.

- The OLX reference of each block page lists every authored field of the block class, with
  the field's real default, and no attribute the class does not have; structured fields are
  named as ``<option:…>`` children.
- Every property of the authored-content schemas in ``schemas/`` is named on its page.
- The privacy page lists every field in which a block stores learner data, under its block
  and with its scope, and every tracking-log event the blocks publish.
- Every setting the code reads is a documented setting key.
- Every screenshot a page shows is made by ``scripts/docs_screenshots.py`` from a picture
  that a browser test takes, and every picture the script makes is used.
"""
from __future__ import annotations

import importlib
import importlib.util
import json
import re
import sys

import pytest

from tests.unit.docs.rst_examples import DOCS, ROOT

PACKAGE = ROOT / "competency_xblock"

#: Block page -> (module, class, the privacy page's subsection heading).
BLOCKS = {
    "self-assessment.rst": ("competency_xblock.self_assessment", "CompetencySelfAssessmentXBlock",
                            "Competency self-assessment"),
    "quiz.rst": ("competency_xblock.quiz", "DataSecurityQuizXBlock", "Data-security quiz"),
    "atlas.rst": ("competency_xblock.atlas_lookup", "AtlasLookupXBlock", "Service atlas lookup"),
}
#: Authored-content schema -> the page that documents its format.
SCHEMA_PAGES = {
    "competency-block": "self-assessment.rst",
    "competency-framework": "self-assessment.rst",
    "quiz-bank": "quiz.rst",
    "atlas": "atlas.rst",
    "atlas-exercise": "atlas.rst",
}
#: A list-table row whose first cell is ````name```` (or several) and second cell a value.
ROW = re.compile(r"^[ \t]*\* - (?P<names>``[^\n]+)\n[ \t]+- (?P<value>[^\n]*?)[ \t]*$",
                 re.MULTILINE)


def block_class(page: str):
    module, name, _heading = BLOCKS[page]
    return getattr(importlib.import_module(module), name)



def authored_fields(cls) -> dict:
    from xblock.core import XBlock
    from xblock.fields import Scope

    inherited = set(XBlock.fields)  # name, parent, tags: XBlock's own
    return {name: field for name, field in cls.fields.items()
            if name not in inherited and field.scope in (Scope.content, Scope.settings)}


def learner_fields(cls) -> dict:
    from xblock.fields import UserScope

    return {name: field for name, field in cls.fields.items()
            if getattr(field.scope, "user", UserScope.NONE) != UserScope.NONE}


def section(text: str, heading: str, underline: str) -> str:
    """The text under ``heading`` up to the next heading with the same underline."""
    match = re.search(rf"^{re.escape(heading)}\n{re.escape(underline)}+\n", text, re.MULTILINE)
    assert match, f"no section {heading!r}"
    rest = text[match.end():]
    after = re.search(rf"^\S[^\n]*\n{re.escape(underline)}{{3,}}\n", rest, re.MULTILINE)
    return rest[:after.start()] if after else rest


def rows(text: str) -> dict[str, str]:
    found = {}
    for match in ROW.finditer(text):
        for name in re.findall(r"``([\w.]+)``", match.group("names")):
            found[name] = match.group("value")
    return found


def page_text(page: str) -> str:
    return (DOCS / page).read_text(encoding="utf-8")


# ---- OLX reference ---------------------------------------------------------------------------
def test_the_row_reader_reads_list_tables():
    sample = ("   * - ``weight``\n     - ``1.0``\n     - Points.\n"
              "   * - ``raw_earned``, ``raw_possible``\n     - user_state\n     - Score.\n"
              "   * - attribute\n     - default\n")
    assert rows(sample) == {"weight": "``1.0``", "raw_earned": "user_state",
                            "raw_possible": "user_state"}


@pytest.mark.parametrize("page", sorted(BLOCKS))
def test_olx_reference_lists_every_authored_field_with_its_default(page):
    cls = block_class(page)
    reference = section(page_text(page), "OLX reference", "-")
    table = rows(reference.split(".. code-block::")[0])
    fields = authored_fields(cls)
    attributes = {name: f for name, f in fields.items() if not f.xml_node}
    children = {name for name, f in fields.items() if f.xml_node}
    missing = sorted(set(attributes) - set(table))
    assert not missing, f"docs/{page}: attributes missing from the OLX reference: {missing}"
    extra = sorted(set(table) - set(attributes))
    assert not extra, f"docs/{page}: the OLX reference lists attributes that do not exist: {extra}"
    wrong = {}
    for name, field in attributes.items():
        documented = table[name].strip().strip("`")
        real = field.to_string(field.default)
        if documented != real:
            wrong[name] = (documented, real)
    assert not wrong, f"docs/{page}: documented default != the field's default: {wrong}"
    for name in children:
        assert f"<option:{name}>" in reference, \
            f"docs/{page}: the OLX reference does not describe <option:{name}>"


def _schema_properties(node) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for name, value in node.get("properties", {}).items():
            found.add(name)
            found |= _schema_properties(value)
        for key in ("items", "additionalProperties", "not", "if", "then", "else"):
            found |= _schema_properties(node.get(key))
        for key in ("$defs", "definitions", "patternProperties"):
            for value in node.get(key, {}).values():
                found |= _schema_properties(value)
        for key in ("oneOf", "anyOf", "allOf", "prefixItems"):
            for value in node.get(key, []):
                found |= _schema_properties(value)
    return found - {"$schema"}


@pytest.mark.parametrize("schema", sorted(SCHEMA_PAGES))
def test_every_property_of_the_content_schemas_is_documented(schema):
    page = SCHEMA_PAGES[schema]
    properties = _schema_properties(json.loads(
        (ROOT / "schemas" / f"{schema}.schema.json").read_text(encoding="utf-8")))
    assert properties, schema
    text = page_text(page)
    missing = sorted(p for p in properties if f"``{p}``" not in text and f'"{p}"' not in text)
    assert not missing, f"docs/{page} does not name these properties of {schema}: {missing}"


# ---- privacy ---------------------------------------------------------------------------------
PRIVACY = "privacy.rst"


@pytest.mark.parametrize("page", sorted(BLOCKS))
def test_privacy_page_lists_every_learner_field_with_its_scope(page):
    cls = block_class(page)
    stores = section(page_text(PRIVACY), "What each block stores", "-")
    table = rows(section(stores, BLOCKS[page][2], "~"))
    fields = learner_fields(cls)
    assert fields, cls
    undocumented = sorted(set(fields) - set(table))
    assert not undocumented, \
        f"docs/{PRIVACY}: fields of {cls.__name__} that store learner data but are not listed: " \
        f"{undocumented}"
    unknown = sorted(set(table) - set(fields))
    assert not unknown, f"docs/{PRIVACY}: listed for {cls.__name__} but not its fields: {unknown}"
    wrong = {name: (table[name], field.scope.name) for name, field in fields.items()
             if table[name].strip() != field.scope.name}
    assert not wrong, f"docs/{PRIVACY}: documented scope != the field's scope: {wrong}"


def published_events() -> set[str]:
    names = set()
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        names |= {f"competency_xblock.{n}" for n in
                  re.findall(r"publish_event\(\s*\"([a-z_.]+)\"", text)}
    return names


def test_privacy_page_lists_every_tracking_event():
    events = published_events()
    assert len(events) >= 4, events
    table = rows(section(page_text(PRIVACY), "The tracking log", "-"))
    missing = sorted(events - set(table))
    assert not missing, f"docs/{PRIVACY}: tracking-log events not described: {missing}"
    ours = {name for name in table if name.startswith("competency_xblock.")}
    stale = sorted(ours - events)
    assert not stale, f"docs/{PRIVACY}: describes events that no block publishes: {stale}"


# ---- settings --------------------------------------------------------------------------------
def test_every_setting_the_code_reads_is_a_documented_key():
    from tests.unit.docs.test_reference import documented_settings

    read = set()
    for path in PACKAGE.rglob("*.py"):
        read |= set(re.findall(r"\bsetting\(\s*\"([a-z_]+)\"", path.read_text(encoding="utf-8")))
    assert {"min_group_size", "atlases", "xapi_transport"} <= read, read
    unknown = sorted(read - set(documented_settings()))
    assert not unknown, f"settings read by the code but not in docs/operators.rst: {unknown}"


# ---- screenshots -----------------------------------------------------------------------------
def _screenshot_script():
    spec = importlib.util.spec_from_file_location("docs_screenshots",
                                                  ROOT / "scripts" / "docs_screenshots.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _browser_pictures() -> list[re.Pattern]:
    """Patterns of the PNG names the browser tests write to test-artifacts/."""
    patterns = []
    for path in (ROOT / "tests" / "browser").glob("test_*.py"):
        text = path.read_text(encoding="utf-8")
        for template in re.findall(r"\bsnap\(\s*\w+\s*,\s*f?\"([^\"]+)\"", text):
            parts = re.split(r"\{[^}]*\}", template)
            patterns.append(re.compile("[^/]+".join(map(re.escape, parts)) + r"\.png"))
        # Tests without a named shot leave their last state as <test name>[-<params>].png.
        for test in re.findall(r"^def (test_\w+)\(", text, re.MULTILINE):
            patterns.append(re.compile(re.escape(test) + r"(-[^/]+)?\.png"))
    return patterns


#: Pictures in the docs that are not browser screenshots, and the script that makes each
#: (its own test checks the figures: tests/runtime/test_docs_hr_example.py).
GENERATED_IMAGES = {"_static/hr-example-heatmap.png": "scripts/hr_worked_example.py",
                    "_static/hr-example-heatmap-role-unit.png": "scripts/hr_worked_example.py"}


def test_every_screenshot_comes_from_a_browser_test_and_is_used():
    script = _screenshot_script()
    shots = {shot.name: shot for shot in script.SHOTS}
    shown = set()
    for page in DOCS.glob("*.rst"):
        for target in re.findall(r"^\.\. (?:figure|image):: (\S+)", page.read_text("utf-8"),
                                 re.MULTILINE):
            if target in GENERATED_IMAGES:  # not a screenshot: made (and checked) by a script
                assert (DOCS / target).is_file(), f"{page.name}: {target} does not exist"
                assert target.rsplit("/", 1)[1] in (ROOT / GENERATED_IMAGES[target]).read_text(
                    "utf-8"), f"{target} is not made by {GENERATED_IMAGES[target]}"
                continue
            assert target.startswith("_static/screenshots/"), f"{page.name}: {target}"
            name = target.rsplit("/", 1)[1]
            assert (DOCS / target).is_file(), f"{page.name}: {target} does not exist"
            assert name in shots, f"{page.name}: {name} is not made by scripts/docs_screenshots.py"
            shown.add(name)
    assert shown, "the docs show no screenshots"
    unused = sorted(set(shots) - shown)
    assert not unused, f"screenshots made but shown on no page: {unused}"
    on_disk = {p.name for p in (DOCS / "_static" / "screenshots").glob("*.png")}
    assert on_disk == shown, f"stale files in docs/_static/screenshots: {sorted(on_disk - shown)}"
    pictures = _browser_pictures()
    for shot in shots.values():
        for source in shot.sources:
            assert any(p.fullmatch(source) for p in pictures), \
                f"{shot.name}: no browser test takes {source}"


# ---- contributor guide -----------------------------------------------------------------------
CONTRIBUTING = "contributing.rst"
#: Where a path in the contributor guide may be relative to.
PATH_BASES = ("", "competency_xblock", "competency_xblock/core", "competency_xblock/quiz_engine",
              "competency_xblock/atlas", "competency_xblock/xapi", "static/public/js")
#: Literals of the guide that look like code but name things outside the package.
NOT_PACKAGE_CODE = {"sphinx_book_theme"}


#: Made by a run, not in a clone.
GENERATED = {"test-artifacts/"}


def _file_names() -> set[str]:
    names = set()
    for folder in ("competency_xblock", "docs", "tests", "scripts", "bench", "static", "schemas",
                   "demo"):
        names |= {p.name for p in (ROOT / folder).rglob("*") if p.is_file()}
    return names


def test_contributor_guide_names_files_that_exist():
    literals = set(re.findall(r"``([^`\s]+)``", page_text(CONTRIBUTING)))
    paths = {lit for lit in literals if re.search(r"\.(py|json|md|js|css|html|po|csv)$|/$", lit)
             and not re.search(r"[<*]", lit)} - GENERATED
    assert len(paths) >= 15, paths
    names = _file_names()
    missing = []
    for path in sorted(paths):
        if "/" not in path.rstrip("/"):
            found = path in names or any((ROOT / base / path).is_dir() for base in PATH_BASES)
        else:
            found = any((ROOT / base / path).exists() for base in PATH_BASES)
        if not found:
            missing.append(path)
    assert not missing, f"docs/{CONTRIBUTING} names files that do not exist: {missing}"


def test_contributor_guide_names_code_that_exists():
    literals = set(re.findall(r"``([A-Za-z_][A-Za-z0-9_]*)``", page_text(CONTRIBUTING)))
    code = {lit for lit in literals if "_" in lit or lit != lit.lower()} - NOT_PACKAGE_CODE
    assert len(code) >= 15, code
    source = "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py"))
    undefined = sorted(name for name in code if not re.search(
        rf"^[ \t]*(?:(?:async )?def|class)[ \t]+{name}\b|^[ \t]*{name}[ \t]*[:=]", source,
        re.MULTILINE))
    assert not undefined, f"docs/{CONTRIBUTING} names code that does not exist: {undefined}"


def test_privacy_page_states_the_real_limits():
    """The figures the privacy page gives for how much is kept, from the constants that
    enforce them."""
    from competency_xblock.atlas import exercise, gaps
    from competency_xblock.competency.assessment import MAX_HISTORY
    from competency_xblock.core.handlers import DEFAULT_MAX_BYTES

    text = " ".join(page_text(PRIVACY).split())
    claims = [
        f"at most the last {MAX_HISTORY}",
        f"the last {exercise.MAX_QUERIES_KEPT} queries typed",
        f"at most {exercise.MAX_QUERY_CHARS} characters each",
        f"at most {gaps.MAX_TERM_CHARS} characters, with the scenario",
        f"the newest {gaps.MAX_RECORDS}.",
        f"from the newest {gaps.CONTRIBUTION_ENTRIES} ``gap_log`` entries",
        f"search term (at most {gaps.MAX_TERM_CHARS} characters)",
        f"votes for at most {gaps.MAX_TARGETS_PER_TERM} expected answer ids",
        f"At most {gaps.MAX_TERMS:,} terms",
        f"among their newest {gaps.CONTRIBUTION_ENTRIES} entries",
        f"({DEFAULT_MAX_BYTES // 1024} KiB by default, 4 MiB for imports)",
    ]
    missing = [claim for claim in claims if claim not in text]
    assert not missing, f"docs/{PRIVACY} does not state (or states other) limits: {missing}"
    source = (PACKAGE / "quiz.py").read_text(encoding="utf-8") + \
        (PACKAGE / "self_assessment.py").read_text(encoding="utf-8")
    assert set(re.findall(r"max_bytes=([\d *]+)\)", source)) == {"4 * 1024 * 1024"}


# ---- named atlases ---------------------------------------------------------------------------
def test_named_atlas_entries_are_documented_with_their_defaults():
    from dataclasses import fields

    from competency_xblock.atlas.sources import BUILTIN, SourceConfig, parse_settings

    text = " ".join(section(page_text("operators.rst"), "Named atlases", "-").split())
    keys = {f.name for f in fields(SourceConfig)} - {"name"}
    missing = sorted(k for k in keys if f"``{k}``" not in text)
    assert not missing, f"docs/operators.rst: named-atlas keys not described: {missing}"
    config = parse_settings({"atlases": {"x": "/srv/atlas/x.json",
                                         "y": "https://intra.kommune.dk/a.json"}})
    assert config["x"].path and config["y"].url, "short forms: a path, a URL"
    source = config["y"]
    assert f"``timeout`` (seconds, default {source.timeout:g})" in text
    assert source.max_bytes == 50 * 1024 * 1024 and "``max_bytes`` (default 50 MiB)" in text
    for name in BUILTIN:
        assert f"``{name}``" in text and name in config


# ---- changelog -------------------------------------------------------------------------------
def test_changelog_names_the_package_version():
    from competency_xblock import __version__

    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__), "versions are MAJOR.MINOR.PATCH"
    text = page_text("changelog.rst")
    first = re.search(r"^(?P<title>[^\n]+)\n-{3,}\n", text, re.MULTILINE)
    assert first, "docs/changelog.rst has no release section"
    assert __version__ in first.group("title"), \
        f"the newest changelog section {first.group('title')!r} is not {__version__}"
    assert "docs/changelog.rst" in (ROOT / "CHANGELOG.rst").read_text(encoding="utf-8")


# ---- quickstart ------------------------------------------------------------------------------
NUMBERS = {word: n for n, word in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen".split())}


def demo_scenarios() -> dict[str, str]:
    """Scenario id -> title, as the workbench numbers them (``<entry point>.<i>``)."""
    found = {}
    for page in sorted(BLOCKS):
        cls = block_class(page)
        tag = {"self-assessment.rst": "competency_self_assessment",
               "quiz.rst": "data_security_quiz", "atlas.rst": "atlas_lookup"}[page]
        for i, (title, _olx) in enumerate(cls.workbench_scenarios()):
            found[f"{tag}.{i}"] = title
    return found


def test_quickstart_tour_matches_the_demo_scenarios():
    text = " ".join(page_text("quickstart.rst").split())
    scenarios = demo_scenarios()
    count = re.search(r"The index page lists (\w+) scenarios", text)
    assert count and NUMBERS.get(count.group(1)) == len(scenarios), \
        f"docs/quickstart.rst: the demo has {len(scenarios)} scenarios: {list(scenarios.values())}"
    for scenario_id in re.findall(r"/scenario/([\w.]+)/", text):
        if scenario_id.split(".")[-1].isdigit():
            assert scenario_id in scenarios, f"docs/quickstart.rst: no scenario {scenario_id}"
    # Titles quoted in the tour (in italics) are real scenario titles, or their beginnings.
    titles = list(scenarios.values())
    quoted = [t for t in re.findall(r"(?<![\w*])\*([^*]+?)\*(?![\w*])", text)
              if t.startswith(("Digital competency", "Data-security quiz", "Service atlas:"))]
    assert len(quoted) >= 4, quoted
    for title in quoted:
        assert any(real.startswith(title) for real in titles), \
            f"docs/quickstart.rst: no demo scenario is called {title!r}"


def test_the_example_reader_covers_every_page_of_the_site():
    """``rst_examples.pages()`` is what every example test reads: it must be every source page
    Sphinx builds (docs/dev/ is excluded from the site in docs/conf.py)."""
    from tests.unit.docs.rst_examples import pages

    built = {p for p in DOCS.rglob("*.rst")
             if not {"_build", "dev"} & set(p.relative_to(DOCS).parts)}
    assert set(pages()) == built, sorted(str(p) for p in built - set(pages()))
    conf = (DOCS / "conf.py").read_text(encoding="utf-8")
    assert "source_suffix" not in conf and "myst" not in conf, \
        "Sphinx reads more than .rst now: teach tests/unit/docs/rst_examples.py to read it"
