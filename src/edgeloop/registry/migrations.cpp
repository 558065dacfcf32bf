#include "edgeloop/registry/migrations.h"

namespace edgeloop {

namespace {

// 1: datasets, their immutable versions, content-addressed objects, imports and rejects.
constexpr std::string_view kDataTables = R"sql(
CREATE TABLE datasets (
  name        TEXT PRIMARY KEY,
  created_at  TEXT NOT NULL
);
CREATE TABLE objects (
  hash        TEXT PRIMARY KEY,          -- sha256 of the stored bytes
  bytes       INTEGER NOT NULL,
  format      TEXT NOT NULL,             -- png, jpg, ... as stored
  width       INTEGER NOT NULL,
  height      INTEGER NOT NULL,
  channels    INTEGER NOT NULL
);
CREATE TABLE dataset_versions (
  id          TEXT PRIMARY KEY,          -- sha256 of the dataset name and sorted (object, label, split, copies) rows
  dataset     TEXT NOT NULL REFERENCES datasets(name),
  number      INTEGER NOT NULL,          -- 1, 2, ... within the dataset: NAME@number
  parent_id   TEXT REFERENCES dataset_versions(id),
  created_at  TEXT NOT NULL,
  change      TEXT NOT NULL,             -- what made it: "import ...", "split ...", "balance ..."
  classes     TEXT NOT NULL,             -- JSON array of class names, index = label id
  details     TEXT NOT NULL DEFAULT '{}',-- JSON: split parameters, import summary
  UNIQUE (dataset, number)
);
CREATE TABLE version_samples (
  version_id  TEXT NOT NULL REFERENCES dataset_versions(id),
  object_hash TEXT NOT NULL REFERENCES objects(hash),
  label       INTEGER,                   -- index into classes; NULL when unlabeled
  split       TEXT NOT NULL DEFAULT '',  -- '', train, val, or test:<name>
  origin      TEXT NOT NULL DEFAULT '',  -- where it came from: "train", "t10k", a file path
  suggested   TEXT,                      -- JSON: a suggested label (captures), else NULL
  copies      INTEGER NOT NULL DEFAULT 1,-- times the sample counts in training (oversampling), >= 1
  PRIMARY KEY (version_id, object_hash)
);
CREATE INDEX version_samples_by_split ON version_samples (version_id, split, label);
CREATE TABLE imports (
  id          INTEGER PRIMARY KEY,
  version_id  TEXT REFERENCES dataset_versions(id),
  source      TEXT NOT NULL,
  format      TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  imported    INTEGER NOT NULL,
  duplicates  INTEGER NOT NULL,
  rejected    INTEGER NOT NULL
);
CREATE TABLE rejects (
  import_id   INTEGER NOT NULL REFERENCES imports(id),
  path        TEXT NOT NULL,
  reason      TEXT NOT NULL
);
)sql";

// 2: training runs, their per-epoch curves, models, evaluations (which are the test-set ledger:
// every row with split 'test:<name>' is one use of that test set) and sweeps.
constexpr std::string_view kTrainingTables = R"sql(
CREATE TABLE runs (
  id            TEXT PRIMARY KEY,          -- "r-" + 12 hex
  version_id    TEXT NOT NULL REFERENCES dataset_versions(id),
  arch          TEXT NOT NULL,           -- ArchSpec text, e.g. cnn-m:w=0.5
  preprocess_hash TEXT NOT NULL,
  config        TEXT NOT NULL,           -- JSON of the training options
  code_commit   TEXT NOT NULL,
  seed          INTEGER NOT NULL,
  status        TEXT NOT NULL,           -- running, finished, failed
  diagnosis     TEXT,                    -- JSON: verdict, reasons, advice
  started_at    TEXT NOT NULL,
  finished_at   TEXT
);
CREATE TABLE epochs (
  run_id        TEXT NOT NULL REFERENCES runs(id),
  epoch         INTEGER NOT NULL,        -- 1-based
  train_loss    REAL NOT NULL,
  train_accuracy REAL NOT NULL,          -- 0..1
  val_loss      REAL NOT NULL,
  val_accuracy  REAL NOT NULL,           -- 0..1
  learning_rate REAL NOT NULL,           -- at the end of the epoch
  seconds       REAL NOT NULL,           -- wall time of the epoch
  images_per_second REAL NOT NULL,       -- training images per second
  PRIMARY KEY (run_id, epoch)
);
CREATE TABLE models (
  id            TEXT PRIMARY KEY,          -- "m-" + 12 hex
  run_id        TEXT REFERENCES runs(id),  -- NULL for classic models
  version_id    TEXT NOT NULL REFERENCES dataset_versions(id),
  kind          TEXT NOT NULL,           -- torch, classic
  arch          TEXT NOT NULL,           -- ArchSpec text or classic spec ("knn:hog")
  parameters    INTEGER NOT NULL,
  mflops        REAL NOT NULL,           -- per image
  val_accuracy  REAL,
  path          TEXT NOT NULL,           -- folder relative to the workspace's .edgeloop/
  created_at    TEXT NOT NULL
);
CREATE TABLE evaluations (
  id            INTEGER PRIMARY KEY,
  model_id      TEXT NOT NULL REFERENCES models(id),
  dataset       TEXT NOT NULL,           -- dataset name: a test set is identified by (dataset, split)
  version_id    TEXT NOT NULL REFERENCES dataset_versions(id),
  split         TEXT NOT NULL,           -- val, train, or test:<name>
  accuracy      REAL NOT NULL,
  result        TEXT NOT NULL,           -- JSON: per-class metrics, confusion, ECE
  forced        INTEGER NOT NULL DEFAULT 0,  -- a repeated test run with --force
  earlier_models INTEGER NOT NULL DEFAULT 0, -- other models tested on this test set before this one
  created_at    TEXT NOT NULL
);
CREATE INDEX evaluations_by_test_set ON evaluations (dataset, split, model_id);
CREATE TABLE sweeps (
  id            TEXT PRIMARY KEY,          -- "s-" + 12 hex
  version_id    TEXT NOT NULL REFERENCES dataset_versions(id),
  options       TEXT NOT NULL,           -- JSON: archs, target accuracy, latency budget, time budget
  result        TEXT NOT NULL,           -- JSON table, Pareto front, pick, why it stopped
  created_at    TEXT NOT NULL
);
)sql";

