"""The HR guide's worked example: fictitious learners take the DEMO blocks, then the report.

    .venv/bin/python scripts/hr_worked_example.py [--out build/hr-worked-example]

1. Starts the real xblock-sdk workbench in-process (demo settings, a fresh SQLite database in
   a temporary folder) and loads the demo's own scenarios (the blocks' ``workbench_scenarios``,
   as ``make demo`` shows them): the DigComp 3.0 self-assessment with the shipped example
   role profiles, the data-security quiz with the default bank, and the service-atlas referral
   exercise (Eksempel Kommune).
2. 53 FICTITIOUS learners (seeded random; user names ``fiktiv-01`` ...) submit through the
   blocks' handlers, exactly as the browser does.
3. The blocks' ``generate_report_data`` rows are written as an Open edX *Problem Responses*
   report (``username, title, location``, the blocks' columns, ``block_key, state``).
4. ``competency-xblock report all`` runs on it; the outputs go to ``--out``, and the heat map
   PNG also to ``docs/_static/hr-example-heatmap.png`` (unless ``--no-static``).

docs/hr-guide.rst quotes the results; tests/runtime/test_docs_hr_example.py runs this script's
``build`` and checks every figure quoted there, so the guide cannot drift.
"""
from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import random
import shutil
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SEED = 2026
ROLE_UNIT_PNG = "competence-heatmap-role-unit.png"
#: The pictures copied into the docs: output file -> docs/_static/ file.
STATIC = {"competence-heatmap.png": "hr-example-heatmap.png",
          ROLE_UNIT_PNG: "hr-example-heatmap-role-unit.png"}
COURSE = "block-v1:Eksempel+DIGI101+2026_T1"
SECTION = "Digitale kompetencer (FIKTIVT EKSEMPEL) > Modul 1"
SCENARIOS = {  # the demo's scenarios: block type -> (scenario id, fictitious LMS block id)
    "competency_self_assessment": ("competency_self_assessment.0", "5e1f0a"),
    "data_security_quiz": ("data_security_quiz.0", "9c2d44"),
    "atlas_lookup": ("atlas_lookup.0", "c7a810"),
}
#: (role, unit, number of learners).  Only 3 Borgerservice staff work in Social og Sundhed:
#: below k = 5, so the report hides them (and, as partners, enough other groups that nothing
#: can be subtracted back).
GROUPS = [
    ("borgerservice", "borgerservice", 8),
    ("borgerservice", "jobcenter", 6),
    ("borgerservice", "social-sundhed", 3),
    ("sagsbehandler", "borgerservice", 5),
    ("sagsbehandler", "jobcenter", 8),
    ("sagsbehandler", "social-sundhed", 7),
    ("leder", "borgerservice", 6),
    ("leder", "jobcenter", 5),
    ("leder", "social-sundhed", 5),
]
LEVELS = ["basic", "intermediate", "advanced", "highly_advanced"]
#: How far below the expected level learners tend to rate themselves (mean of the random
#: gap), by role and competence; everything else gets 0.3.
BIAS = {
    ("borgerservice", "4.2"): 1.3,   # data protection: a clear gap at the front desk
    ("borgerservice", "3.1"): -1.7,  # content creation: far above the (basic) expectation
    ("borgerservice", "1.1"): 0.6,
    ("sagsbehandler", "4.2"): 1.0,
    ("sagsbehandler", "1.3"): 0.8,
}
#: Borgerservice learners 1-6 take the self-assessment twice: the first time lower.
REASSESSED = 6
#: Only the largest group answers "don't know" (so that no small group loses its levels).
DONT_KNOW, DONT_KNOW_GROUP = 0.1, ("borgerservice", "borgerservice")
#: What learners type in each atlas case: learner n types the first 1 + n % 3 queries.
#: "rottespærre" and "bekymringsbrev" find nothing in the demo atlas.
ATLAS_QUERIES = {
    "rotter": ["skadedyr", "rottespærre", "rotter"],
    "boligstoette": ["huslejetilskud", "boligstøtte"],
    "underretning": ["bekymring for barn", "bekymringsbrev", "underretning"],
}


