#include <gtest/gtest.h>

#include "edgeloop/core/error.h"
#include "edgeloop/train/training_recipe.h"

namespace edgeloop {

TEST(TrainingRecipe, every_ladder_family_has_a_one_cycle_recipe) {
  for (const std::string& arch : {"linear", "mlp", "cnn-s", "cnn-m", "cnn-l", "mobilenet", "resnet"}) {
    const TrainingRecipe recipe = default_recipe(arch);
    EXPECT_EQ(recipe.family, arch);
    EXPECT_EQ(recipe.schedule, "onecycle") << arch;
    EXPECT_GT(recipe.learning_rate, 0) << arch;
  }
  EXPECT_EQ(default_recipe("cnn-m:w=0.5").family, "cnn-m");
  EXPECT_THROW(default_recipe("vgg"), Error);
}

TEST(TrainingRecipe, unset_options_take_the_recipe_and_given_ones_are_kept) {
  TrainOptions options;
  options.arch = "cnn-m";
  options.weight_decay = 0.25;
  const TrainOptions resolved = with_default_recipe(options);
  ASSERT_TRUE(resolved.resolved());
  EXPECT_FALSE(options.resolved());
  EXPECT_EQ(*resolved.schedule, "onecycle");
  EXPECT_DOUBLE_EQ(*resolved.learning_rate, default_recipe("cnn-m").learning_rate);
  EXPECT_DOUBLE_EQ(*resolved.weight_decay, 0.25);
  EXPECT_EQ(*resolved.epochs, 10);
  // Idempotent: a stored, resolved config resolves to itself.
  EXPECT_EQ(with_default_recipe(resolved).to_json(), resolved.to_json());
}

TEST(TrainingRecipe, without_epochs_a_time_budget_decides_how_long_to_train) {
  TrainOptions options;
  options.max_seconds = 60;
  EXPECT_GT(*with_default_recipe(options).epochs, 100);
  options.epochs = 3;
  EXPECT_EQ(*with_default_recipe(options).epochs, 3);
}

TEST(TrainingRecipe, transfer_learning_starts_from_a_tenth_of_the_rate) {
  TrainOptions options;
  options.from_model = "m-0123";
  EXPECT_EQ(recipe_for(options).family, "transfer");
  EXPECT_LT(*with_default_recipe(options).learning_rate, default_recipe("cnn-s").learning_rate);
}

TEST(TrainingRecipe, the_description_marks_which_fields_were_given) {
  TrainOptions options;
  options.arch = "cnn-s";
  options.optimizer = "sgd";
  options.find_learning_rate = true;
  bool saw_optimizer = false, saw_lr = false;
  for (const RecipeField& field : describe_recipe(options)) {
    if (field.name == "optimizer") {
      saw_optimizer = true;
      EXPECT_TRUE(field.given);
      EXPECT_EQ(field.value, "sgd");
    } else if (field.name == "lr") {
      saw_lr = true;
      EXPECT_EQ(field.value, "auto (range test)");
    } else {
      EXPECT_FALSE(field.given) << field.name;
    }
  }
  EXPECT_TRUE(saw_optimizer && saw_lr);
}

TEST(TrainOptions, lr_auto_is_read_from_a_config_and_other_text_is_refused) {
  const TrainOptions options = TrainOptions::from_json(Json{{"lr", "auto"}}, "train.yaml");
  EXPECT_TRUE(options.find_learning_rate);
  EXPECT_FALSE(options.learning_rate);
  EXPECT_THROW(TrainOptions::from_json(Json{{"lr", "fast"}}, "train.yaml"), Error);
}

}  // namespace edgeloop
