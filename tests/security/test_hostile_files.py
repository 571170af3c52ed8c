"""Hostile OLX and import files: refused quickly, clearly, with no file or network access.

Every XML attack of ``tests/data/security/xml/`` goes through every XML-reading path (OLX of
each block through the XBlock runtime's parser, the quiz's Moodle XML and CAPA importers, the
atlas' KLE XML importer in ``test_atlas_files.py``), plus generated deep nesting (100,000
levels) and oversized files; GIFT, CSV and JSON imports get their own hostile inputs.  Each must
end within 2 s of CPU time (``conftest.Stopwatch``) with a readable error (or, for attacks that
need no DTD, a harmless result), the pipe of ``FileTrap`` must never be opened, the loopback
``Listener`` must never be connected to, and no canary text may appear anywhere in the result.
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from lxml import etree
from xblock.plugin import PluginMissingError

from competency_xblock.text import UserFacingError
from tests.security.conftest import SECURITY_DATA, FileTrap, Stopwatch, stored

XML_CORPUS = sorted((SECURITY_DATA / "xml").glob("*.xml"))
NEEDS_NO_DTD = {"xinclude-file.xml", "xinclude-network.xml", "schema-location.xml",
                "stylesheet-pi.xml"}
CANARIES = (FileTrap.CANARY, "NETWORK-CANARY", "root:x:0:0", "lollollol")
OPTION_NS = 'xmlns:option="http://code.edx.org/xblock/option"'


def fill(path: Path, root: str, attrs: str, trap, listener) -> str:
    text = path.read_text(encoding="utf-8")
    return (text.replace("ROOT", root).replace("ATTRS", attrs)
            .replace("FILE_URL", trap.url).replace("NET_URL", listener.url))


def deep(root: str, attrs: str, levels: int = 100_000) -> str:
    return f"<{root} {attrs}>" + "<div>" * levels + "x" + "</div>" * levels + f"</{root}>"


def check_refusal(run, trap, listener, may_succeed: bool = False):
    """Run ``run()``; return the error (or result) after the common assertions."""
    outcome = None
    with Stopwatch() as watch:
        try:
            outcome = run()
        except (UserFacingError, etree.XMLSyntaxError, PluginMissingError) as error:
            outcome = error
    watch.check()
    time.sleep(0.05)  # let the trap's and listener's threads notice a late access
    assert trap.opened == 0, "the importer opened a file named in the document"
    assert listener.connections == [], "the importer connected to the network"
    shown = str(outcome) if not isinstance(outcome, UserFacingError) else outcome.render()
    for canary in CANARIES:
        assert canary not in shown and canary not in repr(getattr(outcome, "__dict__", "")), canary
    if isinstance(outcome, UserFacingError):
        message = outcome.render()
        assert message.strip() and "Traceback" not in message and len(message) < 600, message
    elif isinstance(outcome, (etree.XMLSyntaxError, PluginMissingError)):
        assert str(outcome).strip()  # the runtime's own message ("Entity 'x' not defined" ...)
    else:
        assert may_succeed, f"not refused: {outcome!r}"[:300]
    return outcome


# --- the quiz's XML importers ---------------------------------------------------------------

QUIZ_FORMATS = {
    "moodle": ("quiz", ""),
    "capa": ("problem", 'display_name="x"'),
    None: ("quiz", ""),  # format detection parses the XML too
}


@pytest.mark.parametrize("fmt", list(QUIZ_FORMATS), ids=["moodle", "capa", "auto"])
@pytest.mark.parametrize("path", XML_CORPUS, ids=lambda p: p.name)
def test_quiz_xml_importers_refuse_attacks(path, fmt, file_trap, listener):
    from competency_xblock.quiz_engine.importers import import_data

    root, attrs = QUIZ_FORMATS[fmt]
    text = fill(path, root, attrs, file_trap, listener)
    outcome = check_refusal(lambda: import_data(text, fmt), file_trap, listener,
                            may_succeed=path.name in NEEDS_NO_DTD)
    if path.name not in NEEDS_NO_DTD:
        assert isinstance(outcome, UserFacingError)
        assert "DOCTYPE" in outcome.render()
    else:
        questions = getattr(outcome, "questions", [])
        assert questions == []


@pytest.mark.parametrize("fmt", list(QUIZ_FORMATS), ids=["moodle", "capa", "auto"])
def test_quiz_xml_importers_refuse_deep_and_huge_files(fmt, file_trap, listener):
    from competency_xblock.quiz_engine.importers import import_data
    from competency_xblock.quiz_engine.importers.common import MAX_IMPORT_BYTES

    root, attrs = QUIZ_FORMATS[fmt]
    error = check_refusal(lambda: import_data(deep(root, attrs), fmt), file_trap, listener)
    assert isinstance(error, UserFacingError) and "depth" in error.render()
    huge = f"<{root} {attrs}><!-- {'x' * (MAX_IMPORT_BYTES + 10)} --></{root}>"
    error = check_refusal(lambda: import_data(huge, fmt), file_trap, listener)
    assert isinstance(error, UserFacingError) and "too large" in error.render()


def test_quiz_import_handler_refuses_attacks_end_to_end(workbench, file_trap, listener):
    """Through Studio's import handler: 400, a readable message, nothing stored."""
    usage = workbench.render(workbench.scenario("<data_security_quiz/>"), student="staff").usage_id
    before = stored(workbench)
    for path in XML_CORPUS:
        text = fill(path, "quiz", "", file_trap, listener)
        with Stopwatch(f"import_questions handler: {path.name}") as watch:
            result = workbench.call(usage, "import_questions",
                                    {"format": "moodle", "content": text}, student="staff")
        watch.check()
        assert result.status in (200, 400), (path.name, result.status)
        if path.name not in NEEDS_NO_DTD:
            assert result.status == 400 and "DOCTYPE" in result.data["error"], path.name
        else:
            assert result.data.get("imported", 0) == 0
        for canary in CANARIES:
            assert canary not in result.body.decode("utf-8")
    for body in (deep("quiz", ""), "<quiz>" + "<!-- x -->" * 500_000 + "</quiz>"):
        result = workbench.call(usage, "import_questions", {"format": "moodle", "content": body},
                                student="staff")
        assert result.status == 400 and result.data["error"]
    assert stored(workbench) == before
    assert file_trap.opened == 0 and listener.connections == []


