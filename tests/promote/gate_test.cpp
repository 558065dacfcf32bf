// The promotion gate on paired predictions made by hand: McNemar's exact p against the binomial
// by hand, and each refusal naming its condition with the numbers.
#include <gtest/gtest.h>

#include <functional>

#include "edgeloop/promote/gate.h"

namespace edgeloop {
namespace {

// `count` frames of `classes` classes; the champion and challenger right on the frames their masks say.
PairedPredictions pairs(const std::string& name, bool captured, int count, const std::function<bool(int)>& champion_right,
                        const std::function<bool(int)>& challenger_right, int classes = 2) {
  PairedPredictions result{name, captured, {}, {}, {}, {}};
  for (int label = 0; label < classes; ++label) result.classes.push_back("class" + std::to_string(label));
  for (int index = 0; index < count; ++index) {
    const int truth = index % classes;
    const int wrong = (truth + 1) % classes;
    result.truth.push_back(truth);
    result.champion.push_back(champion_right(index) ? truth : wrong);
    result.challenger.push_back(challenger_right(index) ? truth : wrong);
  }
  return result;
}

TEST(Gate, mcnemar_exact_p_matches_the_binomial_by_hand) {
  EXPECT_DOUBLE_EQ(mcnemar_exact_p(0, 0), 1.0);
  EXPECT_NEAR(mcnemar_exact_p(10, 0), 2.0 / 1024.0, 1e-12);
  EXPECT_NEAR(mcnemar_exact_p(3, 10), 2.0 * (1 + 13 + 78 + 286) / 8192.0, 1e-12);
  EXPECT_NEAR(mcnemar_exact_p(10, 3), mcnemar_exact_p(3, 10), 1e-12);
  EXPECT_DOUBLE_EQ(mcnemar_exact_p(5, 5), 1.0);
  EXPECT_GT(mcnemar_exact_p(2000, 2000), 0.9);   // large counts do not overflow
}

TEST(Gate, passes_a_challenger_as_good_on_the_original_and_better_on_captured_frames) {
  // Each gets 10 other frames of class0 wrong: same accuracy, same recall per class.
  const auto original = pairs("test:official", false, 200, [](int i) { return i % 20 != 0; }, [](int i) { return i % 20 != 10; });
  const auto captured = pairs("test:captured-1", true, 50, [](int i) { return i % 2 == 0; }, [](int i) { return i % 5 != 0; });
  const GateResult result = decide_gate({original, captured}, GateOptions{});
  EXPECT_TRUE(result.passed) << result.failed_condition;
  EXPECT_EQ(result.figures[0].champion_only_right, 10);
  EXPECT_EQ(result.figures[0].challenger_only_right, 10);
}

TEST(Gate, refuses_a_challenger_significantly_worse_on_the_original_test_set_with_its_p) {
  const auto original = pairs("test:official", false, 200, [](int) { return true; }, [](int i) { return i % 10 != 0; });
  const auto captured = pairs("test:captured-1", true, 50, [](int) { return false; }, [](int) { return true; });
  const GateResult result = decide_gate({original, captured}, GateOptions{});
  EXPECT_FALSE(result.passed);
  EXPECT_NE(result.failed_condition.find("significantly worse on test:official"), std::string::npos) << result.failed_condition;
  EXPECT_NE(result.failed_condition.find("McNemar p = 0.0000"), std::string::npos) << result.failed_condition;
  EXPECT_NE(result.failed_condition.find("20 frames only the champion got right"), std::string::npos) << result.failed_condition;
}

TEST(Gate, refuses_a_class_whose_recall_falls_more_than_allowed) {
  // 4 of class0's 100 frames lost, 4 of class1's gained: not significant overall, but class0 falls 4 points.
  const auto original = pairs("test:official", false, 200, [](int i) { return !(i % 2 == 1 && i < 8); },
                              [](int i) { return !(i % 2 == 0 && i < 8); });
  const auto captured = pairs("test:captured-1", true, 50, [](int) { return false; }, [](int) { return true; });
  const GateResult result = decide_gate({original, captured}, GateOptions{});
  EXPECT_FALSE(result.passed);
  EXPECT_NE(result.failed_condition.find("class class0's recall on test:official falls 4.0 points"), std::string::npos)
      << result.failed_condition;
}

TEST(Gate, refuses_a_challenger_that_is_not_better_on_the_captured_frames) {
  const auto original = pairs("test:official", false, 100, [](int) { return true; }, [](int) { return true; });
  const auto captured = pairs("test:captured-1", true, 40, [](int i) { return i % 2 == 0; }, [](int i) { return i % 2 == 0; });
  const GateResult result = decide_gate({original, captured}, GateOptions{});
  EXPECT_FALSE(result.passed);
  EXPECT_NE(result.failed_condition.find("not better on the captured set test:captured-1: challenger 50.00% vs champion 50.00% (40 frames)"),
            std::string::npos)
      << result.failed_condition;
  EXPECT_NE(decide_gate({original}, GateOptions{}).failed_condition.find("no captured test set"), std::string::npos);
}

}  // namespace
}  // namespace edgeloop
