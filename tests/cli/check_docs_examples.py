#!/usr/bin/env python3
"""check_docs_examples.py EDGELOOP CLI_MD: every example command in docs/cli.md still parses.

An example is a line of a fenced block that starts with `edgeloop ` or `$ edgeloop ` (joined
commands split at `&&`), or an inline `edgeloop ...` code span without synopsis brackets or
alternatives, of three words or more (`edgeloop deploy` alone names a command). Each runs as `EDGELOOP --parse-only ARGS...`: CLI11 checks the subcommands, options
and values and nothing is executed. Prints every example that does not parse; exit 1 if any.
"""
import re
import shlex
import subprocess
import sys


def examples(text):
    found = []
    in_block = False
    for line in text.splitlines():
        if line.startswith("```"):
            in_block = not in_block
            continue
        if in_block:
            line = line.strip()
            if line.startswith("$ "):
                line = line[2:]
            for command in line.split("&&"):
                command = command.strip()
                if command.startswith("edgeloop "):
                    found.append(command)
    for span in re.findall(r"`(edgeloop [^`]+)`", text):
        if len(span.split()) >= 3 and not re.search(r"[\[|]|\.\.\.", span):
            found.append(span)
    return found


def main():
    binary, document = sys.argv[1], sys.argv[2]
    with open(document, encoding="utf-8") as handle:
        commands = examples(handle.read())
    if len(commands) < 5:
        print(f"only {len(commands)} examples found in {document}: the extraction is broken")
        return 1
    failed = 0
    for command in commands:
        arguments = shlex.split(command)[1:]
        result = subprocess.run([binary, "--parse-only", *arguments], capture_output=True, text=True)
        if result.returncode != 0:
            failed += 1
            print(f"{document}: `{command}` does not parse: {(result.stderr or result.stdout).strip()}")
    print(f"{len(commands) - failed} of {len(commands)} examples in {document} parse")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
