// The pieces of data-parallel training on their own: the torchrun variables, the agreement
// between ranks, and the gradient averaging over a real two-rank Gloo group inside one process
// (one thread per rank).
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <map>
#include <thread>

#include "edge/loopback_port.h"
#include "edgeloop/core/error.h"
#include "edgeloop/registry/registry.h"
#include "edgeloop/train/batch_loader.h"
#include "edgeloop/train/distributed/data_parallel.h"
#include "edgeloop/train/distributed/gradient_allreduce.h"
#include "edgeloop/train/distributed/launch_environment.h"
#include "edgeloop/train/distributed/process_group.h"
#include "edgeloop/train/training_data.h"
#include "edgeloop/models/arch_spec.h"
#include "edgeloop/models/layer_graph_module.h"
#include "edgeloop/train/trainer.h"
#include "edgeloop/train/training_recipe.h"
#include "support/temp_dir.h"
#include "train/tiny_dataset.h"

namespace edgeloop {
namespace {

VariableLookup variables(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    const auto found = values.find(name);
    if (found == values.end()) return std::nullopt;
    return found->second;
  };
}

std::string error_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

TEST(LaunchEnvironment, reads_the_torchrun_variables) {
  const LaunchEnvironment environment = read_launch_environment(
      variables({{"MASTER_ADDR", "10.0.0.1"}, {"MASTER_PORT", "29501"}, {"RANK", "3"}, {"WORLD_SIZE", "4"}}));
  EXPECT_EQ(environment.master_address, "10.0.0.1");
  EXPECT_EQ(environment.master_port, 29501);
  EXPECT_EQ(environment.rank, 3);
  EXPECT_EQ(environment.world_size, 4);
  EXPECT_EQ(environment.local_rank, 0);
  EXPECT_EQ(environment.local_world_size, 0);   // not given: the rank is not bound to cores
  EXPECT_FALSE(environment.is_writer());
  const LaunchEnvironment local = read_launch_environment(variables({{"MASTER_ADDR", "h"}, {"MASTER_PORT", "1"},
      {"RANK", "1"}, {"WORLD_SIZE", "2"}, {"LOCAL_RANK", "1"}, {"LOCAL_WORLD_SIZE", "2"}}));
  EXPECT_EQ(local.local_rank, 1);
  EXPECT_EQ(local.local_world_size, 2);
}

TEST(LaunchEnvironment, a_missing_or_impossible_variable_is_named) {
  EXPECT_NE(error_of([] { read_launch_environment(variables({{"MASTER_ADDR", "h"}, {"MASTER_PORT", "1"}, {"WORLD_SIZE", "2"}})); })
                .find("RANK is not set"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              read_launch_environment(
                  variables({{"MASTER_ADDR", "h"}, {"MASTER_PORT", "1"}, {"RANK", "2"}, {"WORLD_SIZE", "2"}}));
            }).find("RANK=2 but WORLD_SIZE=2"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              read_launch_environment(
                  variables({{"MASTER_ADDR", "h"}, {"MASTER_PORT", "x1"}, {"RANK", "0"}, {"WORLD_SIZE", "2"}}));
            }).find("MASTER_PORT=x1 is not a whole number"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              read_launch_environment(variables({{"MASTER_ADDR", "h"}, {"MASTER_PORT", "1"}, {"RANK", "0"},
                                                 {"WORLD_SIZE", "2"}, {"LOCAL_RANK", "2"}, {"LOCAL_WORLD_SIZE", "2"}}));
            }).find("LOCAL_RANK=2 but LOCAL_WORLD_SIZE=2"),
            std::string::npos);
}

