#include "edgeloop/train/fit_diagnosis.h"

#include <algorithm>
#include <cmath>

#include "edgeloop/core/number_format.h"

namespace edgeloop {

namespace {

constexpr int kMinimumEpochs = 2;
constexpr double kPercent = 100.0;

std::string points(double fraction) { return format_fixed(fraction * kPercent, 1) + " points"; }
constexpr double kDefaultGainRatio = 0.5;   // each further epoch gains half the last, when one gain is all there is
constexpr double kMaximumGainRatio = 0.8;   // never project a gain that shrinks slower than this

bool validation_rising_while_training_falls(const std::vector<EpochRecord>& epochs, int window) {
  if (static_cast<int>(epochs.size()) < window + 1) return false;
  for (size_t index = epochs.size() - window; index < epochs.size(); ++index) {
    if (!(epochs[index].val_loss > epochs[index - 1].val_loss && epochs[index].train_loss < epochs[index - 1].train_loss)) {
      return false;
    }
  }
  return true;
}

bool training_loss_plateaued(const std::vector<EpochRecord>& epochs, int window, double relative_change) {
  if (static_cast<int>(epochs.size()) < window + 1) return false;
  const double before = epochs[epochs.size() - 1 - window].train_loss;
  const double now = epochs.back().train_loss;
  return before > 0 && std::abs(before - now) / before < relative_change;
}

Diagnosis still_improving(const std::vector<EpochRecord>& epochs, const DiagnosisOptions& options) {
  const EpochRecord& last = epochs.back();
  const double rise = last.val_accuracy - epochs[epochs.size() - 2].val_accuracy;
  const int more_epochs = static_cast<int>(epochs.size());
  Diagnosis diagnosis;
  diagnosis.verdict = kVerdictStillImproving;
  diagnosis.reasons.push_back("validation accuracy rose " + points(rise) + " in the last epoch, to " +
                              format_percent(last.val_accuracy) + ": the curve has not flattened");
  diagnosis.reasons.push_back("projected: about +" + points(projected_accuracy_gain(epochs, more_epochs)) + " with " +
                              std::to_string(more_epochs) + " more epochs, if each epoch's gain keeps shrinking as it did");
  diagnosis.advice.push_back("train longer: --epochs " + std::to_string(2 * more_epochs) + " (or a larger --max-seconds)");
  if (options.best_epoch > 0 && options.best_epoch < last.epoch) {
    diagnosis.advice.push_back("the kept weights are epoch " + std::to_string(options.best_epoch) +
                               "'s (lowest validation loss)");
  }
  return diagnosis;
}

}  // namespace

double projected_accuracy_gain(const std::vector<EpochRecord>& epochs, int more_epochs) {
  if (epochs.size() < 2) return 0.0;
  const double last_gain = epochs.back().val_accuracy - epochs[epochs.size() - 2].val_accuracy;
  if (last_gain <= 0) return 0.0;
  double ratio = kDefaultGainRatio;
  if (epochs.size() >= 3) {
    const double previous_gain = epochs[epochs.size() - 2].val_accuracy - epochs[epochs.size() - 3].val_accuracy;
    ratio = previous_gain > 0 ? std::clamp(last_gain / previous_gain, 0.0, kMaximumGainRatio) : kDefaultGainRatio;
  }
  double gain = 0.0, next = last_gain;
  for (int epoch = 0; epoch < more_epochs; ++epoch) {
    next *= ratio;
    gain += next;
  }
  return std::min(gain, 1.0 - epochs.back().val_accuracy);
}

Json Diagnosis::to_json() const { return Json{{"verdict", verdict}, {"reasons", reasons}, {"advice", advice}}; }

Diagnosis Diagnosis::from_json(const Json& json) {
  Diagnosis diagnosis;
  diagnosis.verdict = json.value("verdict", std::string(kVerdictTooEarly));
  diagnosis.reasons = json.value("reasons", std::vector<std::string>{});
  diagnosis.advice = json.value("advice", std::vector<std::string>{});
  return diagnosis;
}

Diagnosis diagnose_fit(const std::vector<EpochRecord>& epochs, const DiagnosisOptions& options) {
  Diagnosis diagnosis;
  if (static_cast<int>(epochs.size()) < kMinimumEpochs) {
    diagnosis.reasons.push_back("only " + std::to_string(epochs.size()) + " epoch(s) so far");
    return diagnosis;
  }
  const EpochRecord& last = epochs.back();
  const double gap = last.train_accuracy - last.val_accuracy;
  const bool rising = validation_rising_while_training_falls(epochs, options.rising_epochs);
  if (rising || gap > options.accuracy_gap) {
    diagnosis.verdict = kVerdictOverfitting;
    if (rising) {
      diagnosis.reasons.push_back("validation loss rose for " + std::to_string(options.rising_epochs) +
                                  " epochs while training loss fell (now " + format_fixed(last.val_loss, 3) + " vs " +
                                  format_fixed(last.train_loss, 3) + ")");
    }
    if (gap > options.accuracy_gap) {
      diagnosis.reasons.push_back("training accuracy " + format_percent(last.train_accuracy) + " is " + format_percent(gap) +
                                  " above validation accuracy " + format_percent(last.val_accuracy) + " (threshold " +
                                  format_percent(options.accuracy_gap) + ")");
    }
    diagnosis.advice.push_back("collect more data, or more varied data (other lighting, angles, backgrounds)");
    diagnosis.advice.push_back(options.augmented ? "augment more strongly (larger shift/rotation, add noise)"
                                                 : "add augmentation, e.g. --augment flip,shift=2,rotate=10");
    diagnosis.advice.push_back("use a smaller architecture (fewer parameters) or add weight decay");
    diagnosis.advice.push_back(options.best_epoch > 0
                                   ? "train fewer epochs: the best validation loss was at epoch " +
                                         std::to_string(options.best_epoch) + " (its weights were kept)"
                                   : "train fewer epochs (early stopping keeps the best epoch)");
    return diagnosis;
  }
  const bool plateaued = training_loss_plateaued(epochs, options.plateau_epochs, options.plateau_change);
  if (last.train_accuracy < options.underfit_accuracy || (plateaued && last.train_accuracy < options.plateau_accuracy)) {
    diagnosis.verdict = kVerdictUnderfitting;
    if (last.train_accuracy < options.underfit_accuracy) {
      diagnosis.reasons.push_back("training accuracy " + format_percent(last.train_accuracy) + " is under the floor " +
                                  format_percent(options.underfit_accuracy));
    }
    if (plateaued) {
      diagnosis.reasons.push_back("training loss plateaued at " + format_fixed(last.train_loss, 3) + " (changed under " +
                                  format_percent(options.plateau_change) + " in " + std::to_string(options.plateau_epochs) +
                                  " epochs)");
    }
    diagnosis.advice.push_back("use a larger architecture (more capacity), e.g. the next one on `edgeloop models list`");
    diagnosis.advice.push_back(plateaued ? "raise the learning rate or use --schedule onecycle"
                                         : "train more epochs: the loss is still falling");
    if (options.frozen_blocks) diagnosis.advice.push_back("unfreeze layers: lower --freeze or set --unfreeze-after");
    return diagnosis;
  }
  if (last.val_accuracy - epochs[epochs.size() - 2].val_accuracy > options.improving_rise) {
    return still_improving(epochs, options);
  }
  diagnosis.verdict = kVerdictGoodFit;
  diagnosis.reasons.push_back("training " + format_percent(last.train_accuracy) + " and validation " +
                              format_percent(last.val_accuracy) + " accuracy are close (gap " + format_percent(gap) + ")");
  diagnosis.advice.push_back("compare on the validation set with `edgeloop eval`, then test once with `edgeloop test`");
  diagnosis.advice.push_back("if it is not accurate enough yet, try the next larger architecture or more data");
  return diagnosis;
}

}  // namespace edgeloop
