#include "edgeloop/edge/dataset_source.h"

#include "edgeloop/core/error.h"
#include "edgeloop/registry/dataset_store.h"
#include "edgeloop/registry/registry.h"

namespace edgeloop {
namespace {

constexpr std::string_view kTestSplit = "test";

}  // namespace

DatasetSourceSpec parse_dataset_source_spec(const std::string& text) {
  DatasetSourceSpec spec;
  const auto colon = text.find(':');
  spec.dataset = text.substr(0, colon);
  if (colon == std::string::npos) return spec;
  const std::string split = text.substr(colon + 1);
  if (split == kSplitTrain || split == kSplitVal) {
    spec.split_filter = split;
  } else if (split == kTestSplit) {
    spec.split_filter = kSplitTestPrefix;   // every test set
  } else if (split.rfind(kSplitTestPrefix, 0) == 0 && split.size() > std::string_view(kSplitTestPrefix).size()) {
    spec.split_filter = split;
  } else {
    throw invalid_argument("sim:" + text + ": unknown split '" + split + "': use train, val, test or test:NAME");
  }
  if (spec.dataset.empty()) throw invalid_argument("sim:" + text + " names no dataset: write sim:NAME[@VERSION][:SPLIT]");
  return spec;
}

std::unique_ptr<DatasetSource> DatasetSource::try_open(const Workspace& workspace, const DatasetSourceSpec& spec,
                                                       const SourceOptions& options, Clock& clock) {
  Registry registry = Registry::open(workspace.registry_path());
  DatasetStore datasets(registry);
  std::optional<DatasetVersion> version = datasets.try_resolve(spec.dataset);
  if (!version) return nullptr;
  std::vector<std::string> hashes;
  for (const Sample& sample : datasets.samples(version->id, spec.split_filter)) hashes.push_back(sample.object_hash);
  std::string reference = version->reference();
  if (!spec.split_filter.empty()) reference += ":" + (spec.split_filter == kSplitTestPrefix ? std::string(kTestSplit) : spec.split_filter);
  if (hashes.empty()) {
    throw not_found("source sim:" + reference + ": the dataset has no images in this split: run `edgeloop data show " +
                    version->reference() + "` to see its splits");
  }
  return std::unique_ptr<DatasetSource>(new DatasetSource(workspace, reference, std::move(hashes), options, clock));
}

DatasetSource::DatasetSource(const Workspace& workspace, std::string reference, std::vector<std::string> object_hashes,
                             const SourceOptions& options, Clock& clock)
    : store_(workspace), reference_(std::move(reference)), object_hashes_(std::move(object_hashes)), options_(options),
      clock_(clock), pacer_(clock, options.fps) {}

ReadResult DatasetSource::read() {
  if (stop_requested()) return {};
  if (next_object_ >= object_hashes_.size()) {
    if (!options_.loop) return {};
    next_object_ = 0;
  }
  const std::string& hash = object_hashes_[next_object_++];
  pacer_.wait();
  ReadResult result;
  try {
    result.frame.image = store_.decode(hash);
  } catch (const Error& error) {
    result.status = ReadStatus::kSkipped;
    result.detail = reference_ + " object " + hash + ": " + error.what();
    return result;
  }
  result.status = ReadStatus::kFrame;
  result.frame.index = next_index_++;
  result.frame.capture_seconds = clock_.now_seconds();
  result.frame.wall_milliseconds = clock_.wall_milliseconds();
  return result;
}

std::string DatasetSource::description() const {
  return "dataset " + reference_ + " (" + std::to_string(object_hashes_.size()) + " images" +
         (options_.loop ? ", looping" : "") + ")";
}

}  // namespace edgeloop
