"""Write the report fixtures of this folder from the small design below (run by hand).

    .venv/bin/python tests/data/reports/make_fixtures.py

The files imitate what the LMS writes (column layout of openedx-platform's ProblemResponses
and CourseGradeReport, see README.md), filled with made-up learners.  The English file is as
the LMS writes it; the Danish one is as HR has it after Danish Excel saved it again
(semicolons, byte-order mark, blank lines, an extra column someone added).

The expected figures in tests/unit/reports/test_fixture_figures.py are worked out by hand from
the DESIGN tables here, not from these files.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
COURSE = "Kommune+DIGI101+2026_T1"
SELF_KEY = f"block-v1:{COURSE}+type@competency_self_assessment+block@5e1f0a"
QUIZ_KEY = f"block-v1:{COURSE}+type@data_security_quiz+block@9c2d44"
ATLAS_KEY = f"block-v1:{COURSE}+type@atlas_lookup+block@c7a810"
CAPA_KEY = f"block-v1:{COURSE}+type@problem+block@1d0b3e"
PATH = "Digitale kompetencer i kommunen > Modul 1: Kom godt i gang"

LEVELS = ["basic", "intermediate", "advanced", "highly_advanced"]
LABELS = {
    "en": {"basic": "Basic", "intermediate": "Intermediate", "advanced": "Advanced",
           "highly_advanced": "Highly advanced", "dont_know": "don't know"},
    "da": {"basic": "Grundlæggende", "intermediate": "Øvet", "advanced": "Avanceret",
           "highly_advanced": "Meget avanceret", "dont_know": "ved ikke"},
}
STATUS = {
    "en": {"gap": "below expected", "met": "as expected", "above": "above expected",
           "unknown": "don't know"},
    "da": {"gap": "under det forventede", "met": "som forventet", "above": "over det forventede",
           "unknown": "ved ikke"},
}
HEADINGS = {
    "en": ["Role", "Unit", "Competence area", "Competence id", "Competence",
           "Self-rated level", "Expected level", "Gap (levels)", "Status", "Date",
           "Assessment number"],
    "da": ["Rolle", "Enhed", "Kompetenceområde", "Kompetence-id", "Kompetence", "Eget niveau",
           "Forventet niveau", "Gab (niveauer)", "Status", "Dato", "Vurdering nr."],
}
QUIZ_HEADINGS = {
    "en": ["Attempt", "Score", "Possible", "Percent", "Passed", "Question {n}",
           "Question {n} answer", "Question {n} correct"],
    "da": ["Forsøg", "Point", "Mulige point", "Procent", "Bestået", "Spørgsmål {n}",
           "Spørgsmål {n} svar", "Spørgsmål {n} rigtigt"],
}
YES_NO = {"en": ("yes", "no"), "da": ("ja", "nej")}
COMPETENCES = {
    "1.1": {"en": ("Information and data literacy", "Browsing, searching and filtering data"),
            "da": ("Informations- og datakompetence", "Browsing, søgning og filtrering af data")},
    "4.2": {"en": ("Safety", "Protecting personal data and privacy"),
            "da": ("Sikkerhed", "Beskyttelse af personoplysninger og privatliv")},
}
ROLES = {"S": "Sagsbehandler", "K": "Skrankemedarbejder"}
UNITS = {"BN": "Borgerservice Nord", "JØ": "Jobcenter Øst", "Æ": "Ældreplejen"}
EXPECTED = {"S": {"1.1": "advanced", "4.2": "advanced"},
            "K": {"1.1": "intermediate", "4.2": "intermediate"}}

# DESIGN: per (role, unit) the self-ratings of each learner on 1.1 and 4.2 (DK = don't
# know), and for reassessed learners their previous ratings.
BA, IN, AD, HA, DK = "basic", "intermediate", "advanced", "highly_advanced", "dont_know"
GROUPS = {
    ("S", "BN"): {"1.1": [BA, IN, IN, AD, AD, HA], "4.2": [IN, AD, AD, AD, AD, AD]},
    ("S", "JØ"): {"1.1": [BA, IN], "4.2": [AD, AD]},
    ("S", "Æ"): {"1.1": [IN, IN, IN, AD, AD, AD, HA], "4.2": [AD] * 7},
    ("K", "BN"): {"1.1": [BA, BA, IN, IN, AD], "4.2": [IN] * 5},
    ("K", "JØ"): {"1.1": [BA, BA, BA, IN, IN, IN], "4.2": [IN] * 6},
    ("K", "Æ"): {"1.1": [BA, BA, BA, BA, IN, IN, AD, AD], "4.2": [DK, DK, DK, DK, BA, BA, IN, IN]},
}
#: (K, Æ) reassessed: every learner's previous ratings.
PREVIOUS = {("K", "Æ"): {"1.1": [BA] * 8, "4.2": [IN] * 8}}
FIRST_NAMES = ["mette", "søren", "anne", "jens", "maria", "lars", "hanne", "peter", "kirsten",
               "niels", "camilla", "bo", "louise", "rasmus", "pia", "mikkel", "ulla", "jørgen",
               "sofie", "henrik", "karen", "thomas", "lene", "anders", "birthe", "frederik",
               "signe", "ole", "ida", "martin", "inge", "kasper", "dorthe", "emil"]

# Quiz: 10 learners, 5 questions, first attempts (1 = correct).  Learner 1 and 2 also have a
# second attempt (left out of the default analysis).
QUIZ_QUESTIONS = {
    "q1": ("Hvad er et CPR-nummer?", "Et personnummer",
           ["Et sagsnummer", "Et telefonnummer"]),
    "q2": ("Hvilke oplysninger er følsomme efter artikel 9?", "Helbredsoplysninger",
           ["Fagforeningsmedlemskab"]),
    "q3": ("Må du dele din adgangskode med en kollega?", "Nej", ["Ja"]),
    "q4": ("Hvor længe må en log over opslag gemmes?", "5 år", ["1 år", "10 år"]),
    "q5": ("Hvad gør du ved en mistænkelig e-mail?", "Melder den til IT",
           ["Åbner vedhæftningen", "Svarer afsenderen"]),
}
QUIZ_DESIGN = [  # q1 q2 q3 q4 q5, by ability; wrong answers: which distractor (index)
    ("mette.hansen", [1, 0, 1, 1, 1], {}),
    ("søren.k", [1, 0, 1, 1, 1], {}),
    ("anne_l", [1, 0, 1, 0, 1], {}),
    ("jens.p", [1, 0, 1, 0, 1], {}),
    ("maria.ø", [1, 0, 1, 0, 1], {}),
    ("lars99", [1, 1, 1, 0, 0], {}),
    ("hanne.b", [0, 1, 1, 0, 0], {}),
    ("peter.v", [0, 1, 1, 0, 0], {"q4": 1}),
    ("kirsten.m", [0, 1, 1, 0, 0], {"q1": 1, "q4": 1}),
    ("niels.aa", [0, 1, 1, 0, 0], {"q1": 1, "q4": 1}),
]

# Atlas: two practice cases, 6 learners each.  Gap logs: "boligsikring" no hits for 5
# learners, "ældrecheck" for 2, a one-off query with a name for 1.
ATLAS_CASES = {
    "task-1": "En borger vil søge om hjælp til huslejen.",
    "task-2": "En borger er flyttet og vil ændre sin adresse.",
}
ATLAS_DESIGN = [  # learner, {case: (picks as (id, correct) ...)}, gap log
    ("ulla.j", {"task-1": [("svc-boligydelse", False), ("svc-boligstotte", True)],
                "task-2": [("svc-flytning", True)]},
     [("no_hits", "boligsikring", "task-1"), ("no_hits", "ældrecheck", "")]),
    ("jørgen.t", {"task-1": [("svc-boligydelse", False), ("svc-boligstotte", True)],
                  "task-2": [("svc-flytning", True)]},
     [("no_hits", "Boligsikring ", "task-1")]),
    ("sofie.r", {"task-1": [("svc-boligydelse", False)],
                 "task-2": [("svc-flytning", True)]},
     [("no_hits", "boligsikring", "task-1"), ("no_hits", "ældrecheck", "")]),
    ("henrik.d", {"task-1": [("svc-boligydelse", False), ("svc-boligstotte", True)],
                  "task-2": [("unit-folkeregister", False), ("svc-flytning", True)]},
     [("no_hits", "boligsikring", "task-1"),
      ("wrong_pick", "husleje tilskud", "task-1")]),
    ("karen.w", {"task-1": [("svc-boligydelse", False), ("svc-boligstotte", True)],
                 "task-2": [("svc-flytning", True)]},
     [("no_hits", "BOLIGSIKRING", "task-1"), ("no_hits", "hans jensen 010203", "")]),
    ("thomas.f", {"task-1": [("svc-boligstotte", True)],
                  "task-2": [("svc-flytning", True)]}, []),
]
PICK_LABELS = {"svc-boligydelse": "Boligydelse til folkepensionister",
               "svc-boligstotte": "Boligstøtte", "svc-flytning": "Flytning (adresseændring)",
               "unit-folkeregister": "Folkeregistret"}
ENROLLED_EXTRA = ["lene", "anders", "birthe", "frederik", "signe", "ole"]


def assessment(role: str, unit: str, ratings: dict, when: str) -> dict:
    return {"role": role.lower(), "unit": unit.lower(), "ratings": ratings,
            "expected": dict(EXPECTED[role]), "submitted_at": when, "framework_id": "digcomp3"}


def self_rows(lang: str) -> list[tuple[str, dict, str]]:
    """(username, our row, state JSON) for every learner and competence."""
    rows = []
    n = 0
    for (role, unit), ratings in GROUPS.items():
        count = len(ratings["1.1"])
        for i in range(count):
            user = f"{FIRST_NAMES[n]}.{role.lower()}{i + 1}"
            n += 1
            current = {c: ratings[c][i] for c in ("1.1", "4.2")}
            now = assessment(role, unit, current, "2026-05-04T10:00:00Z")
            history = [now]
            if (role, unit) in PREVIOUS:
                before = {c: PREVIOUS[(role, unit)][c][i] for c in ("1.1", "4.2")}
                history = [assessment(role, unit, before, "2025-11-03T09:00:00Z"), now]
            state = json.dumps({"assessment": now, "history": history, "draft": {},
                                "raw_earned": 1.0}, ensure_ascii=False)
            for comp in ("1.1", "4.2"):
                level = current[comp]
                expected = EXPECTED[role][comp]
                if level == DK:
                    gap, status = "", "unknown"
                else:
                    gap = LEVELS.index(expected) - LEVELS.index(level)
                    status = "gap" if gap > 0 else "met" if gap == 0 else "above"
                area, title = COMPETENCES[comp][lang]
                values = [ROLES[role], UNITS[unit], area, comp, title, LABELS[lang][level],
                          LABELS[lang][expected], gap, STATUS[lang][status], "2026-05-04",
                          len(history)]
                rows.append((user, dict(zip(HEADINGS[lang], values, strict=True)), state))
    return rows


def quiz_rows(lang: str) -> list[tuple[str, dict, str]]:
    yes, no = YES_NO[lang]
    heads = QUIZ_HEADINGS[lang]
    rows = []
    for user, correct, wrong in QUIZ_DESIGN:
        attempts = [correct] + ([[1, 1, 1, 1, 1]] if user in ("mette.hansen", "søren.k") else [])
        for number, marks in enumerate(attempts, start=1):
            row = {heads[0]: number, heads[1]: float(sum(marks)), heads[2]: 5,
                   heads[3]: float(sum(marks) * 20), heads[4]: yes if sum(marks) >= 4 else no}
            for n, (qid, (prompt, key, distractors)) in enumerate(QUIZ_QUESTIONS.items(), 1):
                ok = marks[n - 1]
                answer = key if ok else distractors[wrong.get(qid, 0) if number == 1 else 0]
                row[heads[5].format(n=n)] = f"{qid}: {prompt}"
                row[heads[6].format(n=n)] = answer
                row[heads[7].format(n=n)] = yes if ok else no
            rows.append((user, row, json.dumps({"quiz_state": {"attempts": len(attempts)}})))
    return rows


def atlas_rows() -> list[tuple[str, dict, str]]:
    rows = []
    for user, cases, log in ATLAS_DESIGN:
        progress = {case: {"attempts": len(picks), "searches": 2, "solved": picks[-1][1],
                           "finished": True,
                           "picks": [{"kind": "service" if p.startswith("svc") else "unit",
                                      "id": p, "correct": ok} for p, ok in picks],
                           "queries": []}
                    for case, picks in cases.items()}
        gap_log = [{"kind": kind, "query": query, "scenario": scenario,
                    "expected": ["svc-boligstotte"] if scenario == "task-1" else [],
                    "picked": ""} for kind, query, scenario in log]
        state = json.dumps({"progress": progress, "gap_log": gap_log, "searches": 0},
                           ensure_ascii=False)
        for case, picks in cases.items():
            last_id, last_ok = picks[-1]
            rows.append((user, {"scenario": case, "prompt": ATLAS_CASES[case],
                                "pick": last_id, "pick_label": PICK_LABELS[last_id],
                                "correct": last_ok, "solved": last_ok,
                                "attempts": len(picks), "searches": 2}, state))
    return rows


def capa_rows(lang: str) -> list[tuple[str, dict, str]]:
    question = {"en": "Which of these is a strong password?",
                "da": "Hvilken af disse er en stærk adgangskode?"}[lang]
    keys = {"en": ("Answer", "Answer ID", "Correct Answer", "Question"),
            "da": ("Svar", "Svar-id", "Korrekt svar", "Spørgsmål")}[lang]
    rows = []
    for user in ("mette.hansen", "lars99"):
        rows.append((user, dict(zip(keys, ("Tre-Blå-Heste-Løber!", f"{CAPA_KEY}_2_1",
                                            "Tre-Blå-Heste-Løber!", question), strict=True)),
                     json.dumps({"attempts": 1, "done": True, "correct_map": {}})))
    return rows


BLOCKS = [  # (block key, title, location, rows)
    ("capa", CAPA_KEY, "Stærke adgangskoder"),
    ("self", SELF_KEY, "Selvvurdering: digitale kompetencer"),
    ("quiz", QUIZ_KEY, "Quiz: datasikkerhed i hverdagen"),
    ("atlas", ATLAS_KEY, "Øvelse: find den rigtige ydelse"),
]


def problem_responses(lang: str) -> tuple[list[str], list[dict]]:
    """Header and rows in the LMS's order: username, title, location, block keys, block_key,
    state; blocks in course order, learners in user id order within a block."""
    produce = {"capa": lambda: capa_rows(lang), "self": lambda: self_rows(lang),
               "quiz": lambda: quiz_rows(lang), "atlas": atlas_rows}
    keys: dict[str, None] = {}
    out = []
    for kind, block_key, title in BLOCKS:
        for user, row, state in produce[kind]():
            for key in row:
                keys.setdefault(key, None)
            out.append({"username": user, "title": title, "location": f"{PATH} > {title}",
                        **row, "block_key": block_key, "state": state})
    header = ["username", "title", "location", *keys, "block_key", "state"]
    return header, out


def write_csv(path: Path, header: list[str], rows: list[dict], delimiter: str = ",",
              bom: bool = False, blank_every: int = 0) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for n, row in enumerate(rows, start=1):
        writer.writerow(["" if row.get(h) is None else row.get(h, "") for h in header])
        if blank_every and n % blank_every == 0:
            writer.writerow([""] * len(header) if delimiter == ";" else [])
    data = buffer.getvalue().encode("utf-8")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)


def grade_report() -> tuple[list[str], list[dict]]:
    header = ["Student ID", "Email", "Username", "Grade", "Quiz 1: Datasikkerhed i hverdagen",
              "Quiz 2: Find den rigtige ydelse", "Quiz (Avg)", "Selvvurdering", "Cohort Name",
              "Enrollment Track", "Verification Status", "Certificate Eligible",
              "Certificate Delivered", "Certificate Type", "Enrollment Status"]
    learners = [u for u, _row, _s in self_rows("en")][::2]  # one per learner (2 rows each)
    learners += [f"{name}.ny" for name in ENROLLED_EXTRA]
    rows = []
    for n, user in enumerate(learners, start=101):
        grade = round(0.35 + (n % 7) * 0.09, 2)
        rows.append({"Student ID": n, "Email": f"{user}@kommune.example.dk", "Username": user,
                     "Grade": grade, "Quiz 1: Datasikkerhed i hverdagen": grade,
                     "Quiz 2: Find den rigtige ydelse": "Not Attempted",
                     "Quiz (Avg)": grade / 2, "Selvvurdering": 1.0,
                     "Cohort Name": "Hold A" if n % 2 else "Hold B",
                     "Enrollment Track": "audit", "Verification Status": "N/A",
                     "Certificate Eligible": "N", "Certificate Delivered": "N",
                     "Certificate Type": "N/A", "Enrollment Status": "enrolled"})
    rows.append({**rows[-1], "Student ID": 999, "Username": "tidligere.ansat",
                 "Email": "tidligere@kommune.example.dk", "Enrollment Status": "unenrolled"})
    return header, rows


def main() -> None:
    header, rows = problem_responses("en")
    write_csv(HERE / "problem_responses_en.csv", header, rows)
    header, rows = problem_responses("da")
    header.insert(3, "Bemærkning (HR)")
    for row in rows:
        row["Bemærkning (HR)"] = "tjekket – ok" if row["username"].startswith("m") else ""
    write_csv(HERE / "problem_responses_da.csv", header, rows, delimiter=";", bom=True,
              blank_every=25)
    header, rows = grade_report()
    write_csv(HERE / "grade_report.csv", header, rows)


if __name__ == "__main__":
    main()
