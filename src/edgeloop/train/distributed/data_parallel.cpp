#include "edgeloop/train/distributed/data_parallel.h"

#include <cmath>

#include "edgeloop/core/error.h"
#include "edgeloop/core/stopwatch.h"

namespace edgeloop {

namespace {

constexpr const char* kAgreementKey = "agreement";
// Floats that ride with the gradients (GradientAllreduce's shared values): the stop vote, the budget
// spent, then one seconds-per-image figure per rank, each rank filling only its own.
constexpr int kStopValue = 0;
constexpr int kBudgetValue = 1;
constexpr int kFirstSpeedValue = 2;
constexpr size_t kShownHashCharacters = 12;

// Options that may differ between ranks: each machine sets its own thread counts; --resume is
// decided by rank 0, which holds the checkpoint.
const char* const kPerRankOptions[] = {"threads", "loader_threads", "resume"};

std::string shown(const Json& value) {
  if (value.is_string()) {
    const std::string text = value.get<std::string>();
    return text.size() > 2 * kShownHashCharacters ? text.substr(0, kShownHashCharacters) + "…" : text;
  }
  return value.dump();
}

}  // namespace

DataParallel::DataParallel(ProcessGroup& group, bool balance_ranks) : group_(group) {
  if (balance_ranks) balance_.emplace(group.world_size());
}

Json training_agreement(const TrainOptions& options, const TrainingData& data, const std::string& code_commit) {
  Json split_sizes = Json::object();
  for (const auto& [name, indices] : data.splits) split_sizes[name] = indices.size();
  Json option_values = options.to_json();
  for (const char* key : kPerRankOptions) option_values.erase(key);
  return Json{{"dataset_version", data.version.id},
              {"dataset", data.version.reference()},
              {"split_sizes", split_sizes},
              {"preprocess", data.pipeline.hash()},
              {"options", option_values},
              {"code_commit", code_commit}};
}

std::string agreement_difference(const Json& reference, const Json& other) {
  const auto describe = [](const Json& agreement, const std::string& key) {
    std::string text = agreement.contains(key) ? shown(agreement.at(key)) : "nothing";
    if (key == "dataset_version" && agreement.contains("dataset")) text += " (" + agreement.at("dataset").get<std::string>() + ")";
    return text;
  };
  for (const char* key : {"dataset_version", "split_sizes", "preprocess", "code_commit"}) {
    if (reference.value(key, Json()) != other.value(key, Json())) {
      return std::string(key) + " " + describe(other, key) + " where rank 0 has " + describe(reference, key);
    }
  }
  const Json& reference_options = reference.at("options");
  const Json& other_options = other.at("options");
  for (const auto& [key, value] : reference_options.items()) {
    const Json theirs = other_options.value(key, Json());
    if (theirs != value) return "option " + key + " = " + shown(theirs) + " where rank 0 has " + shown(value);
  }
  for (const auto& [key, value] : other_options.items()) {
    if (!reference_options.contains(key)) return "option " + key + " = " + shown(value) + " that rank 0 does not have";
  }
  return {};
}

void DataParallel::check_agreement(const Json& agreement) {
  const std::vector<std::string> all = group_.all_gather_text(kAgreementKey, canonical_json(agreement));
  const Json reference = Json::parse(all.front());
  for (int other = 1; other < world_size(); ++other) {
    const std::string difference = agreement_difference(reference, Json::parse(all[other]));
    if (difference.empty()) continue;
    std::string fix = "start every rank with the same options";
    if (difference.rfind("dataset_version", 0) == 0 || difference.rfind("split_sizes", 0) == 0) {
      fix = "import and split the same data on every machine (compare `edgeloop data show`)";
    } else if (difference.rfind("code_commit", 0) == 0) {
      fix = "run the same edgeloop build on every machine";
    }
    throw invalid_argument("rank " + std::to_string(other) + " of " + std::to_string(world_size()) + " sees " +
                           difference + ": refusing to train; " + fix);
  }
}

void DataParallel::attach(LayerGraphModuleImpl& module) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> state;
  for (const auto& parameter : module.parameters()) state.push_back(parameter.contiguous());
  for (const auto& buffer : module.buffers()) state.push_back(buffer.contiguous());
  group_.broadcast(state);
  size_t index = 0;
  for (auto& parameter : module.parameters()) parameter.copy_(state[index++]);
  for (auto& buffer : module.buffers()) buffer.copy_(state[index++]);
  gradients_ = std::make_unique<GradientAllreduce>(group_, module.parameters(), kFirstSpeedValue + world_size());
}

