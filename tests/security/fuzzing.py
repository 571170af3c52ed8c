"""Handler fuzzing shared by the per-block fuzz modules.

Every attribute of a block class marked ``_is_xblock_handler`` is fuzzed, so a handler added
later is covered without touching these tests.  Payloads mix

(a) fully random JSON,
(b) payloads shaped by the handler's own JSON Schema (``json_api_schema``) with values mutated
    towards hostile ones (wrong types, huge strings, odd unicode, extreme numbers, unknown ids,
    extra keys, deep nesting), seeded with ids that exist in the block so valid paths run too,
(c) raw bytes that are not JSON (or not UTF-8).

Each example is one real HTTP request through the workbench (CSRF on).  The checks are the
issue's: never HTTP 500; every rejection a 4xx whose JSON body has a readable ``error``; the
stored rows of the scenario byte-identical after a rejection.

Examples per handler: ``CX_FUZZ_EXAMPLES`` (default 2,000; ``make fuzz`` raises it).
"""
from __future__ import annotations

import json
import os
import re
import time
import zlib
from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FUZZ_EXAMPLES = int(os.environ.get("CX_FUZZ_EXAMPLES", "2000"))
LEARNER = "fz-learner"
STAFF = "staff"  # in demo/settings.py's workbench_staff_ids

# --- hostile values ---------------------------------------------------------------------------


def _nested(depth: int, kind: str):
    value: object = 1
    for _ in range(depth):
        value = [value] if kind == "list" else {"a": value}
    return value


HOSTILE_VALUES = [
    None, True, False, 0, -1, 1, -2**31, 2**31, 2**53 + 1, 2**64, -(2**64), 10**30,
    1.5, -0.0, 1e-320, 1e308, -1e308, 3.4e38,
    "", " ", "\t\n", "0", "-1", "1e999", "NaN", "Infinity", "null", "true", "[]", "{}",
    "x" * 65, "x" * 300, "y" * 5000, "z" * 70_000,  # the last one exceeds the 64 KiB limit
    "\x00", "a\x00b", "\ud800", "\udfff", "\ufeff", "\u202e", "\u200b", "ﬃ", "İ", "ß",
    "æøå ÆØÅ", "😀" * 40, "e\u0301", "\U0010ffff",
    "<script>alert(1)</script>", "\"'><img src=x onerror=alert(1)>", "javascript:alert(1)",
    "{{7*7}}", "{0}", "{role}", "%s%s%n", "${jndi:ldap://127.0.0.1/x}", "../../../etc/passwd",
    "file:///etc/passwd", "http://127.0.0.1:1/", "dont_know", "does-not-exist", "__proto__",
    "constructor", "A" * 64, "a:b.c-d_e", "-leading-dash", ".", "..",
    [], {}, [None], [""], ["x" * 10] * 60, {"": None}, {"__proto__": {"polluted": True}},
    _nested(60, "list"), _nested(60, "dict"), _nested(900, "list"), _nested(900, "dict"),
    list(range(600)), {f"k{i}": i for i in range(400)},
]

HOSTILE_KEYS = [v for v in HOSTILE_VALUES if isinstance(v, str) and len(v) < 100]

HOSTILE_RAW = [
    b"", b" ", b"null", b"[]", b"{", b"}", b"{\"a\":", b"NaN", b"Infinity", b"-Infinity",
    b"{\"attempt\": NaN}", b"{\"x\": Infinity}", b"1e999", b"[1e999]", b"{\"attempt\": 1e999}",
    b"\xff\xfe\x00", b"\xef\xbb\xbf{}", b"\xc3\x28", b"\xed\xa0\x80", b"\x00" * 100,
    b"[" * 50_000, b"{\"a\":" * 20_000, b"\"" + b"\\ud800" * 10 + b"\"",
    b"1" * 5000, b"{\"a\": 1, \"a\": 2}", b"<?xml version=\"1.0\"?><a/>",
    b"--boundary\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--boundary--",
    b"a=1&b=2", b"{}" + b" " * 70_000, b"x" * 70_000,
]

JSON_SCALARS = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False,
                                                                       allow_infinity=False)
                | st.text(max_size=40))
RANDOM_JSON = st.recursive(
    JSON_SCALARS,
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(max_size=20), children, max_size=5),
    max_leaves=8)


def pick(values: list):
    """``sampled_from`` without a huge repr in hypothesis' reports (some values are 70 kB)."""
    return st.integers(0, len(values) - 1).map(lambda index: values[index])


def hostile(vocabulary: list[str]):
    choices = [pick(HOSTILE_VALUES), RANDOM_JSON]
    if vocabulary:
        choices.append(pick(vocabulary))
    return st.one_of(*choices)


# --- schema-shaped payloads -------------------------------------------------------------------


def _resolve(schema: dict, root: dict) -> dict:
    while isinstance(schema, dict) and "$ref" in schema:
        ref = schema["$ref"]
        node = root
        for part in ref.lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def _strings(schema: dict, vocabulary: list[str]):
    options = [st.text(max_size=min(schema.get("maxLength", 40), 80))]
    if vocabulary:
        options += [pick(vocabulary)] * 2
    return st.one_of(*options)


