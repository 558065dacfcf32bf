#include "edgeloop/data/dataset_export.h"

#include "edgeloop/core/error.h"
#include "edgeloop/core/image_pack.h"
#include "edgeloop/data/object_store.h"
#include "edgeloop/registry/dataset_store.h"
#include "edgeloop/registry/registry.h"

namespace edgeloop {
namespace {

constexpr std::string_view kTestSplit = "test";

}  // namespace

DatasetSplitReference parse_dataset_split_reference(const std::string& text) {
  DatasetSplitReference reference;
  const auto colon = text.find(':');
  reference.dataset = text.substr(0, colon);
  if (reference.dataset.empty()) throw invalid_argument("'" + text + "' names no dataset: write NAME[@VERSION][:SPLIT]");
  if (colon == std::string::npos) return reference;
  const std::string split = text.substr(colon + 1);
  if (split == kSplitTrain || split == kSplitVal) {
    reference.split_filter = split;
  } else if (split == kTestSplit) {
    reference.split_filter = kSplitTestPrefix;   // every test set
  } else if (split.rfind(kSplitTestPrefix, 0) == 0 && split.size() > std::string_view(kSplitTestPrefix).size()) {
    reference.split_filter = split;
  } else {
    throw invalid_argument(text + ": unknown split '" + split + "': use train, val, test or test:NAME");
  }
  return reference;
}

DatasetExport export_dataset(const Workspace& workspace, const std::string& reference, const std::filesystem::path& file,
                             int64_t max_images) {
  const DatasetSplitReference parsed = parse_dataset_split_reference(reference);
  Registry registry = Registry::open(workspace.registry_path());
  DatasetStore datasets(registry);
  const DatasetVersion version = datasets.resolve(parsed.dataset);
  DatasetExport result;
  result.source = version.reference();
  if (!parsed.split_filter.empty()) {
    result.source += ":" + (parsed.split_filter == kSplitTestPrefix ? std::string(kTestSplit) : parsed.split_filter);
  }
  const ObjectStore objects(workspace);
  std::vector<std::string> images;
  std::vector<std::string> labels;
  for (const Sample& sample : datasets.samples(version.id, parsed.split_filter)) {
    if (max_images > 0 && static_cast<int64_t>(images.size()) >= max_images) break;
    images.push_back(objects.read(sample.object_hash));
    const bool labelled = sample.label >= 0 && sample.label < static_cast<int>(version.classes.size());
    labels.push_back(labelled ? version.classes[sample.label] : std::string());
    result.labelled += labelled ? 1 : 0;
  }
  if (images.empty()) {
    throw not_found(result.source + ": the dataset has no images in this split: run `edgeloop data show " +
                    version.reference() + "` to see its splits");
  }
  write_image_pack(file, result.source, images, result.labelled > 0 ? labels : std::vector<std::string>{});
  result.file = file;
  result.images = static_cast<int64_t>(images.size());
  result.bytes = static_cast<int64_t>(std::filesystem::file_size(file));
  return result;
}

}  // namespace edgeloop
