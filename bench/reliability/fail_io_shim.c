/* fail_io_shim: an LD_PRELOAD library that makes the Nth write, fsync or rename of a process fail,
 * to test that every stage survives a disk that fails at any moment (nothing half-written, one
 * clear error). Only operations on paths under EDGELOOP_FAIL_UNDER are counted and failed, so the
 * terminal and the test's own files are left alone.
 *
 * Environment:
 *   EDGELOOP_FAIL_UNDER   path prefix whose files are counted (required; unset: the shim is inert)
 *   EDGELOOP_FAIL_OP      write | fsync | rename | any (default any)
 *   EDGELOOP_FAIL_N       the 1-based index of the operation to fail; 0 or unset: fail none, count
 *   EDGELOOP_FAIL_ERRNO   ENOSPC (default) or EIO
 *   EDGELOOP_FAIL_STICKY  1: every operation after the Nth fails too (a disk that stays full)
 *   EDGELOOP_FAIL_COUNT   a file the number of counted operations is written to at exit
 * Built by CMake as libedgeloop_fail_io.so (bench/reliability/CMakeLists.txt). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

enum operation { kWrite = 1, kFsync = 2, kRename = 4 };

static const char* under = NULL;
static size_t under_length = 0;
static int wanted_operations = kWrite | kFsync | kRename;
static long fail_at = 0;
static int fail_errno = ENOSPC;
static int sticky = 0;
static atomic_long counted = 0;

static void initialise(void) __attribute__((constructor));
static void initialise(void) {
  under = getenv("EDGELOOP_FAIL_UNDER");
  if (under && *under) under_length = strlen(under); else under = NULL;
  const char* op = getenv("EDGELOOP_FAIL_OP");
  if (op && strcmp(op, "write") == 0) wanted_operations = kWrite;
  if (op && strcmp(op, "fsync") == 0) wanted_operations = kFsync;
  if (op && strcmp(op, "rename") == 0) wanted_operations = kRename;
  const char* n = getenv("EDGELOOP_FAIL_N");
  if (n) fail_at = atol(n);
  const char* number = getenv("EDGELOOP_FAIL_ERRNO");
  if (number && strcmp(number, "EIO") == 0) fail_errno = EIO;
  const char* stays = getenv("EDGELOOP_FAIL_STICKY");
  sticky = stays && strcmp(stays, "1") == 0;
}

static void report(void) __attribute__((destructor));
static void report(void) {
  const char* file = getenv("EDGELOOP_FAIL_COUNT");
  if (!file || !under) return;
  FILE* out = fopen(file, "w");
  if (!out) return;
  fprintf(out, "%ld\n", atomic_load(&counted));
  fclose(out);
}

/* A process that leaves by _exit or _Exit runs no destructor (edgeloop does, to skip LibTorch's
 * static teardown): report first. */
void _exit(int status) {
  report();
  for (;;) syscall(SYS_exit_group, status);
}
void _Exit(int status) { _exit(status); }

static int path_is_watched(const char* path) {
  return under && path && strncmp(path, under, under_length) == 0;
}

static int fd_is_watched(int fd) {
  if (!under || fd < 0) return 0;
  char link[64], target[PATH_MAX];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  const ssize_t length = readlink(link, target, sizeof target - 1);
  if (length <= 0) return 0;
  target[length] = '\0';
  return path_is_watched(target);
}

/* True when this watched operation is the one (or, sticky, one after the one) to fail. */
static int should_fail(int operation) {
  if (!(operation & wanted_operations)) return 0;
  const long index = atomic_fetch_add(&counted, 1) + 1;
  if (fail_at <= 0) return 0;
  return index == fail_at || (sticky && index > fail_at);
}

#define NEXT(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

ssize_t write(int fd, const void* buffer, size_t size) {
  if (fd_is_watched(fd) && should_fail(kWrite)) { errno = fail_errno; return -1; }
  return NEXT(write)(fd, buffer, size);
}

ssize_t pwrite(int fd, const void* buffer, size_t size, off_t offset) {
  if (fd_is_watched(fd) && should_fail(kWrite)) { errno = fail_errno; return -1; }
  return NEXT(pwrite)(fd, buffer, size, offset);
}

ssize_t pwrite64(int fd, const void* buffer, size_t size, off64_t offset) {
  if (fd_is_watched(fd) && should_fail(kWrite)) { errno = fail_errno; return -1; }
  return NEXT(pwrite64)(fd, buffer, size, offset);
}

ssize_t writev(int fd, const struct iovec* vectors, int count) {
  if (fd_is_watched(fd) && should_fail(kWrite)) { errno = fail_errno; return -1; }
  return NEXT(writev)(fd, vectors, count);
}

int fsync(int fd) {
  if (fd_is_watched(fd) && should_fail(kFsync)) { errno = fail_errno == ENOSPC ? EIO : fail_errno; return -1; }
  return NEXT(fsync)(fd);
}

int fdatasync(int fd) {
  if (fd_is_watched(fd) && should_fail(kFsync)) { errno = fail_errno == ENOSPC ? EIO : fail_errno; return -1; }
  return NEXT(fdatasync)(fd);
}

int syncfs(int fd) {
  if (fd_is_watched(fd) && should_fail(kFsync)) { errno = EIO; return -1; }
  return NEXT(syncfs)(fd);
}

int rename(const char* from, const char* to) {
  if (path_is_watched(to) && should_fail(kRename)) { errno = fail_errno; return -1; }
  return NEXT(rename)(from, to);
}

int renameat(int from_dir, const char* from, int to_dir, const char* to) {
  if (path_is_watched(to) && should_fail(kRename)) { errno = fail_errno; return -1; }
  return NEXT(renameat)(from_dir, from, to_dir, to);
}

int renameat2(int from_dir, const char* from, int to_dir, const char* to, unsigned int flags) {
  if (path_is_watched(to) && should_fail(kRename)) { errno = fail_errno; return -1; }
  return NEXT(renameat2)(from_dir, from, to_dir, to, flags);
}
