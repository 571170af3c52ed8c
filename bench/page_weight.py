"""Page weight: the JS and CSS each block's ``student_view`` adds to a page, gzipped.

The Fragment of the block's own ``student_view`` (first demo scenario; without the runtime's
wrapper, which adds the workbench's jQuery and runtime JS to every block alike) lists its
resources: inline
text is taken as is, URLs are fetched from the workbench (``/resource/<type>/<path>``) like a
browser would.  Each resource is gzipped on its own (level 6, what web servers commonly use;
browsers fetch files separately) and the sizes are added up; KB = 1,024 bytes.  xblock-poll is
measured the same way for reference.

Third-party check: a resource counts as a third-party library when its path says ``vendor``
/ ``lib`` / ``.min.js`` or its text carries the banner of a well-known library (jQuery,
Handlebars, Underscore, Backbone, lodash, Mustache, React, Vue, D3, Moment, Bootstrap, ...).
"""
from __future__ import annotations

import gzip
import json
import re
import sys

LIB_BANNERS = re.compile(
    r"jQuery (JavaScript Library )?v\d|\bHandlebars\b.*\bv?\d+\.\d+|Underscore\.js \d|"
    r"Backbone\.js \d|\blodash\b|mustache\.js|React v\d|Vue\.js v\d|\bd3\.js\b|"
    r"moment\.js|Bootstrap v\d|\(c\) \d{4}.*Copyright|@license", re.IGNORECASE)
LIB_PATHS = re.compile(r"(^|/)(vendor|lib|libs|third[_-]?party)/|\.min\.js$", re.IGNORECASE)


def _resource_bytes(client, resource) -> tuple[str, bytes]:
    if resource.kind == "url":
        response = client.get(resource.data)
        if response.status_code != 200:
            raise RuntimeError(f"{resource.data} answered {response.status_code}")
        body = b"".join(response.streaming_content) if response.streaming \
            else response.content
        return resource.data, body
    data = resource.data.encode("utf-8") if isinstance(resource.data, str) else resource.data
    return f"(inline {resource.mimetype})", data


def weigh(fragment, client) -> dict:
    files = []
    third_party = []
    for resource in fragment.resources:
        if resource.mimetype not in ("text/css", "application/javascript"):
            continue
        name, body = _resource_bytes(client, resource)
        zipped = len(gzip.compress(body, compresslevel=6, mtime=0))
        files.append({"file": name, "bytes": len(body), "gzip_bytes": zipped})
        head = body[:4000].decode("utf-8", "replace")
        if resource.mimetype == "application/javascript" and \
                (LIB_PATHS.search(name) or LIB_BANNERS.search(head)):
            third_party.append(name)
    return {"kb": sum(f["gzip_bytes"] for f in files) / 1024, "files": files,
            "third_party_js": third_party}


def measure() -> dict:
    from bench.workbench import Bench, subjects, view_fragment

    bench = Bench()
    out = {}
    for name, subject in subjects("demo").items():
        usage = bench.register(subject)
        out[name] = weigh(view_fragment(usage), bench.wb.client)
    return out


def main() -> int:
    from bench.workbench import setup

    setup()
    print(json.dumps(measure()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
