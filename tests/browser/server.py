"""``python -m tests.browser.server ADDR:PORT``: the demo workbench plus test-only scenarios.

The same settings and blocks as ``make demo``; the extra scenarios (two blocks of one kind on
a page, a small quiz with known answers, one scenario per Studio-edit test so saved settings
never leak into another test) are registered in this process before it serves requests, so
the demo's own index stays as it is.
"""
from __future__ import annotations

import os
import sys

QUIZ_SMALL = ('<data_security_quiz topics=\'["cpr"]\' questions_per_attempt="4" '
              'shuffle_questions="false" shuffle_choices="false" max_attempts="2" '
              'show_answer="after_last_attempt" display_name="{name}"/>')


def test_scenarios() -> dict[str, tuple[str, str]]:
    """``{scenario id: (description, OLX)}``; descriptions are unique (they seed usage ids)."""
    scenarios = {
        "cxtest-two-sa": ("Test: two self-assessments on one page",
                          "<vertical_demo><competency_self_assessment/>"
                          "<competency_self_assessment/></vertical_demo>"),
        "cxtest-two-quiz": ("Test: two quizzes on one page",
                            '<vertical_demo><data_security_quiz questions_per_attempt="2"/>'
                            '<data_security_quiz questions_per_attempt="2"/></vertical_demo>'),
        "cxtest-two-atlas": ("Test: two atlas lookups on one page",
                             '<vertical_demo><atlas_lookup mode="exercise"/><atlas_lookup/>'
                             "</vertical_demo>"),
    }
    for lang in ("en", "da"):
        scenarios[f"cxtest-quiz-small-{lang}"] = (
            f"Test: small CPR quiz ({lang})", QUIZ_SMALL.format(name="CPR"))
        # Its own bank: the test changes it after the learner answered.
        scenarios[f"cxtest-quiz-changed-{lang}"] = (
            f"Test: CPR quiz whose bank changes ({lang})",
            QUIZ_SMALL.format(name="CPR").replace('max_attempts="2"', 'max_attempts="1"')
            .replace('"after_last_attempt"', '"always"'))
        scenarios[f"cxtest-sa-staff-{lang}"] = (
            f"Test: self-assessment staff view ({lang})", "<competency_self_assessment/>")
        for tag in ("competency_self_assessment", "data_security_quiz", "atlas_lookup"):
            scenarios[f"cxtest-studio-{tag}-{lang}"] = (
                f"Test: Studio editor of {tag} ({lang})", f"<{tag}/>")
    return scenarios


def _exit_with_parent(parent: int) -> None:
    """Stop when the pytest process that started us is gone (killed by a timeout, Ctrl-C on
    xdist ...), so no orphaned server keeps a port and a temporary folder."""
    import shutil
    import threading
    import time

    def watch():
        while os.getppid() == parent:
            time.sleep(1)
        var = os.environ.get("WORKBENCH_VAR", "")
        if os.path.basename(var).startswith("cx-browser-var-"):
            shutil.rmtree(var, ignore_errors=True)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def main(address: str) -> None:
    serve(address, test_scenarios)


def serve(address: str, scenarios, **environ: str) -> None:
    """Serve the demo settings with a throw-away database and the ``scenarios()`` added (also
    used by the XSS server); ends with the pytest process that started it."""
    _exit_with_parent(os.getppid())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo.settings")
    os.environ.setdefault("EXCLUDE_SAMPLE_XBLOCKS", "yes")
    for key, value in environ.items():
        os.environ.setdefault(key, value)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.backends.signals import connection_created
    from workbench.scenarios import add_xml_scenario, get_scenarios

    connection_created.connect(_throwaway_sqlite)

    call_command("migrate", run_syncdb=True, verbosity=0)
    get_scenarios()
    for name, (description, olx) in scenarios().items():
        add_xml_scenario(name, description, olx)
    call_command("runserver", address, use_reloader=False, skip_checks=True)


def _throwaway_sqlite(sender, connection, **kwargs) -> None:
    """The test database lives only as long as the test run: no fsync on every write
    (halves the start-up, which stores every scenario's definitions row by row)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA journal_mode=WAL")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:8000")
