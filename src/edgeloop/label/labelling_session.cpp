#include "edgeloop/label/labelling_session.h"

#include <algorithm>
#include <random>
#include <set>

#include "edgeloop/core/error.h"
#include "edgeloop/core/hash.h"
#include "edgeloop/label/label_csv.h"
#include "edgeloop/models/stored_model.h"
#include "edgeloop/registry/model_store.h"

namespace edgeloop {

namespace {

constexpr const char* kDiscardWord = "";   // an empty CSV label discards the frame

// The class list named by `classes_from`: a dataset version's, or the version a model was trained on.
std::vector<std::string> classes_named_by(Registry& registry, const std::string& classes_from) {
  DatasetStore datasets(registry);
  if (auto version = datasets.try_resolve(classes_from)) return version->classes;
  ModelStore models(registry);
  if (classes_from.rfind(kModelIdPrefix, 0) == 0) {
    const ModelRecord model = models.resolve(classes_from);
    if (auto version = datasets.find_version(model.version_id)) return version->classes;
  }
  throw not_found("--classes " + classes_from + " is neither a dataset nor a model: name the champion's dataset (NAME[@N]) or model (m-...)");
}

int index_of_class(const std::vector<std::string>& classes, const std::string& name) {
  const auto found = std::find(classes.begin(), classes.end(), name);
  return found == classes.end() ? -1 : static_cast<int>(found - classes.begin());
}

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

}  // namespace

std::string random_operation_id() {
  static std::mutex mutex;
  static std::mt19937_64 generator{std::random_device{}()};
  std::lock_guard lock(mutex);
  return sha256_hex(std::to_string(generator()) + ":" + std::to_string(generator())).substr(0, 32);
}

LabelOrder label_order_from_name(const std::string& name) {
  if (name == "entropy") return LabelOrder::kEntropy;
  if (name == "margin") return LabelOrder::kMargin;
  if (name == "capture") return LabelOrder::kCapture;
  if (name == "random") return LabelOrder::kRandom;
  throw invalid_argument("--order " + name + " is not known: use entropy, margin, capture or random");
}

LabellingSession::LabellingSession(Registry& registry, const LabelOptions& options) : registry_(registry), options_(options) {
  DatasetStore datasets(registry);
  version_ = datasets.resolve(options.dataset);
  classes_ = options.classes_from.empty() ? version_.classes : classes_named_by(registry, options.classes_from);
  if (classes_.empty()) {
    throw invalid_argument(version_.reference() + " has no class list (an imported capture folder): pass --classes with the "
                           "champion's dataset or model, e.g. --classes fashion-mnist");
  }
  const std::vector<Sample> samples = datasets.samples(version_.id);
  std::map<std::string, std::pair<int64_t, std::string>> unknown_suggestions;   // label → (frames, first origin)
  for (const Sample& sample : samples) {
    QueueItem item;
    item.object_hash = sample.object_hash;
    item.origin = sample.origin;
    if (auto object = datasets.object(sample.object_hash)) item.format = object->format;
    item.suggestion = parse_suggestion(sample.suggested, sample.origin);
    if (item.suggestion) {
      item.suggested_class = index_of_class(classes_, item.suggestion->label);
      if (item.suggested_class < 0) {
        auto& [frames, first] = unknown_suggestions[item.suggestion->label];
        if (frames++ == 0) first = sample.origin;
      }
      item.uncertainty = options.order == LabelOrder::kMargin ? 1.0 - suggestion_margin(*item.suggestion)
                                                              : suggestion_entropy(*item.suggestion);
    }
    if (sample.label >= 0) {
      const std::string& name = version_.classes.at(sample.label);
      const int mapped = index_of_class(classes_, name);
      if (mapped < 0) {
        throw invalid_argument(version_.reference() + ": sample " + sample.origin + " is labelled `" + name +
                               "`, which is not in the class list (" + joined(classes_) + "): pass --classes with a list that has it");
      }
      imported_label_[sample.object_hash] = mapped;
    }
    queue_.push_back(std::move(item));
  }
  if (!unknown_suggestions.empty()) {
    const auto& [label, found] = *unknown_suggestions.begin();
    throw invalid_argument(version_.reference() + ": the device suggested `" + label + "` for " + std::to_string(found.first) +
                           " frame(s) (first: " + found.second + "), which is not in the class list (" + joined(classes_) +
                           "): pass --classes with the class list of the model that captured them");
  }
  std::stable_sort(queue_.begin(), queue_.end(), [&](const QueueItem& left, const QueueItem& right) {
    if (options.order == LabelOrder::kRandom) return left.object_hash < right.object_hash;
    if (left.suggestion.has_value() != right.suggestion.has_value()) return left.suggestion.has_value();
    if (options.order != LabelOrder::kCapture && left.uncertainty != right.uncertainty) return left.uncertainty > right.uncertainty;
    return left.origin < right.origin;
  });
  for (size_t index = 0; index < queue_.size(); ++index) index_of_[queue_[index].object_hash] = index;
  reload_current();
}

void LabellingSession::reload_current() { current_ = LabelStore(registry_).current(version_.id); }

int LabellingSession::current_label(const std::string& object_hash) const {
  std::lock_guard lock(mutex_);
  if (auto found = current_.find(object_hash); found != current_.end()) {
    return found->second.label ? index_of_class(classes_, *found->second.label) : kDiscarded;
  }
  if (auto imported = imported_label_.find(object_hash); imported != imported_label_.end()) return imported->second;
  return kUnlabelled;
}

std::string LabellingSession::image_format(const std::string& object_hash) const {
  auto found = index_of_.find(object_hash);
  if (found == index_of_.end()) throw not_found("image " + object_hash + " is not a sample of " + version_.reference());
  return queue_[found->second].format;
}

std::string LabellingSession::current_provenance(const std::string& object_hash) const {
  std::lock_guard lock(mutex_);
  auto found = current_.find(object_hash);
  return found == current_.end() ? "" : found->second.provenance;
}

std::vector<CurrentLabel> LabellingSession::current_labels() const {
  std::lock_guard lock(mutex_);
  std::vector<CurrentLabel> labels(queue_.size());   // walks the labels, not the queue: most frames have none
  for (const auto& [hash, class_index] : imported_label_) labels[index_of_.at(hash)].label = class_index;
  for (const auto& [hash, entry] : current_) {
    const auto found = index_of_.find(hash);
    if (found == index_of_.end()) continue;
    labels[found->second] = {entry.label ? index_of_class(classes_, *entry.label) : kDiscarded, entry.provenance};
  }
  return labels;
}

void LabellingSession::check_class_index(int class_index) const {
  if (class_index < 0 || class_index >= static_cast<int>(classes_.size())) {
    throw invalid_argument("class " + std::to_string(class_index) + " is not in the class list: use 0 to " +
                           std::to_string(classes_.size() - 1));
  }
}

LabelEntry LabellingSession::entry_for(const std::string& operation, const std::string& object_hash,
                                       std::optional<int> class_index, const std::string& provenance) const {
  static const std::set<std::string> known = {kProvenanceHuman, kProvenanceSuggestion, kProvenanceBatch, kProvenanceOracle};
  if (!known.count(provenance)) throw invalid_argument("provenance `" + provenance + "` is not known: use human, suggestion, batch or oracle");
  if (operation.empty()) throw invalid_argument("a label needs an operation id");
  if (!index_of_.count(object_hash)) throw invalid_argument("sample " + object_hash + " is not in " + version_.reference());
  if (class_index) check_class_index(*class_index);
  LabelEntry entry;
  entry.operation = operation;
  entry.version_id = version_.id;
  entry.object_hash = object_hash;
  if (class_index) entry.label = classes_[*class_index];
  entry.provenance = provenance;
  entry.labeller = options_.labeller;
  return entry;
}

bool LabellingSession::record(const std::string& operation, const std::string& object_hash, std::optional<int> class_index,
                              const std::string& provenance) {
  std::lock_guard lock(mutex_);
  const LabelEntry entry = entry_for(operation, object_hash, class_index, provenance);
  bool stored = false;
  registry_.in_transaction([&](SQLite::Database&) { stored = LabelStore(registry_).add(entry); });
  if (stored) current_[object_hash] = entry;
  return stored;
}

std::optional<std::string> LabellingSession::undo(const std::string& operation) {
  std::lock_guard lock(mutex_);
  std::optional<std::string> undone;
  registry_.in_transaction([&](SQLite::Database&) { undone = LabelStore(registry_).undo(version_.id, operation); });
  if (undone) reload_current();
  return undone;
}

int64_t LabellingSession::count_above(double threshold) const {
  std::lock_guard lock(mutex_);
  int64_t count = 0;
  for (const QueueItem& item : queue_) {
    if (item.suggestion && item.suggestion->score >= threshold && !current_.count(item.object_hash) &&
        !imported_label_.count(item.object_hash)) {
      ++count;
    }
  }
  return count;
}

int64_t LabellingSession::accept_above(double threshold) {
  if (!(threshold >= 0 && threshold <= 1)) throw invalid_argument("--accept-above " + std::to_string(threshold) + " is not a score: use 0..1");
  std::lock_guard lock(mutex_);
  std::vector<LabelEntry> entries;
  for (const QueueItem& item : queue_) {
    if (item.suggestion && item.suggestion->score >= threshold && !current_.count(item.object_hash) &&
        !imported_label_.count(item.object_hash)) {
      entries.push_back(entry_for(random_operation_id(), item.object_hash, item.suggested_class, kProvenanceBatch));
    }
  }
  registry_.in_transaction([&](SQLite::Database&) {
    LabelStore store(registry_);
    for (const LabelEntry& entry : entries) store.add(entry);
  });
  for (const LabelEntry& entry : entries) current_[entry.object_hash] = entry;
  return static_cast<int64_t>(entries.size());
}

int64_t LabellingSession::apply_csv(const std::filesystem::path& csv, const std::string& provenance) {
  const std::vector<LabelCsvRow> rows = read_label_csv(csv);
  std::lock_guard lock(mutex_);
  std::map<std::string, std::string> hash_for;   // origin, its file name, and the hash itself → hash
  for (const QueueItem& item : queue_) {
    hash_for[item.object_hash] = item.object_hash;
    hash_for[item.origin] = item.object_hash;
    hash_for[std::filesystem::path(item.origin).filename().string()] = item.object_hash;
  }
  std::vector<LabelEntry> entries;
  for (const LabelCsvRow& row : rows) {
    const auto sample = hash_for.find(row.image);
    if (sample == hash_for.end()) {
      throw invalid_argument(row.where + ": image `" + row.image + "` is not a sample of " + version_.reference() +
                             ": use its file name as imported (see `edgeloop data show`)");
    }
    std::optional<int> class_index;
    if (row.label != kDiscardWord) {
      const int found = index_of_class(classes_, row.label);
      if (found < 0) {
        throw invalid_argument(row.where + ": label `" + row.label + "` is not in the class list (" + joined(classes_) +
                               "): fix the row, or leave the label empty to discard the frame");
      }
      class_index = found;
    }
    entries.push_back(entry_for(random_operation_id(), sample->second, class_index, provenance));
  }
  registry_.in_transaction([&](SQLite::Database&) {
    LabelStore store(registry_);
    for (const LabelEntry& entry : entries) store.add(entry);
  });
  for (const LabelEntry& entry : entries) current_[entry.object_hash] = entry;
  return static_cast<int64_t>(entries.size());
}

int64_t LabellingSession::apply_oracle(int64_t max_labels) {
  std::lock_guard lock(mutex_);
  std::vector<LabelEntry> entries;
  bool any_truth = false;
  for (const QueueItem& item : queue_) {
    if (!item.suggestion || item.suggestion->truth.empty()) continue;
    any_truth = true;
    const int class_index = index_of_class(classes_, item.suggestion->truth);
    if (class_index < 0) {
      throw invalid_argument(version_.reference() + ": capture " + item.origin + " is of class `" + item.suggestion->truth +
                             "`, which is not in the class list (" + joined(classes_) +
                             "): pass --classes with the class list of the data the stream was exported from");
    }
    if (current_.count(item.object_hash) || imported_label_.count(item.object_hash)) continue;
    if (max_labels > 0 && static_cast<int64_t>(entries.size()) >= max_labels) continue;   // still checked above
    entries.push_back(entry_for(random_operation_id(), item.object_hash, class_index, kProvenanceOracle));
  }
  if (!any_truth) {
    throw invalid_argument(version_.reference() + ": no capture carries its true class, so there is nothing an oracle knows: "
                           "only a sim: stream of an image pack exported with labels (`edgeloop data export`) reports it; "
                           "label these frames in the page or with --from-csv");
  }
  registry_.in_transaction([&](SQLite::Database&) {
    LabelStore store(registry_);
    for (const LabelEntry& entry : entries) store.add(entry);
  });
  for (const LabelEntry& entry : entries) current_[entry.object_hash] = entry;
  return static_cast<int64_t>(entries.size());
}

LabelCounts LabellingSession::counts() const {
  std::lock_guard lock(mutex_);
  LabelCounts counts;
  counts.total = static_cast<int64_t>(queue_.size());
  counts.per_class.assign(classes_.size(), 0);
  const auto count = [&](int label) {
    if (label == kDiscarded) ++counts.discarded;
    if (label >= 0) {
      ++counts.labelled;
      ++counts.per_class[label];
    }
  };
  // Walks the labels, not the queue: every label answer carries the counts, and most frames have none.
  for (const auto& [hash, entry] : current_) {
    if (!index_of_.count(hash)) continue;
    count(entry.label ? index_of_class(classes_, *entry.label) : kDiscarded);
    ++counts.per_provenance[entry.provenance];
  }
  for (const auto& [hash, class_index] : imported_label_) {
    if (!current_.count(hash)) count(class_index);
  }
  return counts;
}

DatasetVersion LabellingSession::finish() {
  const LabelCounts totals = counts();
  std::lock_guard lock(mutex_);
  DatasetStore datasets(registry_);
  NewVersion labelled;
  labelled.dataset = version_.dataset;
  labelled.parent_id = version_.id;
  labelled.classes = classes_;
  std::set<std::string> labellers;
  std::vector<SampleProvenance> provenance;
  for (Sample sample : datasets.samples(version_.id)) {
    if (auto found = current_.find(sample.object_hash); found != current_.end()) {
      if (!found->second.label) continue;   // discarded: not in the new version
      sample.label = index_of_class(classes_, *found->second.label);
      provenance.push_back({sample.object_hash, found->second.provenance, found->second.labeller});
      labellers.insert(found->second.labeller);
    } else if (auto imported = imported_label_.find(sample.object_hash); imported != imported_label_.end()) {
      sample.label = imported->second;
    }
    labelled.samples.push_back(std::move(sample));
  }
  Json by_provenance = Json::object();
  std::string change = "label";
  for (const auto& [provenance, count] : totals.per_provenance) {
    by_provenance[provenance] = count;
    change.append(" ").append(std::to_string(count)).append(" ").append(provenance).append(",");
  }
  change.append(" ").append(std::to_string(totals.discarded)).append(" discarded");
  labelled.change = change;
  labelled.details = Json{{"label", {{"from", version_.reference()},
                                      {"by_provenance", by_provenance},
                                      {"labellers", std::vector<std::string>(labellers.begin(), labellers.end())},
                                      {"discarded", totals.discarded},
                                      {"unlabelled", totals.total - totals.labelled - totals.discarded}}}};
  DatasetVersion made;
  registry_.in_transaction([&](SQLite::Database&) {
    made = datasets.add_version(labelled);
    LabelStore(registry_).set_provenance(made.id, provenance);
  });
  return made;
}

}  // namespace edgeloop
