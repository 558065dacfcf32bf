// LargestMatAllocation: shows that a refusal came before the decoder allocated its image. While
// alive, OpenCV's default Mat allocator is wrapped so that the largest single Mat buffer any thread
// allocates is recorded (cv::imdecode allocates its image through it). One at a time per process.
#pragma once

#include <atomic>
#include <cstddef>

#include <opencv2/core.hpp>

namespace edgeloop::testing {

class LargestMatAllocation : public cv::MatAllocator {
 public:
  LargestMatAllocation();
  ~LargestMatAllocation() override;
  LargestMatAllocation(const LargestMatAllocation&) = delete;
  LargestMatAllocation& operator=(const LargestMatAllocation&) = delete;
  size_t bytes() const { return largest_.load(); }

  cv::UMatData* allocate(int dims, const int* sizes, int type, void* data, size_t* step, cv::AccessFlag flags,
                         cv::UMatUsageFlags usage) const override;
  bool allocate(cv::UMatData* data, cv::AccessFlag flags, cv::UMatUsageFlags usage) const override;
  void deallocate(cv::UMatData* data) const override;

 private:
  cv::MatAllocator* wrapped_;
  mutable std::atomic<size_t> largest_{0};
};

}  // namespace edgeloop::testing