def learners() -> list[tuple[str, str, str]]:
    """(user name, role, unit) of the 53 fictitious learners."""
    people = []
    for role, unit, count in GROUPS:
        for _ in range(count):
            people.append((f"fiktiv-{len(people) + 1:02d}", role, unit))
    return people


def _ratings(rng: random.Random, profile: dict, role: str, unit: str, shift: float = 0.0
             ) -> dict:
    ratings = {}
    for competence, expected in profile.items():
        if (role, unit) == DONT_KNOW_GROUP and rng.random() < DONT_KNOW:
            ratings[competence] = "dont_know"
            continue
        gap = round(rng.gauss(BIAS.get((role, competence), 0.3) + shift, 0.8))
        level = min(max(LEVELS.index(expected) - gap, 0), len(LEVELS) - 1)
        ratings[competence] = LEVELS[level]
    return ratings


def _self_assessment(wb, usage: str, people, rng: random.Random) -> None:
    from competency_xblock.competency.content import example_dict

    profiles = example_dict()["profiles"]
    for index, (name, role, unit) in enumerate(people):
        rounds = [1.0, 0.0] if role == "borgerservice" and index < REASSESSED else [0.0]
        for shift in rounds:
            result = wb.call(usage, "submit", {"role": role, "unit": unit, "ratings": _ratings(
                rng, profiles[role], role, unit, shift)}, student=name)
            if result.status != 200:
                raise RuntimeError(f"self-assessment submit failed: {result.body!r}")


def _quiz(wb, usage: str, people, rng: random.Random) -> None:
    from competency_xblock.quiz_engine.bank import default_bank

    bank = {q.id: q for q in default_bank().questions}
    for name, _, _ in people:
        ability = 0.35 + 0.6 * rng.random()
        attempt = wb.call(usage, "load", {}, student=name).data["attempt"]
        answers = {}
        for view in attempt["questions"]:
            question = bank[view["id"]]
            right = {c.text["en"] for c in question.choices if c.correct}
            keys_right = [c["key"] for c in view["choices"] if c["text"] in right]
            keys_wrong = [c["key"] for c in view["choices"] if c["text"] not in right]
            if rng.random() < ability or not keys_wrong:
                answers[view["id"]] = keys_right
            else:
                answers[view["id"]] = [rng.choice(keys_wrong)]
        result = wb.call(usage, "submit", {"attempt": attempt["attempt"], "answers": answers},
                         student=name)
        if result.status != 200:
            raise RuntimeError(f"quiz submit failed: {result.body!r}")


def _atlas(wb, usage: str, block, people, rng: random.Random) -> None:
    exercise = block.exercise_content()
    scenarios = {s.id: s for s in exercise.scenarios}
    wrong_unit = "borgerservice-ydelser"
    for index, (name, _, _) in enumerate(people):
        for case in ("rotter", "boligstoette", "underretning", "koerekort"):
            scenario = scenarios[case]
            for query in ATLAS_QUERIES.get(case, [])[: 1 + index % 3]:
                wb.call(usage, "search", {"query": query, "scenario": case}, student=name)
            kind, answer = (("service", scenario.answer_services[0])
                            if scenario.answer_services else ("unit", scenario.answer_units[0]))
            skill = rng.random()
            if case in ("rotter", "underretning") and skill < 0.45:
                wrong = wrong_unit if case == "rotter" else "borgerservice-folkeregister"
                wb.call(usage, "pick", {"scenario": case, "kind": "unit", "id": wrong},
                        student=name)
                if skill < 0.15:
                    continue  # gives up after one wrong referral
            result = wb.call(usage, "pick", {"scenario": case, "kind": kind, "id": answer},
                             student=name)
            if result.status != 200:
                raise RuntimeError(f"atlas pick failed: {result.body!r}")


