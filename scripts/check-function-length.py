#!/usr/bin/env python3
"""check-function-length.py DIR [--max N]: names every function in DIR's .cpp files longer than N
lines (80) that has no reason written above it (a comment starting "Over N lines on purpose:").

The house rule from docs/architecture.md: a function that does not fit on a screen is split into
named steps, unless its length is the point (a dispatch table, a list of flags) and the comment
above it says so. Functions are found as the code base writes them: the signature starts at
column 0 (namespaces are not indented) and the body ends at the first "}" in column 0.
Prints one line per offender, FILE:LINE: NAME is L lines; exits 1 when there is one."""
import pathlib
import re
import sys

SKIP_PREFIXES = ("//", "#", "namespace", "}", "struct ", "class ", "enum ", "using ", "static_assert", "template", "extern ")
REASON = re.compile(r"Over \d+ lines on purpose:")


def functions(lines):
    """(first line index, last line index, signature) of every column-0 function definition."""
    index = 0
    while index < len(lines):
        line = lines[index]
        if line and not line[0].isspace() and "(" in line and not line.startswith(SKIP_PREFIXES) and not line.rstrip().endswith(";"):
            brace = index
            while brace < len(lines) and not lines[brace].rstrip().endswith(("{", ";")):
                brace += 1
            if brace < len(lines) and lines[brace].rstrip().endswith("{") and not lines[brace].rstrip().endswith("};"):
                end = brace + 1
                while end < len(lines) and not lines[end].startswith("}"):
                    end += 1
                yield index, end, line.strip()
                index = end
        index += 1


def comment_above(lines, index):
    """The comment block directly above line `index`."""
    block = []
    while index > 0 and lines[index - 1].lstrip().startswith("//"):
        index -= 1
        block.insert(0, lines[index])
    return "\n".join(block)


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    root = pathlib.Path(argv[1])
    limit = int(argv[argv.index("--max") + 1]) if "--max" in argv else 80
    offenders = 0
    for path in sorted(root.rglob("*.cpp")):
        lines = path.read_text(encoding="utf-8", errors="replace").split("\n")
        for first, last, signature in functions(lines):
            length = last - first + 1
            if length > limit and not REASON.search(comment_above(lines, first)):
                name = signature.split("(")[0].split()[-1] if signature.split("(")[0].split() else signature
                print(f"{path}:{first + 1}: {name} is {length} lines (over {limit}): split it into named steps, "
                      f"or say above it why not (\"// Over {limit} lines on purpose: ...\")")
                offenders += 1
    return 1 if offenders else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