void DataParallel::begin_epoch() {
  last_step_end_ = std::chrono::steady_clock::now();
  seconds_per_image_ = 0;
}

void DataParallel::begin_step(double budget_spent) {
  std::vector<float> shared(static_cast<size_t>(kFirstSpeedValue + world_size()), 0.0f);
  shared[kStopValue] = budget_spent > 1.0 ? 1.0f : 0.0f;
  shared[kBudgetValue] = static_cast<float>(budget_spent);
  // The previous step's: this step's is known only after its backward, when its sums have started.
  shared[kFirstSpeedValue + rank()] = seconds_per_image_;
  gradients_->begin_step(shared);
}

DataParallel::StepAgreement DataParallel::finish_step(int64_t rank_images) {
  const double work = last_step_end_ ? seconds_since(*last_step_end_) : 0.0;
  work_seconds_ += work;
  seconds_per_image_ = rank_images > 0 ? static_cast<float>(work / static_cast<double>(rank_images)) : 0.0f;
  const std::vector<float> means = gradients_->finish_step();
  last_step_end_ = std::chrono::steady_clock::now();
  StepAgreement agreed{means[kStopValue] > 0, means[kBudgetValue], std::nullopt};
  if (balance_) {
    // Each figure was summed with zeros from the other ranks and divided by the world size.
    std::vector<float> seconds_per_image(means.begin() + kFirstSpeedValue, means.end());
    for (float& seconds : seconds_per_image) seconds *= static_cast<float>(world_size());
    agreed.shard_weights = balance_->add_step(seconds_per_image);
  }
  return agreed;
}

std::vector<RankTiming> DataParallel::gather_rank_timings(int64_t rank_images) {
  constexpr size_t kFields = 3;
  std::vector<double> values(kFields * static_cast<size_t>(world_size()), 0.0);   // each rank fills its own
  const size_t own = kFields * static_cast<size_t>(rank());
  values[own] = static_cast<double>(rank_images);
  values[own + 1] = work_seconds_;
  values[own + 2] = allreduce_wait_seconds();
  sum(values);
  std::vector<RankTiming> timings;
  for (size_t first = 0; first < values.size(); first += kFields) {
    timings.push_back(RankTiming{std::llround(values[first]), values[first + 1], values[first + 2]});
  }
  return timings;
}

std::vector<int64_t> DataParallel::shard_weights() const {
  return balance_ ? balance_->weights() : std::vector<int64_t>{};
}

double DataParallel::loss_weight(int64_t rank_images, int64_t global_images) const {
  if (global_images == 0) return 0;
  return static_cast<double>(rank_images) * world_size() / static_cast<double>(global_images);
}

void DataParallel::sum(std::vector<double>& values) {
  torch::Tensor tensor = torch::tensor(values, torch::kFloat64);
  group_.sum(tensor);
  for (size_t index = 0; index < values.size(); ++index) values[index] = tensor[index].item<double>();
}

void DataParallel::average_buffers(LayerGraphModuleImpl& module) {
  torch::NoGradGuard no_grad;
  for (auto& buffer : module.buffers()) {
    if (!buffer.is_floating_point()) continue;   // num_batches_tracked is the same on every rank
    torch::Tensor flat = buffer.to(torch::kFloat32).contiguous().clone();
    group_.sum(flat);
    buffer.copy_(flat.div_(static_cast<float>(world_size())));
  }
}

std::vector<int64_t> DataParallel::share_of(const std::vector<int64_t>& indices) const {
  const size_t size = indices.size();
  const size_t begin = size * rank() / world_size();
  const size_t end = size * (rank() + 1) / world_size();
  return std::vector<int64_t>(indices.begin() + begin, indices.begin() + end);
}

}  // namespace edgeloop