def _problem_responses(wb, blocks: dict, people, path: Path) -> None:
    """The Problem Responses report as the LMS writes it, from ``generate_report_data``."""
    keys: dict[str, None] = {}
    data = []
    for block_type, (usage, block) in blocks.items():
        block_key = f"{COURSE}+type@{block_type}+block@{SCENARIOS[block_type][1]}"
        states = [SimpleNamespace(username=name, state=wb.state(usage, name))
                  for name, _, _ in people]
        for username, row in block.generate_report_data(iter(states)):
            for key in row:
                keys.setdefault(key, None)
            data.append({"username": username, "title": block.display_name,
                         "location": f"{SECTION} > {block.display_name}", **row,
                         "block_key": block_key,
                         "state": json.dumps(wb.state(usage, username), ensure_ascii=False)})
    header = ["username", "title", "location", *keys, "block_key", "state"]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\r\n")
        writer.writeheader()
        for row in data:
            writer.writerow({k: ("" if v is None else v) for k, v in row.items()})


def build(out_dir: str | os.PathLike, language: str = "en") -> dict:
    """Run the whole example into ``out_dir``; returns the paths and the report result.

    Sets Django up with a database in a temporary folder that is removed at the end: call it
    in a process of its own (as ``main`` and the test do), not inside another Django run.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    var_dir = tempfile.mkdtemp(prefix="hr-example-")
    try:
        from tests.helpers.workbench import Workbench, setup_django

        setup_django(var_dir)
        from workbench.runtime import WorkbenchRuntime

        wb = Workbench()
        quiet = logging.getLogger("workbench.runtime")
        propagate, quiet.propagate = quiet.propagate, False  # the events, not on the console
        try:
            people = learners()
            rng = random.Random(SEED)
            usages = {}
            for block_type, (scenario_id, _) in SCENARIOS.items():
                usages[block_type] = wb.render(scenario_id, student=people[0][0]).usage_id
            reader = WorkbenchRuntime("hr-report")
            blocks = {t: (u, reader.get_block(u)) for t, u in usages.items()}
            _self_assessment(wb, usages["competency_self_assessment"], people, rng)
            _quiz(wb, usages["data_security_quiz"], people, rng)
            _atlas(wb, usages["atlas_lookup"], blocks["atlas_lookup"][1], people, rng)
            responses = out / "student_state_fiktivt_eksempel.csv"
            _problem_responses(wb, blocks, people, responses)
        finally:
            quiet.propagate = propagate
            wb.close()
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    from competency_xblock.reports import pipeline

    report_dir = out / "hr-rapport"
    result = pipeline.run(pipeline.Options(inputs=[str(responses)], out_dir=str(report_dir),
                                           language=language))
    # The same matrix with a row per role and unit (what ``--rows role_unit`` draws).
    from competency_xblock.reports import heatmap
    from competency_xblock.reports.labels import Labels

    heatmap.write_png(heatmap.build(result.matrix, "role_unit", "gap", Labels(language)),
                      str(report_dir / ROLE_UNIT_PNG))
    return {"responses": responses, "report_dir": report_dir, "result": result,
            "learners": people}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "build" / "hr-worked-example"))
    parser.add_argument("--lang", default="en", choices=["en", "da"])
    parser.add_argument("--no-static", action="store_true",
                        help="Do not copy the heat map into docs/_static/.")
    args = parser.parse_args(argv)
    built = build(args.out, args.lang)
    print(f"Problem Responses report (53 fictitious learners): {built['responses']}")
    for path in built["result"].written:
        print(path)
    if not args.no_static:
        for made, shown in STATIC.items():
            target = ROOT / "docs" / "_static" / shown
            shutil.copyfile(built["report_dir"] / made, target)
            print(f"copied {made} to {target}")


if __name__ == "__main__":
    main()
