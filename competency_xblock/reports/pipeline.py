"""From input files (and an LRS) to report files, in one pass over every input.

Grade reports are read first (they give the number enrolled and, if asked, each learner's
course grade as the criterion for item discrimination), then Problem Responses reports, then
xAPI statements.  Each row goes straight into the accumulators of the parts asked for.
"""
from __future__ import annotations

import csv
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from competency_xblock.competency.framework import Framework, load_builtin, load_json
from competency_xblock.reports import heatmap, summary, tables
from competency_xblock.reports.atlas import AtlasAccumulator, AtlasReport
from competency_xblock.reports.csvread import peek_header
from competency_xblock.reports.errors import ReportInputError
from competency_xblock.reports.gaps import GapAccumulator, GapMatrix, Rating
from competency_xblock.reports.items import ItemAccumulator, ItemAnalysis
from competency_xblock.reports.labels import INFERRED_SCALE, Labels
from competency_xblock.reports.levels import LevelScale
from competency_xblock.reports.lms import (
    KIND_GRADES,
    KIND_RESPONSES,
    GradeReportReader,
    ProblemResponsesReader,
    Sink,
    kind_of,
    learner_hasher,
)
from competency_xblock.reports.privacy import check_k
from competency_xblock.reports.xapi import StatementFolder, public_url, read_jsonl, read_lrs
from competency_xblock.text import N_, UserFacingError

PARTS = ("gaps", "quiz", "atlas")
FORMATS = ("csv", "xlsx", "svg", "png", "html")
XAPI_SUFFIXES = (".jsonl", ".ndjson", ".json", ".jsonlines")
FILES = {
    "gaps_csv": "competence-gaps.csv",
    "heatmap_svg": "competence-heatmap.svg",
    "heatmap_png": "competence-heatmap.png",
    "items_csv": "quiz-questions.csv",
    "options_csv": "quiz-options.csv",
    "terms_csv": "atlas-search-words.csv",
    "scenarios_csv": "atlas-practice-cases.csv",
    "xlsx": "hr-report.xlsx",
    "html": "hr-summary.html",
    "identities": "learners-below-expectation.csv",
}

#: ``progress(label, total)`` returns a callable taking the position reached (bytes or
#: statements) and closing when called with ``None``.
ProgressFactory = Callable[[str, int | None], Callable[[int | None], None]]


@dataclass
class LrsSource:
    url: str
    username: str = ""
    password: str = ""
    since: str | None = None
    until: str | None = None
    activity: str | None = None


@dataclass
class Options:
    inputs: list[str] = field(default_factory=list)
    out_dir: str = "."
    lrs: LrsSource | None = None
    parts: tuple[str, ...] = PARTS
    formats: tuple[str, ...] = FORMATS
    language: str = "en"
    k: int | None = None
    grouping: str = "role"
    metric: str = "gap"
    framework: str = "auto"
    attempts: str = "first"
    criterion: str = "rest"
    block: str | None = None
    identities: bool = False
    progress: ProgressFactory | None = None


@dataclass
class Result:
    matrix: GapMatrix | None = None
    items: ItemAnalysis | None = None
    atlas: AtlasReport | None = None
    enrolled: int | None = None
    written: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rows: int = 0
    statements: int = 0
    pick_labels: dict[str, str] = field(default_factory=dict)


def _framework(option: str) -> tuple[Framework | None, list[Framework]]:
    if option in ("", "auto"):
        return None, [load_builtin()]
    if option == "none":
        return None, []
    if os.path.exists(option):
        with open(option, encoding="utf-8") as handle:
            return load_json(handle.read()), []
    return load_builtin(option), []


def classify(path: str) -> str:
    """"xapi", or the kind of CSV report (from its header)."""
    if not os.path.isfile(path):
        raise ReportInputError(N_("There is no such file."), path)
    if path.lower().endswith(XAPI_SUFFIXES):
        return "xapi"
    header = peek_header(path)
    kind = kind_of(header)
    if kind is None:
        shown = ", ".join(header.names[:8]) + (" ..." if len(header.names) > 8 else "")
        raise ReportInputError(
            N_("This is neither an Open edX Problem Responses report (columns username, "
               "title, location, block_key ...) nor a grade report (Student ID, Email, "
               "Username, Grade ...). Its columns are: {columns}."),
            path, line=header.line, columns=shown)
    return kind


class _Progress:
    def __init__(self, factory: ProgressFactory | None, label: str, total: int | None):
        self.update = factory(label, total) if factory is not None else None

    def __call__(self, position: int) -> None:
        if self.update is not None:
            self.update(position)

    def close(self) -> None:
        if self.update is not None:
            self.update(None)