# --- GIFT -------------------------------------------------------------------------------------

GIFT_ATTACKS = {
    "open-braces": "::q:: " + "{" * 100_000,
    "nested-braces": "::q:: x " + "{" * 50_000 + "=a" + "}" * 50_000,
    "colons": "::" * 100_000,
    "backslashes": "::q:: x {" + "\\" * 100_001 + "}",
    "many-answers": "::q:: x {" + "~a " * 100_000 + "=b}",
    "weights": "::q:: x {" + "~%50%a " * 50_000 + "}",
    "long-line": "x" * 3_000_000,
    "many-questions": "::q:: x {=a ~b}\n\n" * 60_000,
    "nul-bytes": "::q\x00:: x\x00 {=a\x00 ~b}",
    "comments": "//" * 500_000,
    "category": "$CATEGORY: " + "a/" * 200_000,
    "html-format": "::q:: [html]<script>alert(1)</script>{=[html]<img src=x onerror=alert(1)> ~b}",
}


@pytest.mark.parametrize("name", list(GIFT_ATTACKS))
def test_gift_importer_survives_pathological_text(name, file_trap, listener):
    from competency_xblock.quiz_engine.importers import import_data

    check_refusal(lambda: import_data(GIFT_ATTACKS[name], "gift"), file_trap, listener,
                  may_succeed=True)


def test_gift_importer_refuses_oversized_files():
    from competency_xblock.quiz_engine.importers import import_data
    from competency_xblock.quiz_engine.importers.common import MAX_IMPORT_BYTES

    with Stopwatch() as watch, pytest.raises(UserFacingError, match="too large"):
        import_data("::q:: x {=a ~b}\n\n" + "x" * MAX_IMPORT_BYTES, "gift")
    watch.check()


# --- OLX through the XBlock runtime ---------------------------------------------------------

BLOCK_TAGS = ["competency_self_assessment", "data_security_quiz"]


def parse(olx: str):
    from tests.helpers.workbench import parse_olx

    return parse_olx(olx)


@pytest.mark.parametrize("tag", BLOCK_TAGS)
@pytest.mark.parametrize("path", XML_CORPUS, ids=lambda p: p.name)
def test_olx_attacks_are_refused(workbench, tag, path, file_trap, listener):
    text = fill(path, tag, f'display_name="olx" {OPTION_NS}', file_trap, listener)
    outcome = check_refusal(lambda: parse(text), file_trap, listener,
                            may_succeed=path.name in NEEDS_NO_DTD)
    if path.name == "internal-entity.xml":  # lxml expands it; our blocks refuse the DTD
        assert isinstance(outcome, UserFacingError) and "DOCTYPE" in outcome.render()


@pytest.mark.parametrize("tag", BLOCK_TAGS)
def test_olx_deep_nesting_and_oversized_blocks_are_refused(workbench, tag, file_trap, listener):
    from competency_xblock.core.olx import MAX_OLX_CHARS

    check_refusal(lambda: parse(deep(tag, 'display_name="x"')), file_trap, listener)
    field = "setup" if tag == "competency_self_assessment" else "bank"
    huge = (f'<{tag} {OPTION_NS}><option:{field}>{{"x": "{"y" * (MAX_OLX_CHARS + 10)}"}}'
            f"</option:{field}></{tag}>")
    error = check_refusal(lambda: parse(huge), file_trap, listener)
    assert isinstance(error, UserFacingError) and "too large" in error.render()


def test_olx_with_an_author_doctype_is_refused_with_a_clear_message(workbench):
    olx = '<!DOCTYPE x [<!ENTITY n "Navn">]><data_security_quiz display_name="&n;"/>'
    with pytest.raises(UserFacingError) as caught:
        parse(olx)
    assert caught.value.render() == ("The OLX contains a DOCTYPE or ENTITY declaration, which "
                                     "is not allowed. (<data_security_quiz>)")


