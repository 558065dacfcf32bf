// The IDX import source: one images/labels pair, or a folder of pairs (train + t10k).
#include <algorithm>
#include <cctype>
#include <sstream>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/data/idx_file.h"
#include "edgeloop/data/import_source.h"

namespace edgeloop {

namespace fs = std::filesystem;

namespace {

constexpr const char* kImagesMarker = "-images-idx3-ubyte";
constexpr const char* kLabelsMarker = "-labels-idx1-ubyte";

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// The labels file beside an images file: train-images-idx3-ubyte.gz → train-labels-idx1-ubyte.gz.
fs::path labels_for(const fs::path& images) {
  std::string name = images.filename().string();
  const size_t at = name.find(kImagesMarker);
  if (at == std::string::npos) {
    throw invalid_argument("IDX images file " + images.string() + " is not named *" + kImagesMarker +
                           "[.gz]: rename it so its labels file can be found beside it");
  }
  name.replace(at, std::string(kImagesMarker).size(), kLabelsMarker);
  fs::path labels = images.parent_path() / name;
  if (!fs::exists(labels)) {
    // Accept the other compression: a .gz images file with a raw labels file, or the reverse.
    const fs::path other = labels.extension() == ".gz" ? fs::path(labels).replace_extension() : fs::path(labels.string() + ".gz");
    if (fs::exists(other)) return other;
    throw not_found("IDX labels file " + labels.string() + " is missing: put it beside " + images.string());
  }
  return labels;
}

std::vector<fs::path> images_files_in(const fs::path& folder) {
  std::vector<fs::path> found;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(folder, error)) {
    if (entry.path().filename().string().find(kImagesMarker) != std::string::npos) found.push_back(entry.path());
  }
  if (error) throw io_error("cannot read folder " + folder.string() + ": " + error.message());
  // train before the test files, so that the first of two identical images is the training one
  std::sort(found.begin(), found.end(), [](const fs::path& left, const fs::path& right) {
    const bool left_train = left.filename().string().find("train") != std::string::npos;
    const bool right_train = right.filename().string().find("train") != std::string::npos;
    return left_train != right_train ? left_train : left < right;
  });
  return found;
}

std::vector<std::string> read_labels_file(const fs::path& path) {
  std::istringstream in(read_file(path));  // read_file refuses a FIFO instead of blocking on it
  std::vector<std::string> names;
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) names.push_back(line);
  }
  return names;
}

}  // namespace

const std::vector<std::string>& fashion_mnist_class_names() {
  static const std::vector<std::string> names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                 "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  return names;
}

ImportSource read_idx_source(const fs::path& source, const ImportOptions& options) {
  const std::vector<fs::path> images_files = fs::is_directory(source) ? images_files_in(source) : std::vector<fs::path>{source};
  if (images_files.empty()) {
    throw invalid_argument("no IDX images file (*" + std::string(kImagesMarker) + "[.gz]) in " + source.string());
  }
  ImportSource result;
  result.format = "idx";
  int largest_label = -1;
  for (const fs::path& images_path : images_files) {
    const fs::path labels_path = labels_for(images_path);
    const IdxImages images = read_idx_images(images_path, options.max_megapixels);
    const std::vector<uint8_t> labels = read_idx_labels(labels_path);
    if (static_cast<int64_t>(labels.size()) != images.count) {
      throw corrupt("IDX pair does not match: " + images_path.string() + " holds " + std::to_string(images.count) +
                    " images but " + labels_path.string() + " holds " + std::to_string(labels.size()) +
                    " labels: use the labels file that belongs to these images");
    }
    const std::string name = images_path.filename().string();
    const std::string origin = name.substr(0, name.find(kImagesMarker));
    // One Mat owns all the pixels; each item's Mat is a view into it.
    cv::Mat all(static_cast<int>(images.count), images.rows * images.columns, CV_8UC1);
    std::copy(images.pixels.begin(), images.pixels.end(), all.data);
    for (int64_t index = 0; index < images.count; ++index) {
      ImportItem item;
      item.origin = origin + "#" + std::to_string(index);
      item.pixels = all.row(static_cast<int>(index)).reshape(1, images.rows);
      item.label = std::to_string(labels[index]);  // replaced by the class name below
      largest_label = std::max(largest_label, int{labels[index]});
      result.items.push_back(std::move(item));
    }
  }
  if (!options.labels_file.empty()) {
    result.classes = read_labels_file(options.labels_file);
    if (static_cast<int>(result.classes.size()) <= largest_label) {
      throw invalid_argument("labels file " + options.labels_file.string() + " names " + std::to_string(result.classes.size()) +
                             " classes but the IDX labels go up to " + std::to_string(largest_label) +
                             ": add a line per class");
    }
  } else if (largest_label < static_cast<int>(fashion_mnist_class_names().size()) &&
             lowercase(fs::absolute(source).string()).find("fashion") != std::string::npos) {
    result.classes = fashion_mnist_class_names();
  } else {
    for (int label = 0; label <= largest_label; ++label) result.classes.push_back(std::to_string(label));
  }
  for (auto& item : result.items) item.label = result.classes[std::stoi(item.label)];
  return result;
}

}  // namespace edgeloop