// 3: closing the loop. Labels given to samples (edgeloop label): one row per keypress, never
// deleted (an undo marks its row undone), and the provenance a finished labelling carries into the
// version it makes. Model aliases (champion, challenger) and the history of every change to them
// with the gate's figures (edgeloop promote).
constexpr std::string_view kLoopTables = R"sql(
CREATE TABLE labels (
  id          INTEGER PRIMARY KEY,       -- order in which the labels were given
  operation   TEXT NOT NULL UNIQUE,      -- the client's id for this keypress: a retried save is stored once
  version_id  TEXT NOT NULL REFERENCES dataset_versions(id),  -- the version being labelled
  object_hash TEXT NOT NULL REFERENCES objects(hash),
  label       TEXT,                      -- class name; NULL: discarded (no class, unusable)
  provenance  TEXT NOT NULL,             -- human, suggestion, batch, oracle
  labeller    TEXT NOT NULL,             -- who gave it: a user name, "oracle:<source>"
  created_at  TEXT NOT NULL,
  undone_at   TEXT                       -- set when undone; the row stays
);
CREATE INDEX labels_by_sample ON labels (version_id, object_hash, id);
ALTER TABLE version_samples ADD COLUMN provenance TEXT NOT NULL DEFAULT '';  -- how its label was given ('' for imports)
ALTER TABLE version_samples ADD COLUMN labelled_by TEXT NOT NULL DEFAULT ''; -- who gave it ('' for imports)
CREATE TABLE model_aliases (
  alias       TEXT PRIMARY KEY,          -- champion, challenger
  model_id    TEXT NOT NULL REFERENCES models(id),
  set_at      TEXT NOT NULL
);
CREATE TABLE alias_history (
  id          INTEGER PRIMARY KEY,
  alias       TEXT NOT NULL,
  model_id    TEXT NOT NULL REFERENCES models(id),
  previous_model_id TEXT,                -- NULL when the alias was unset
  set_at      TEXT NOT NULL,
  reason      TEXT NOT NULL,             -- why: "gate passed", "forced: ...", "first champion"
  gate        TEXT NOT NULL DEFAULT '{}',-- JSON: the gate's figures (accuracies, McNemar p, recall drops)
  forced      INTEGER NOT NULL DEFAULT 0 -- 1 when set with --force against the gate
);
)sql";

}  // namespace

const std::vector<std::string_view>& registry_migrations() {
  static const std::vector<std::string_view> migrations = {kDataTables, kTrainingTables, kLoopTables};
  return migrations;
}

}  // namespace edgeloop