class _IdentityWriter:
    """The opt-in list of learners below expectation (user name, role, unit, competence)."""

    def __init__(self, path: str, labels: Labels) -> None:
        self.handle = open(path, "w", encoding="utf-8-sig", newline="")  # closed in close()
        self.writer = csv.writer(self.handle, delimiter=";" if labels.language == "da" else ",")
        self.writer.writerow([labels(N_("User name")), labels(N_("Role")), labels(N_("Unit")),
                              labels(N_("Competence id")), labels(N_("Competence")),
                              labels(N_("Self-rated level")), labels(N_("Expected level")),
                              labels(N_("Gap (levels)"))])

    def __call__(self, username: str, r: Rating) -> None:
        if r.gap is not None and r.gap > 0:
            self.writer.writerow([username, r.role, r.unit, r.competence_id, r.competence,
                                  r.self_label, r.expected_label, r.gap])

    def close(self) -> None:
        self.handle.close()


def run(options: Options) -> Result:
    """Read every input once, compute the parts asked for, write the files asked for."""
    k = check_k(options.k)
    labels = Labels(options.language)
    result = Result()
    kinds = [(path, classify(path)) for path in options.inputs]
    if not kinds and options.lrs is None:
        raise UserFacingError(N_("Give at least one report file or an LRS."))
    os.makedirs(options.out_dir, exist_ok=True)
    hasher = learner_hasher()
    framework, candidates = _framework(options.framework)
    scale = LevelScale(framework, candidates)
    gaps = GapAccumulator(scale) if "gaps" in options.parts else None
    items = (ItemAccumulator(options.attempts,
                             "external" if options.criterion == "grade" else "rest")
             if "quiz" in options.parts else None)
    atlas = AtlasAccumulator() if "atlas" in options.parts else None
    sink = Sink(rating=gaps.add if gaps else None, attempt=items.add if items else None,
                outcome=atlas.add_outcome if atlas else None,
                gap=atlas.add_gap if atlas else None, scale=scale)
    identity_writer = None
    if options.identities and gaps is not None:
        identity_writer = _IdentityWriter(os.path.join(options.out_dir, FILES["identities"]),
                                          labels)
        sink.identities = identity_writer
        result.written.append(identity_writer.handle.name)
    sources: list[str] = []
    seen_kinds: dict[str, set[str]] = {"csv": set(), "xapi": set()}
    unreadable = 0   # rows the blocks marked as stored state that cannot be read
    try:
        # 1. grade reports
        enrolled = 0
        grades: dict[int, float] = {}
        for path, kind in kinds:
            if kind != KIND_GRADES:
                continue
            progress = _Progress(options.progress, os.path.basename(path),
                                 os.path.getsize(path))
            reader = GradeReportReader(path, hasher, progress)
            enrolment = reader.read(keep_grades=options.criterion == "grade" and items is not None)
            progress.close()
            enrolled += enrolment.enrolled
            grades.update(enrolment.grades)
            result.rows += enrolment.rows
            sources.append(os.path.basename(path))
        result.enrolled = enrolled or None
        if options.criterion == "grade":
            if not grades and items is not None:
                raise UserFacingError(N_("Discrimination against the course grade needs a "
                                         "grade report among the inputs."))
            sink.criterion = grades.get
        # 2. Problem Responses reports
        for path, kind in kinds:
            if kind != KIND_RESPONSES:
                continue
            progress = _Progress(options.progress, os.path.basename(path),
                                 os.path.getsize(path))
            reader = ProblemResponsesReader(path, hasher, progress, options.block)
            stats = reader.read(sink)
            progress.close()
            result.rows += stats.rows
            unreadable += stats.unreadable
            seen_kinds["csv"] |= set(stats.by_type)
            sources.append(os.path.basename(path))
        # 3. xAPI
        folder = StatementFolder(sink, hasher, options.language, options.block)
        for path, kind in kinds:
            if kind != "xapi":
                continue
            progress = _Progress(options.progress, os.path.basename(path),
                                 os.path.getsize(path))
            for statement in read_jsonl(path, progress):
                folder.add(statement)
            progress.close()
            sources.append(os.path.basename(path))
        if options.lrs is not None:
            lrs = options.lrs
            progress = _Progress(options.progress, "LRS", None)
            for statement in read_lrs(lrs.url, lrs.username, lrs.password, since=lrs.since,
                                      until=lrs.until, activity=lrs.activity,
                                      on_progress=progress):
                folder.add(statement)
            progress.close()
            sources.append(public_url(lrs.url))
        before = (gaps.rows if gaps else 0, items.attempts if items else 0)
        folder_stats = folder.finish()
        result.statements = folder_stats.statements
        if folder_stats.used and seen_kinds["csv"] and (
                (gaps and gaps.rows > before[0]) or (items and items.attempts > before[1])):
            result.warnings.append(labels(N_(
                "Both LMS reports and xAPI statements were given: learners cannot be matched "
                "across them, so anyone in both is counted twice.")))
    finally:
        if identity_writer is not None:
            identity_writer.close()

    result.pick_labels = dict(sink.pick_labels)
    if gaps is not None:
        order = scale.framework.competence_ids if scale.framework else ()
        result.matrix = gaps.result(k, order=order)
        if result.matrix.inferred_scale:
            result.warnings.append(labels(INFERRED_SCALE))
        if result.matrix.duplicates:
            result.warnings.append(labels(N_(
                "{n} ratings were for a learner and competence already counted (the learner "
                "answered in more than one self-assessment block); only the first was "
                "used. Choose one block with --block."), n=result.matrix.duplicates))
    if unreadable:
        result.warnings.append(labels(N_(
            "{n} rows were left out: the blocks marked them as learner state that cannot be "
            "read. Course staff can look at those learners' state in the LMS."),
            n=unreadable))
    if items is not None:
        result.items = items.result(k)
        if items.skipped:
            result.warnings.append(labels(N_(
                "{n} later attempts were left out: only first attempts are analysed "
                "(--attempts all counts every attempt)."), n=items.skipped))
    if atlas is not None:
        result.atlas = atlas.result(k)
    _write(options, result, labels, sources)
    return result