# --- JSON and CSV imports of the self-assessment ----------------------------------------------

JSON_ATTACKS = {
    "deep-arrays": "[" * 100_000,
    "deep-objects": '{"a":' * 50_000 + "1" + "}" * 50_000,
    "nan": '{"schema_version": NaN}',
    "infinity": '{"framework": {"levels": Infinity}}',
    "overflow": '{"schema_version": 1e999}',
    "huge-int": '{"schema_version": ' + "9" * 5000 + "}",
    "lone-surrogate": '{"notice": "\\ud800"}',
    "duplicate-keys": '{"framework": 1, "framework": {"ref": "digcomp3"}}',
    "bom-garbage": "\ufeff\x00\x01",
    "proto": '{"__proto__": {"polluted": true}, "constructor": {"prototype": {}}}',
}
CSV_ATTACKS = {
    "nul": "type,id\nframework\x00,x\n",
    "huge-field": "type,id\nframework," + "x" * 1_000_000 + "\n",
    "open-quote": 'type,id\n"framework,x\n' + "y," * 100_000,
    "too-many-rows": "role,competence,level\n" + "r,1.1,basic\n" * 5_001,
    "too-big": "type,id\n" + "x" * 2_000_001,
    "many-columns": ",".join(f"c{i}" for i in range(100_000)) + "\n1,2\n",
    "formula": "type,id,title_en\nframework,=cmd|' /C calc'!A0,=HYPERLINK(\"http://x\")\n",
    "cr-only": "type,id\r" * 100_000,
}


@pytest.fixture(scope="module")
def self_assessment(bench):
    scenario = bench.scenario("<competency_self_assessment/>", "hostile imports")
    return bench.render(scenario, student="staff").usage_id


@pytest.mark.parametrize("kind", ["setup", "framework"])
@pytest.mark.parametrize("name", list(JSON_ATTACKS))
def test_json_imports_refuse_hostile_json(bench, self_assessment, kind, name):
    before = stored(bench)
    with Stopwatch() as watch:
        result = bench.call(self_assessment, "import_data",
                            {"kind": kind, "format": "json", "text": JSON_ATTACKS[name]},
                            student="staff")
    watch.check()
    assert result.status == 400, (result.status, result.body[:300])
    assert result.data["error"] and "Something went wrong" not in result.data["error"]
    assert stored(bench) == before


@pytest.mark.parametrize("kind", ["framework", "profiles"])
@pytest.mark.parametrize("name", list(CSV_ATTACKS))
def test_csv_imports_refuse_hostile_csv(bench, self_assessment, kind, name):
    text = CSV_ATTACKS[name]
    if len(text) > 3_900_000:
        pytest.skip("larger than the request limit (tested in test_limits.py)")
    before = stored(bench)
    with Stopwatch() as watch:
        result = bench.call(self_assessment, "import_data",
                            {"kind": kind, "format": "csv", "text": text, "save": False},
                            student="staff")
    watch.check()
    assert result.status in (200, 400), (result.status, result.body[:300])
    if result.status == 400:
        assert result.data["error"] and "Something went wrong" not in result.data["error"]
    assert stored(bench) == before


def test_csv_export_neutralises_formulas_an_author_typed():
    """A title that starts like a formula is exported with a leading apostrophe (Excel)."""
    from competency_xblock.competency import framework_csv
    from competency_xblock.competency.framework import load_builtin

    framework = load_builtin()
    data = framework.to_dict()
    data["title"] = {"en": "=HYPERLINK(\"http://evil.example\",\"x\")", "da": "+1+1"}
    from competency_xblock.competency.framework import Framework

    text = framework_csv.export_csv(Framework.from_dict(data))
    assert "'=HYPERLINK" in text and "'+1+1" in text
    assert framework_csv.import_csv(text).to_dict()["title"] == data["title"]


MANY_CHOICES = {
    "gift": "::q:: x {" + "~a " * 100_000 + "=b}",
    "moodle": ('<quiz><question type="multichoice"><name><text>q</text></name><questiontext>'
               "<text>x</text></questiontext><single>false</single>"
               + '<answer fraction="50"><text>a</text></answer>' * 90_000 + "</question></quiz>"),
    "capa": ("<problem><choiceresponse><label>x</label><checkboxgroup>"
             + '<choice correct="true">a</choice>' * 100_000
             + "</checkboxgroup></choiceresponse></problem>"),
}


@pytest.mark.parametrize("fmt", list(MANY_CHOICES))
def test_questions_with_too_many_choices_are_skipped_quickly(fmt, file_trap, listener):
    from competency_xblock.quiz_engine.importers import import_data
    from competency_xblock.quiz_engine.importers.common import MAX_CHOICES

    result = check_refusal(lambda: import_data(MANY_CHOICES[fmt], fmt), file_trap, listener,
                           may_succeed=True)
    assert result.questions == []
    assert f"at most {MAX_CHOICES} are allowed" in result.problems[0].render()
