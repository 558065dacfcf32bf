// Fit diagnosis: reads a run's per-epoch curves and says whether the model overfits, underfits, is
// still improving (validation accuracy rising at the last epoch: train longer, with the projected
// gain) or fits well, why (the evidence in numbers) and what to do about it. The Trainer calls it after
// every epoch (live) and at the end; `models show` prints the stored result. Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "edgeloop/core/config.h"
#include "edgeloop/registry/run_store.h"

namespace edgeloop {

struct DiagnosisOptions {
  int rising_epochs = 3;              // overfitting: validation loss up and training loss down this many epochs running
  double accuracy_gap = 0.10;         // overfitting: train − validation accuracy above this (0..1)
  double underfit_accuracy = 0.75;    // underfitting: training accuracy below this floor (0..1)
  double plateau_accuracy = 0.90;     // underfitting: loss plateaued while training accuracy is below this
  double plateau_change = 0.01;       // a relative loss change below this over plateau_epochs is a plateau
  int plateau_epochs = 3;             // window for the plateau test
  double improving_rise = 0.002;      // still improving: validation accuracy rose more than this in the last epoch (0..1)
  bool frozen_blocks = false;         // transfer learning froze blocks: advise unfreezing when underfitting
  bool augmented = false;             // augmentation already on: advise more of it, not to add it
  int best_epoch = 0;                 // epoch whose weights were kept (early stopping), 0 = unknown
};

inline constexpr const char* kVerdictOverfitting = "overfitting";
inline constexpr const char* kVerdictUnderfitting = "underfitting";
inline constexpr const char* kVerdictStillImproving = "still improving";
inline constexpr const char* kVerdictGoodFit = "good fit";
inline constexpr const char* kVerdictTooEarly = "too early to tell";

struct Diagnosis {
  std::string verdict = kVerdictTooEarly;
  std::vector<std::string> reasons;   // the evidence, with numbers
  std::vector<std::string> advice;    // what to try next

  Json to_json() const;
  static Diagnosis from_json(const Json& json);
};

Diagnosis diagnose_fit(const std::vector<EpochRecord>& epochs, const DiagnosisOptions& options = {});

// The validation accuracy (0..1) `more_epochs` further epochs would add if each epoch's gain keeps
// shrinking as it did over the last two (a geometric series; half of the last gain per epoch when
// there is only one gain to read). 0 when validation accuracy did not rise at the last epoch.
double projected_accuracy_gain(const std::vector<EpochRecord>& epochs, int more_epochs);

}  // namespace edgeloop