def _needs(module: str, fmt: str) -> None:
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise UserFacingError(N_("The {format} output needs the Python package {package}: "
                                 "install competency-xblock[reports], or leave {format} out "
                                 "of --format."), format=fmt, package=module)


def _write(options: Options, result: Result, labels: Labels, sources: list[str]) -> None:
    out = options.out_dir
    formats = set(options.formats)
    written = result.written

    def path(name: str) -> str:
        full = os.path.join(out, FILES[name])
        written.append(full)
        return full

    all_tables: list[tables.Table] = []
    spec = None
    svg = ""
    if result.matrix is not None:
        gap_table = tables.gap_table(result.matrix, labels)
        all_tables.append(gap_table)
        spec = heatmap.build(result.matrix, options.grouping, options.metric, labels)
        if "csv" in formats:
            tables.write_csv(gap_table, path("gaps_csv"), labels)
        if "svg" in formats or "html" in formats:
            svg = heatmap.to_svg(spec)
        if "svg" in formats:
            with open(path("heatmap_svg"), "w", encoding="utf-8") as handle:
                handle.write(svg)
        if "png" in formats:
            _needs("matplotlib", "png")
            heatmap.write_png(spec, path("heatmap_png"))
    if result.items is not None:
        item_table, option_table = tables.item_tables(result.items, labels)
        all_tables += [item_table, option_table]
        if "csv" in formats:
            tables.write_csv(item_table, path("items_csv"), labels)
            tables.write_csv(option_table, path("options_csv"), labels)
    if result.atlas is not None:
        term_table, scenario_table = tables.atlas_tables(result.atlas, labels,
                                                         result.pick_labels)
        all_tables += [term_table, scenario_table]
        if "csv" in formats:
            tables.write_csv(term_table, path("terms_csv"), labels)
            tables.write_csv(scenario_table, path("scenarios_csv"), labels)
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if "xlsx" in formats and all_tables:
        _needs("openpyxl", "xlsx")
        k = next((x.k for x in (result.matrix, result.items, result.atlas) if x), 5)
        about = [(labels(N_("Made")), generated), (labels(N_("Sources")), ", ".join(sources)),
                 (labels(N_("Privacy threshold k")), str(k))] + [
                     (labels(N_("Note")), w) for w in result.warnings]
        tables.write_xlsx(all_tables, path("xlsx"), labels, spec, about)
    if "html" in formats:
        data = summary.SummaryInput(
            matrix=result.matrix, items=result.items, atlas=result.atlas,
            grouping=options.grouping, heatmap_svg=svg, enrolled=result.enrolled,
            sources=sources, generated=generated, pick_labels=result.pick_labels,
            notes=result.warnings)
        with open(path("html"), "w", encoding="utf-8") as handle:
            handle.write(summary.render(data, labels))