TEST(TrainingAgreement, names_the_dataset_version_before_any_option_and_ignores_thread_counts) {
  const Json reference{{"dataset_version", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
                       {"dataset", "shapes@1"},
                       {"split_sizes", {{"train", 90}}},
                       {"preprocess", "p"},
                       {"code_commit", "c"},
                       {"options", {{"lr", 0.001}, {"batch", 64}}}};
  Json other = reference;
  EXPECT_EQ(agreement_difference(reference, other), "");
  other["options"]["lr"] = 0.01;
  EXPECT_EQ(agreement_difference(reference, other), "option lr = 0.01 where rank 0 has 0.001");
  other["dataset_version"] = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
  EXPECT_EQ(agreement_difference(reference, other),
            "dataset_version bbbbbbbbbbbb… (shapes@1) where rank 0 has aaaaaaaaaaaa… (shapes@1)");
}

// A fresh workspace holding a tiny generated "shapes" dataset, prepared for training.
struct TinyTrainingData {
  explicit TinyTrainingData(int train_per_class)
      : name(testing::make_tiny_dataset(workspace, "shapes", {.train_per_class = train_per_class})),
        registry(Registry::open(workspace.registry_path())),
        data(prepare_training_data(workspace, registry, name, Json(), 1, {})) {}
  testing::TempDir dir;
  const Workspace workspace = Workspace::init(dir.path());
  const std::string name;
  Registry registry;
  const TrainingData data;
};

TEST(BatchLoader, two_shards_of_every_batch_are_the_single_process_batch_augmented_alike) {
  TinyTrainingData tiny(7);
  const TrainingData& data = tiny.data;
  BatchLoaderOptions options;
  options.batch = 8;   // 21 images: batches of 8, 8, 5 (the last splits 2 / 3)
  options.seed = 9;
  options.epoch = 2;
  options.augment = AugmentSpec::parse("flip,shift=2,rotate=10,brightness=0.2,noise=0.05");
  const auto batches = [&](int shard, int shard_count) {
    BatchLoaderOptions sharded = options;
    sharded.shard = shard;
    sharded.shard_count = shard_count;
    BatchLoader loader(data, data.split(kSplitTrain), sharded);
    std::vector<Batch> all;
    while (auto batch = loader.next()) all.push_back(std::move(*batch));
    return all;
  };
  const std::vector<Batch> single = batches(0, 1);
  const std::vector<Batch> first = batches(0, 2);
  const std::vector<Batch> second = batches(1, 2);
  ASSERT_EQ(single.size(), 3u);
  ASSERT_EQ(first.size(), 3u);
  ASSERT_EQ(second.size(), 3u);
  EXPECT_EQ(first.back().labels.size(0), 2);
  EXPECT_EQ(second.back().global_count, 5);
  for (size_t index = 0; index < single.size(); ++index) {
    EXPECT_TRUE(torch::equal(torch::cat({first[index].images, second[index].images}), single[index].images)) << index;
    EXPECT_TRUE(torch::equal(torch::cat({first[index].labels, second[index].labels}), single[index].labels)) << index;
  }
}

TEST(BatchLoader, uneven_shard_weights_cover_every_batch_once_and_a_change_applies_from_the_batch_it_names) {
  TinyTrainingData tiny(7);
  const TrainingData& data = tiny.data;
  BatchLoaderOptions options;
  options.batch = 8;   // 21 images: batches of 8, 8, 5
  options.seed = 3;
  options.prefetch = 1;
  // Each shard reads its batches as a rank does: weights 1:3 from the start, then 1:1 set after
  // the first batch, which applies from the batch set_shard_weights names.
  const auto batches = [&](int shard, int shard_count, std::vector<int64_t> weights, int64_t* changed_from) {
    BatchLoaderOptions sharded = options;
    sharded.shard = shard;
    sharded.shard_count = shard_count;
    sharded.shard_weights = std::move(weights);
    BatchLoader loader(data, data.split(kSplitTrain), sharded);
    std::vector<Batch> all;
    while (auto batch = loader.next()) {
      all.push_back(std::move(*batch));
      if (all.size() == 1 && changed_from != nullptr) *changed_from = loader.set_shard_weights(std::vector<int64_t>(2, 1));
    }
    return all;
  };
  int64_t first_changed = -1, second_changed = -1;
  const std::vector<Batch> single = batches(0, 1, {}, nullptr);
  const std::vector<Batch> first = batches(0, 2, {1, 3}, &first_changed);
  const std::vector<Batch> second = batches(1, 2, {1, 3}, &second_changed);
  EXPECT_EQ(first_changed, 2) << "one batch handed out, one made ahead";
  EXPECT_EQ(second_changed, first_changed);
  ASSERT_EQ(first.size(), 3u);
  ASSERT_EQ(second.size(), 3u);
  EXPECT_EQ(first[0].labels.size(0), 2);    // 8 x 1/4
  EXPECT_EQ(first[1].labels.size(0), 2);    // made before the change
  EXPECT_EQ(first[2].labels.size(0), 2);    // 5 x 1/2, rounded down
  EXPECT_EQ(second[2].labels.size(0), 3);
  for (size_t index = 0; index < single.size(); ++index) {
    EXPECT_TRUE(torch::equal(torch::cat({first[index].images, second[index].images}), single[index].images)) << index;
    EXPECT_TRUE(torch::equal(torch::cat({first[index].labels, second[index].labels}), single[index].labels)) << index;
    EXPECT_EQ(first[index].global_count, single[index].labels.size(0));
  }
}

// Runs `body(rank, group)` on two threads, one per rank of a loopback Gloo group.
template <typename Result>
std::vector<Result> on_two_ranks(const std::function<Result(int, ProcessGroup&)>& body) {
  const int port = testing::free_loopback_port();
  std::vector<std::future<Result>> ranks;
  for (int rank = 0; rank < 2; ++rank) {
    ranks.push_back(std::async(std::launch::async, [rank, port, &body] {
      LaunchEnvironment environment;
      environment.master_port = port;
      environment.rank = rank;
      environment.world_size = 2;
      std::unique_ptr<ProcessGroup> group = ProcessGroup::connect(environment, {});
      return body(rank, *group);
    }));
  }
  std::vector<Result> results;
  for (auto& rank : ranks) results.push_back(rank.get());
  return results;
}

struct AveragedStep {
  std::vector<torch::Tensor> gradients;
  bool stop = false;
  int buckets = 0;
};

TEST(GradientAllreduce, averages_every_bucket_and_the_shared_values_and_a_rank_without_images_counts_zeros) {
  const auto results = on_two_ranks<AveragedStep>([](int rank, ProcessGroup& group) {
    // A channels-last convolution weight, a matrix and a bias, in buckets of 64 bytes (several); the
    // same values on both ranks without the global generator, which the two rank threads share.
    const auto values = [](std::vector<int64_t> shape) {
      int64_t count = 1;
      for (int64_t size : shape) count *= size;
      return torch::linspace(-1.0, 2.0, count).reshape(shape);
    };
    std::vector<torch::Tensor> parameters{
        values({4, 3, 3, 3}).contiguous(torch::MemoryFormat::ChannelsLast).requires_grad_(),
        values({5, 7}).requires_grad_(), values({5}).requires_grad_()};
    GradientAllreduce gradients(group, parameters, /*shared_values=*/2, /*bucket_bytes=*/64);
    // Step 1: rank r's loss is (r + 1) times the weighted sum, so its gradients are (r + 1) * w.
    gradients.begin_step({0.0f, 0.25f});
    torch::Tensor loss = torch::zeros({});
    for (auto& parameter : parameters) loss = loss + (parameter * parameter.detach()).sum() * (rank + 1);
    loss.backward();
    const auto first_means = gradients.finish_step();
    EXPECT_EQ(first_means[0], 0.0f);
    EXPECT_EQ(first_means[1], 0.25f);
    AveragedStep step;
    step.buckets = gradients.bucket_count();
    for (auto& parameter : parameters) {
      EXPECT_TRUE(torch::allclose(parameter.grad(), parameter.detach() * 1.5)) << "rank " << rank;
    }
    // Step 2: rank 1 has no images (no backward) and asks to stop.
    for (auto& parameter : parameters) parameter.mutable_grad().zero_();
    gradients.begin_step({rank == 1 ? 1.0f : 0.0f, 0.0f});
    if (rank == 0) {
      torch::Tensor second = torch::zeros({});
      for (auto& parameter : parameters) second = second + (parameter * parameter.detach()).sum() * 2.0;
      second.backward();
    }
    step.stop = gradients.finish_step()[0] > 0;
    for (auto& parameter : parameters) step.gradients.push_back(parameter.grad().clone());
    step.gradients.push_back(parameters[0].detach().clone());
    return step;
  });
  for (const AveragedStep& step : results) {
    EXPECT_GT(step.buckets, 2);
    EXPECT_TRUE(step.stop);
    for (size_t index = 0; index + 1 < step.gradients.size(); ++index) {
      EXPECT_TRUE(torch::allclose(step.gradients[index], results[0].gradients[index]));
    }
    // Averaged with rank 1's zeros: 2 w / 2 = w.
    EXPECT_TRUE(torch::allclose(step.gradients[0], step.gradients.back()));
  }
}

TEST(DataParallel, sums_metrics_and_shares_rank_0s_text) {
  const auto results = on_two_ranks<std::vector<double>>([](int rank, ProcessGroup& group) {
    DataParallel parallel(group);
    std::vector<double> values{1.0 + rank, 10.0};
    parallel.sum(values);
    const std::string shared = parallel.share_checkpoint(rank == 0 ? std::string("checkpoint bytes") : std::string());
    values.push_back(shared == "checkpoint bytes" ? 1.0 : 0.0);
    values.push_back(static_cast<double>(parallel.share_of({0, 1, 2, 3, 4}).size()));
    return values;
  });
  EXPECT_EQ(results[0], (std::vector<double>{3.0, 20.0, 1.0, 2.0}));
  EXPECT_EQ(results[1], (std::vector<double>{3.0, 20.0, 1.0, 3.0}));
}

TEST(DataParallel, ranks_with_different_options_are_refused_on_every_rank_naming_the_rank_and_the_option) {
  const auto messages = on_two_ranks<std::string>([](int rank, ProcessGroup& group) {
    DataParallel parallel(group);
    Json agreement{{"dataset_version", "v"}, {"dataset", "shapes@1"}, {"split_sizes", {{"train", 90}}},
                   {"preprocess", "p"},      {"code_commit", "c"},
                   {"options", {{"lr", rank == 0 ? 0.001 : 0.01}, {"batch", 64}}}};
    return error_of([&] { parallel.check_agreement(agreement); });
  });
  for (const std::string& message : messages) {
    EXPECT_EQ(message, "rank 1 of 2 sees option lr = 0.01 where rank 0 has 0.001: refusing to train; start every "
                       "rank with the same options");
  }
}


TEST(DataParallel, balanced_ranks_give_a_slower_rank_less_of_each_batch_and_end_with_one_processs_weights) {
  TinyTrainingData tiny(31);   // 93 training images: 6 batches of 16 an epoch, the last of 13
  TrainOptions given;
  given.data = tiny.name;
  given.arch = "mlp";
  given.batch = 16;
  given.learning_rate = 0.003;
  given.seed = 5;
  given.threads = 1;
  given.epochs = 6;
  given.patience = 100;
  given.balance_ranks = true;
  const TrainOptions options = with_default_recipe(given);
  ArchSpec spec = ArchSpec::parse(options.arch);
  spec.input = tiny.data.input();
  spec.classes = tiny.data.classes();
  // Built here, one after the other, each from the seed: rank threads building their own would
  // race on LibTorch's global generator (ranks are processes in use; rank 0's weights reach rank 1).
  std::vector<LayerGraphModule> modules;
  for (int module = 0; module < 3; ++module) {
    torch::manual_seed(options.seed);
    modules.emplace_back(spec);
  }
  run_trainer(*modules[2], tiny.data, options, tiny.dir / "single.pt", false, {}, nullptr);

  const auto results = on_two_ranks<TrainerResult>([&](int rank, ProcessGroup& group) {
    DataParallel parallel(group, options.balance_ranks);
    TrainerCallbacks callbacks;
    // Rank 1 is the slower machine: 60 ms of other work per step, against about 1 ms of training
    // (tens of ms when the test shares its cores with other work, hence the margin).
    if (rank == 1) callbacks.progress = [](const Progress&) { std::this_thread::sleep_for(std::chrono::milliseconds(60)); };
    return run_trainer(*modules[rank], tiny.data, options, tiny.dir / "parallel.pt", false, callbacks, &parallel);
  });
  const std::vector<int64_t>& weights = results.at(0).shard_weights;
  ASSERT_EQ(weights.size(), 2u);
  // How much less depends on the load beside the test (rank 0's steps slow down too): only "less".
  EXPECT_LT(weights[1], weights[0]) << "the slower rank takes less of each batch";
  EXPECT_EQ(results.at(1).shard_weights, weights) << "every rank agrees on the shares";
  // The loaders followed the weights: rank 1 trained on fewer images (even shares: 6 more).
  const std::vector<RankTiming>& ranks = results.at(0).ranks;
  ASSERT_EQ(ranks.size(), 2u);
  EXPECT_LT(ranks[1].images, ranks[0].images) << "the loaders followed the weights";
  EXPECT_EQ(ranks[0].images + ranks[1].images, 6 * 93) << "every image once per epoch";
  EXPECT_EQ(results.at(1).ranks.at(1).images, ranks[1].images) << "every rank reports the same";
  // 36 steps, of which the last of each epoch is followed by scoring, not timed: at least 30 x 60 ms.
  EXPECT_GE(ranks[1].work_seconds, 1.8) << "rank 1's 60 ms a step count as its work";
  // The same global batches, so one process's weights, on both ranks.
  for (int rank = 0; rank < 2; ++rank) {
    const auto single = modules[2]->named_parameters();
    for (const auto& parameter : modules[rank]->named_parameters()) {
      const double difference = (parameter.value() - single[parameter.key()]).abs().max().item<double>();
      EXPECT_LE(difference, 1e-5) << "rank " << rank << ": " << parameter.key();
    }
  }
}

}  // namespace
}  // namespace edgeloop