def shaped(schema: dict, root: dict, vocabulary: list[str], depth: int = 0):
    """Values that follow ``schema`` loosely, every level possibly replaced by a hostile one."""
    schema = _resolve(schema, root)
    bad = hostile(vocabulary)
    if depth > 4:
        return bad
    if "const" in schema:
        good = st.just(schema["const"])
    elif "enum" in schema:
        good = st.sampled_from(schema["enum"])
    elif "oneOf" in schema or "anyOf" in schema:
        good = st.one_of(*[shaped(s, root, vocabulary, depth + 1)
                           for s in schema.get("oneOf", schema.get("anyOf"))])
    else:
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = kind[0]
        if kind == "object":
            good = _objects(schema, root, vocabulary, depth)
        elif kind == "array":
            good = st.lists(shaped(schema.get("items", {}), root, vocabulary, depth + 1),
                            max_size=min(schema.get("maxItems", 6), 6))
        elif kind == "string":
            good = _strings(schema, vocabulary)
        elif kind == "integer":
            low, high = schema.get("minimum"), schema.get("maximum")
            good = st.integers(min_value=low, max_value=high) | st.integers(-3, 12)
        elif kind == "number":
            good = st.floats(allow_nan=False, allow_infinity=False) | st.integers(-5, 200)
        elif kind == "boolean":
            good = st.booleans()
        else:
            good = RANDOM_JSON | pick(vocabulary or [""])
    return st.one_of(good, good, good, bad)


def _objects(schema: dict, root: dict, vocabulary: list[str], depth: int):
    properties = schema.get("properties", {})
    fixed = {name: shaped(sub, root, vocabulary, depth + 1) for name, sub in properties.items()}
    extra_schema = schema.get("additionalProperties")
    keys = st.one_of(pick(vocabulary or [""]), pick(HOSTILE_KEYS), st.text(max_size=20))
    if isinstance(extra_schema, dict):
        extras = st.dictionaries(keys | st.text(max_size=90),
                                 shaped(extra_schema, root, vocabulary, depth + 1), max_size=12)
    else:  # unknown keys must be refused (additionalProperties false) or ignored
        extras = st.dictionaries(st.text(max_size=20) | keys, hostile(vocabulary), max_size=2)
    known = (st.fixed_dictionaries({}, optional=fixed) if fixed else st.just({}))
    return st.builds(lambda a, b: {**b, **a}, known, st.one_of(st.just({}), st.just({}), extras))


# --- mutated valid payloads -------------------------------------------------------------------


def _paths(value, prefix=()) -> list[tuple]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value[:20]):
            found += _paths(item, prefix + (index,))
    return found


def _apply(seed, edits):
    value = json.loads(json.dumps(seed))
    for where, operation, shared in edits:
        replacement = json.loads(json.dumps(shared))  # never edit the shared hostile values
        paths = _paths(value)
        path = paths[where % len(paths)]
        if not path:
            value = replacement if operation == "replace" else value
            continue
        parent = value
        try:
            for part in path[:-1]:
                parent = parent[part]
            last = path[-1]
            if operation == "drop" and isinstance(parent, dict):
                parent.pop(last, None)
            elif operation == "drop" and isinstance(parent, list):
                parent.pop(last)
            elif operation == "extra" and isinstance(parent, dict):
                key = HOSTILE_KEYS[where % len(HOSTILE_KEYS)] if where % 3 else f"extra{where}"
                parent[key] = replacement
            else:
                parent[last] = replacement
        except (KeyError, IndexError, TypeError):
            continue
    return value


def mutated(seeds: list, vocabulary: list[str]):
    """Valid payloads (``seeds``) with up to three values replaced, dropped or added."""
    edit = st.tuples(st.integers(0, 10**6), st.sampled_from(["replace"] * 4 + ["drop", "extra"]),
                     hostile(vocabulary))
    return st.builds(_apply, pick(seeds),
                     st.one_of(st.just([]), st.lists(edit, min_size=1, max_size=3)))


@dataclass
class Request:
    body: bytes
    student: str
    method: str = "post"

    def __repr__(self) -> str:  # keep hypothesis' falsifying example readable
        shown = self.body[:300]
        return f"Request({shown!r}{'...' if len(self.body) > 300 else ''}, {self.student})"


def _encode(value) -> bytes:
    # Alternate between \u escapes and raw UTF-8 (lone surrogates then become invalid UTF-8).
    ascii_only = zlib.crc32(repr(value).encode("utf-8", "surrogatepass")) % 2 == 0
    return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


