#include "support/largest_mat_allocation.h"

namespace edgeloop::testing {

LargestMatAllocation::LargestMatAllocation() : wrapped_(cv::Mat::getDefaultAllocator()) { cv::Mat::setDefaultAllocator(this); }

LargestMatAllocation::~LargestMatAllocation() { cv::Mat::setDefaultAllocator(wrapped_); }

cv::UMatData* LargestMatAllocation::allocate(int dims, const int* sizes, int type, void* data, size_t* step,
                                             cv::AccessFlag flags, cv::UMatUsageFlags usage) const {
  if (data == nullptr) {
    size_t bytes = CV_ELEM_SIZE(type);
    for (int dimension = 0; dimension < dims; ++dimension) bytes *= static_cast<size_t>(sizes[dimension]);
    size_t seen = largest_.load();
    while (bytes > seen && !largest_.compare_exchange_weak(seen, bytes)) {
    }
  }
  // The buffer belongs to the wrapped allocator (UMatData::currAllocator), which frees it even
  // after this wrapper is gone.
  return wrapped_->allocate(dims, sizes, type, data, step, flags, usage);
}

bool LargestMatAllocation::allocate(cv::UMatData* data, cv::AccessFlag flags, cv::UMatUsageFlags usage) const {
  return wrapped_->allocate(data, flags, usage);
}

void LargestMatAllocation::deallocate(cv::UMatData* data) const { wrapped_->deallocate(data); }

}  // namespace edgeloop::testing
