// DatasetSource: the images of a workspace dataset version streamed from its object store, for
// `sim:NAME[@VERSION][:SPLIT]` (demos and drift rehearsals on the very data a model was trained
// or tested on). Frames come in object-hash order (the registry's stable order); optional pacing
// and looping. An object that is missing or does not decode is reported as skipped. Created by
// open_frame_source(); one thread. Reads the registry once, at construction.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "edgeloop/core/workspace.h"
#include "edgeloop/data/object_store.h"
#include "edgeloop/edge/frame_pacer.h"
#include "edgeloop/edge/frame_source.h"

namespace edgeloop {

// The parts of "NAME[@VERSION][:SPLIT]". SPLIT: train, val, test (every test set) or test:NAME.
struct DatasetSourceSpec {
  std::string dataset;        // "NAME" or "NAME@N", as DatasetStore::resolve takes it
  std::string split_filter;   // DatasetStore::samples' filter: "", "train", "val", "test:", "test:NAME"
};
// Throws Error(kInvalidArgument) naming the text and the accepted splits.
DatasetSourceSpec parse_dataset_source_spec(const std::string& text);

class DatasetSource : public FrameSource {
 public:
  // nullopt when `spec.dataset` names no dataset in the workspace (the caller reports it with
  // the other possibilities); throws Error(kNotFound) when the dataset has no image in the split.
  static std::unique_ptr<DatasetSource> try_open(const Workspace& workspace, const DatasetSourceSpec& spec,
                                                 const SourceOptions& options, Clock& clock);
  ReadResult read() override;
  bool is_live() const override { return false; }
  std::string description() const override;

 private:
  DatasetSource(const Workspace& workspace, std::string reference, std::vector<std::string> object_hashes,
                const SourceOptions& options, Clock& clock);

  ObjectStore store_;
  std::string reference_;                  // e.g. "fashion@2:val"
  std::vector<std::string> object_hashes_;
  SourceOptions options_;
  Clock& clock_;
  FramePacer pacer_;
  size_t next_object_ = 0;
  int64_t next_index_ = 0;
};

}  // namespace edgeloop
