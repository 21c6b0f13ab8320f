// Runs a piece of a test in a child process and reports its exit status and peak memory
// (getrusage of the child: a resource bound, never a wall-clock timing). Tests that use it are
// tagged [child]: the wasm build under node has no processes and leaves them out (web/).
#pragma once
#ifndef __EMSCRIPTEN__
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

#include <cstdio>
#include <cstdlib>
#include <functional>

namespace mailsim::test {

struct ChildResult {
  int exit_code = -1;       // -1: killed by a signal
  long peak_rss_kb = 0;     // the child's peak resident set size
  long start_rss_kb = 0;    // the test process's resident size when it forked (the child starts with it)
  long grown_kb() const { return peak_rss_kb - start_rss_kb; }
  double cpu_seconds = 0;   // user + system CPU time of the child
};

#ifdef __EMSCRIPTEN__
// No fork under node: never called there (the [child] tests are left out of the wasm runs).
inline ChildResult run_in_child(const std::function<int()>&) { return {}; }
#else
// `body` returns the child's exit code; an exception in it gives 99.
inline ChildResult run_in_child(const std::function<int()>& body) {
  ChildResult r;
  if (std::FILE* f = std::fopen("/proc/self/statm", "r")) {
    long size = 0, resident = 0;
    if (std::fscanf(f, "%ld %ld", &size, &resident) == 2) r.start_rss_kb = resident * (sysconf(_SC_PAGESIZE) / 1024);
    std::fclose(f);
  }
  const pid_t pid = fork();
  if (pid == 0) {
    int code = 99;
    try {
      code = body();
    } catch (...) {
      code = 99;
    }
    _exit(code);
  }
  if (pid < 0) return r;
  int status = 0;
  struct rusage use {};
  wait4(pid, &status, 0, &use);
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  r.peak_rss_kb = use.ru_maxrss;
  r.cpu_seconds = static_cast<double>(use.ru_utime.tv_sec + use.ru_stime.tv_sec) +
                  static_cast<double>(use.ru_utime.tv_usec + use.ru_stime.tv_usec) / 1e6;
  return r;
}
#endif

}  // namespace mailsim::test
