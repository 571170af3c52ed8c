"""Regenerate competency_xblock/data/atlas/common-words.txt from wordfreq (not a dependency).

    python -m venv /tmp/wf && /tmp/wf/bin/pip install wordfreq==3.1.1
    /tmp/wf/bin/python scripts/common_words.py

The list names words the atlas search takes as meant when the atlas lacks them (no typo or
look-alike "correction"): the most frequent Danish and English words, letters only.
"""
from __future__ import annotations

import re
from pathlib import Path

from wordfreq import top_n_list

DANISH, ENGLISH = 10_000, 5_000
TARGET = Path(__file__).resolve().parent.parent / "competency_xblock/data/atlas/common-words.txt"
HEADER = """\
# Common Danish and English words: a query word in this list that the atlas does not have is
# taken as meant, never "corrected" into a look-alike atlas word (competency_xblock/atlas/index.py).
# The 10,000 most frequent Danish and 5,000 most frequent English words (letters only) of
# wordfreq 3.1.1 (Robyn Speer et al., https://github.com/rspeer/wordfreq), whose word lists
# are licensed CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/); this extract
# is therefore CC BY-SA 4.0 as well. Regenerate: scripts/common_words.py.
"""


def main() -> None:
    letters = re.compile(r"^[a-zæøåéü]{2,}$")
    words = {w for w in top_n_list("da", DANISH) + top_n_list("en", ENGLISH) if letters.match(w)}
    TARGET.write_text(HEADER + "\n".join(sorted(words)) + "\n", encoding="utf-8")
    print(f"{len(words)} words -> {TARGET}")


if __name__ == "__main__":
    main()
