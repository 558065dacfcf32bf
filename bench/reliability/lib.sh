# Helpers for the reliability scenario scripts (sourced, not run).

edgeloop="$EDGELOOP_BUILD_DIR/src/cli/edgeloop"
short="${RELIABILITY_SHORT:-0}"

# row SCENARIO METRIC VALUE TARGET_TEXT OK(0|1): one TSV row of the table.
row() {
  local verdict=FAIL
  [ "$5" = 1 ] && verdict=ok
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$verdict"
}

# make_idx DIR COUNT: a tiny IDX pair (train-*-idx*-ubyte.gz) of COUNT 28×28 images, 4 classes,
# each class a different brightness so a model can learn it.
make_idx() {
  /usr/bin/python3 - "$1" "$2" <<'PY'
import gzip, os, struct, sys, random
folder, count = sys.argv[1], int(sys.argv[2])
os.makedirs(folder, exist_ok=True)
random.seed(7)
labels = bytes(index % 4 for index in range(count))
pixels = bytearray()
for index in range(count):
    base = 40 + 50 * (index % 4)
    pixels += bytes(min(255, max(0, base + random.randint(-30, 30))) for _ in range(28 * 28))
with gzip.open(os.path.join(folder, "train-images-idx3-ubyte.gz"), "wb") as out:
    out.write(struct.pack(">IIII", 0x803, count, 28, 28) + bytes(pixels))
with gzip.open(os.path.join(folder, "train-labels-idx1-ubyte.gz"), "wb") as out:
    out.write(struct.pack(">II", 0x801, count) + labels)
PY
}

# integrity_ok WORKSPACE: 0 when PRAGMA integrity_check is ok and no foreign key dangles.
integrity_ok() {
  /usr/bin/python3 - "$1/.edgeloop/registry.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
ok = db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
ok = ok and not db.execute("PRAGMA foreign_key_check").fetchall()
sys.exit(0 if ok else 1)
PY
}

# leftovers FOLDER...: how many temporary files, staging or aside folders are under the folders.
# Each one is named in the scenario's log (stderr), so that a count above 0 says what was left.
leftovers() {
  local found
  found=$(find "$@" \( -name '.*.tmp.*' -o -name '.*.partial-*' -o -name '.*.old-*' \) 2>/dev/null)
  [ -n "$found" ] && printf 'left behind: %s\n' $found >&2
  [ -n "$found" ] && wc -l <<<"$found" || echo 0
}

# unregistered_objects WORKSPACE: object files the registry does not name.
unregistered_objects() {
  /usr/bin/python3 - "$1/.edgeloop" <<'PY'
import os, sqlite3, sys
state = sys.argv[1]
registered = {row[0] for row in sqlite3.connect(os.path.join(state, "registry.db")).execute("SELECT hash FROM objects")}
stored = set()
for prefix in os.listdir(os.path.join(state, "objects")):
    folder = os.path.join(state, "objects", prefix)
    if len(prefix) == 2 and os.path.isdir(folder):
        stored |= {prefix + name for name in os.listdir(folder) if not name.startswith(".")}
for name in sorted(stored - registered):
    print("left behind: unregistered object", name, file=sys.stderr)
print(len(stored - registered))
PY
}

# kill_after SECONDS COMMAND...: runs COMMAND in the background and kills it with SIGKILL after
# SECONDS (a fraction is fine). Returns 0 when it was killed, 1 when it ended first. COMMAND runs in
# a process group of its own and the whole group is killed: a shell function (the scenarios' `e`)
# runs in a subshell whose child is the edgeloop process, and killing the subshell alone left
# edgeloop running to the end, orphaned, beside the checks that followed.
kill_after() {
  local delay=$1
  shift
  set -m   # a background job gets its own process group
  "$@" > /dev/null 2>&1 &
  local pid=$!
  set +m
  sleep "$delay"
  if kill -9 -- "-$pid" 2> /dev/null; then
    wait "$pid" 2> /dev/null
    return 0
  fi
  wait "$pid" 2> /dev/null
  return 1
}

# seconds_of COMMAND...: wall seconds COMMAND takes (fractional).
seconds_of() {
  local started ended
  started=$(date +%s.%N)
  "$@" > /dev/null 2>&1
  ended=$(date +%s.%N)
  /usr/bin/python3 -c "print(round($ended - $started, 3))"
}