def requests_for(handler, vocabulary: list[str], seeds: list | None = None,
                 learner: str = LEARNER, staff: str = STAFF):
    """The mix of requests for one handler (staff-only ones are mostly sent by staff)."""
    from competency_xblock.core import schemas

    name = getattr(handler, "json_api_schema", None)
    schema = schemas.load_schema(name) if name else {}
    kinds = []
    if seeds:  # (b) from valid payloads, so the handler's deeper paths run too
        kinds += [mutated(seeds, vocabulary).map(_encode)] * 3
    kinds += [
        shaped(schema, schema, vocabulary).map(_encode),            # (b)
        shaped(schema, schema, vocabulary).map(_encode),
        RANDOM_JSON.map(_encode),                                   # (a)
        pick(HOSTILE_RAW) | st.binary(max_size=200),    # (c)
    ]
    payload = st.one_of(*kinds)
    if getattr(handler, "staff_only", False):
        who = st.sampled_from([staff] * 9 + [learner])
    else:
        who = st.sampled_from([learner] * 9 + [staff])
    method = st.sampled_from(["post"] * 19 + ["get"])
    return st.builds(Request, payload, who, method)


# --- running ----------------------------------------------------------------------------------

PYTHON_LEAKS = re.compile(r"Traceback|File \"|Error\(|<class |object at 0x|\bNone\b$")


@dataclass
class FuzzTarget:
    """One scenario of one block in the in-process workbench, fuzzed handler by handler."""

    bench: object
    scenario_id: str
    usage_id: str
    users: tuple[str, ...] = (LEARNER, STAFF)
    stats: dict = field(default_factory=dict)

    def snapshot(self) -> dict:
        """Every stored row this scenario's requests can touch: its content, settings, summary
        and user state, and the fuzzing users' preferences (rows holding ``{}`` hold nothing:
        the workbench creates them on a mere read)."""
        from workbench.models import XBlockState

        columns = ("scope", "scope_id", "user_id", "state")
        rows = list(XBlockState.objects.filter(scenario=self.usage_id.split(".")[0])
                    .values_list(*columns))
        rows += XBlockState.objects.filter(scenario__isnull=True, user_id__in=self.users) \
            .values_list(*columns)
        return {row[:3]: row[3] for row in rows if row[3] != "{}"}

    def check(self, handler_name: str, request: Request, before: dict,
              staff_only: bool = False) -> dict:
        result = self.bench.call(self.usage_id, handler_name, raw=request.body,
                                 student=request.student, method=request.method)
        counts = self.stats.setdefault(handler_name, {})
        counts[result.status] = counts.get(result.status, 0) + 1
        assert result.status < 500, (result.status, result.body[:500])
        if staff_only and request.student != STAFF:
            assert result.status in (403, 405), (result.status, result.body[:300])
        try:
            data = json.loads(result.body.decode("utf-8"))
        except ValueError:
            raise AssertionError(f"not JSON: {result.body[:300]!r}") from None
        if result.status >= 400:
            assert 400 <= result.status < 500
            message = data.get("error") if isinstance(data, dict) else None
            assert isinstance(message, str) and message.strip(), data
            assert not PYTHON_LEAKS.search(message), message
            after = self.snapshot()
            assert after == before, _diff(before, after)
            return before
        assert isinstance(data, dict), data
        return self.snapshot()

    def fuzz(self, block_class, handler_name: str, vocabulary: list[str],
             seeds: list | None = None, examples: int = FUZZ_EXAMPLES) -> dict:
        handler = getattr(block_class, handler_name)
        current = {"state": self.snapshot()}
        started, cpu = time.perf_counter(), time.process_time()

        @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck), print_blob=True)
        @given(requests_for(handler, vocabulary, seeds))
        def run(request):
            current["state"] = self.check(handler_name, request, current["state"],
                                          getattr(handler, "staff_only", False))

        run()
        counts = self.stats.get(handler_name, {})
        # hypothesis may stop early when it thinks the space is exhausted: the issue wants
        # the full number of payloads per handler, so a shortfall fails the test.
        assert sum(counts.values()) >= examples, \
            f"{handler_name}: only {sum(counts.values())} of {examples} payloads were sent"
        return {"handler": handler_name, "requests": sum(counts.values()),
                "statuses": dict(sorted(counts.items())),
                "seconds": round(time.perf_counter() - started, 1),
                "cpu_seconds": round(time.process_time() - cpu, 1)}


def _diff(before: dict, after: dict) -> str:
    lines = []
    for key in sorted(set(before) | set(after), key=str):
        if before.get(key) != after.get(key):
            lines.append(f"{key}: {str(before.get(key))[:200]} -> {str(after.get(key))[:200]}")
    return "stored state changed after a rejected request:\n" + "\n".join(lines)


def fresh_target(bench, olx: str, label: str) -> FuzzTarget:
    """A fresh block per handler, opened once by the learner and by staff, so one handler's
    successful requests do not shape the next."""
    scenario = bench.scenario(olx, label)
    usage = bench.render(scenario, student=LEARNER).usage_id
    bench.render(scenario, student=STAFF)
    return FuzzTarget(bench, scenario, usage)


def handler_names(block_class) -> list[str]:
    """Every XBlock handler of the class (ours and inherited), so new ones are fuzzed too."""
    return sorted(name for name in dir(block_class)
                  if getattr(getattr(block_class, name, None), "_is_xblock_handler", False))
