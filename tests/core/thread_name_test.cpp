#include <gtest/gtest.h>

#include <pthread.h>

#include <string>
#include <thread>

#include "edgeloop/core/thread_name.h"

namespace edgeloop {
namespace {

std::string name_of_this_thread() {
  char name[32] = {};
  pthread_getname_np(pthread_self(), name, sizeof name);
  return name;
}

TEST(ThreadName, names_the_calling_thread_and_keeps_fifteen_characters_of_a_long_name) {
  std::string short_name, long_name;
  std::thread worker([&] {
    name_this_thread("edge-infer");
    short_name = name_of_this_thread();
    name_this_thread("a-name-longer-than-fifteen");
    long_name = name_of_this_thread();
  });
  worker.join();
  EXPECT_EQ(short_name, "edge-infer");
  EXPECT_EQ(long_name, "a-name-longer-t");
  EXPECT_NE(name_of_this_thread(), "edge-infer");   // the caller's own thread is left alone
}

}  // namespace
}  // namespace edgeloop
