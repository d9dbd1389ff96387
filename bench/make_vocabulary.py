"""Derive bench/vocabulary.tsv (word, count) from the docstrings and comments of Python's standard library.

Run once (offline; any CPython 3.11+): `python bench/make_vocabulary.py`. The file is committed, so the
corpus is reproducible from a fresh clone without running this again; a different Python version
gives a slightly different list. Real prose has Zipf-like word frequencies, which is the point.
"""

from __future__ import annotations

import io
import re
import sys
import sysconfig
import tokenize
from collections import Counter
from pathlib import Path

OUT = Path(__file__).resolve().parent / "vocabulary.tsv"
WORDS = 6000  # the most frequent content words kept (those seen at least MIN_COUNT times)
MIN_COUNT = 3
# Plain English words only: no identifiers (underscores, digits, camelCase) and no abbreviations.
WORD = re.compile(r"(?<![\w.'/-])([A-Za-z][a-z]{2,13})(?![\w'/-])")
PLANTED = {"zeppelin"}  # the corpus' rare probe word must stay rare: it is planted, never drawn
STOPWORDS = set("""
a about above after again against all also am an and any are aren as at be because been before being
below between both but by can cannot could did didn do does doesn doing don down during each either else
etc ever every few for from further get gets got had has hasn have having he her here hers herself him
himself his how however i if in into is isn it its itself just least less let like ll may me might more
most much must my myself need needs no nor not now of off often on once one only or other others otherwise
our ours ourselves out over own per rather same see she should shouldn since so some such than that the
their theirs them themselves then there these they this those though through thus to too under until up
upon us use used uses using very via was wasn we were weren what when where whether which while who whom
whose why will with within without won would wouldn yet you your yours yourself yourselves
""".split())


def _prose(path: Path) -> list[str]:
    """The comments and docstring-like (triple-quoted) strings of one source file."""
    try:
        source = path.read_text(encoding="utf-8")
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (OSError, UnicodeDecodeError, SyntaxError, tokenize.TokenError):
        return []
    texts = []
    for token in tokens:
        if token.type == tokenize.COMMENT:
            texts.append(token.string[1:])
        elif token.type == tokenize.STRING and token.string.lstrip("rRbBuU").startswith(('"""', "'''")):
            texts.append(token.string)
    return texts


def main() -> int:
    """Count words over the stdlib (tests excluded) and write the top WORDS to vocabulary.tsv."""
    lib = Path(sysconfig.get_paths()["stdlib"])
    counts: Counter[str] = Counter()
    for path in sorted(lib.rglob("*.py")):
        relative = path.relative_to(lib).parts
        if any(part in ("test", "tests", "site-packages", "idle_test", "lib2to3") for part in relative):
            continue
        for text in _prose(path):
            counts.update(w.lower() for w in WORD.findall(text))
    kept = [(w, n) for w, n in counts.most_common() if n >= MIN_COUNT and w not in STOPWORDS and w not in PLANTED][:WORDS]
    header = f"# word\tcount (Python {sys.version.split()[0]} stdlib docstrings and comments; bench/make_vocabulary.py)\n"
    OUT.write_text(header + "".join(f"{w}\t{n}\n" for w, n in kept))
    print(f"{len(kept)} words written to {OUT} (of {len(counts)} distinct)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
