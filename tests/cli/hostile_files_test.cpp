// Hostile scenario files: `mailsim check` refuses each with exit 2 and a short message, in bounded memory and CPU.
//
// Each case writes its file into the build folder at test time (nothing large is committed),
// runs `mailsim check FILE` as a child (fork/exec), and reads the child's peak resident size
// and CPU time from getrusage(RUSAGE_CHILDREN) once it has been reaped. Each TEST_CASE runs in
// its own process (one CTest test each), so the numbers are those of that one child. No
// wall-clock time is measured. The bounds are generous (several times what a linear loader
// needs) but far below what the quadratic loader took (9 s and 1.9 GB for 30,000 nested arrays).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

struct Outcome {
  int exit_code = -1;
  std::string err;
  long max_rss_kib = 0;
  double cpu_seconds = 0;
};

double seconds(const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; }

fs::path work_dir() {
  const fs::path dir = fs::path(MAILSIM_BINARY_DIR) / "tests" / "hostile";
  fs::create_directories(dir);
  return dir;
}

// Runs `mailsim check FILE`, stderr to a file; stdout dropped.
Outcome check(const std::string& file) {
  const fs::path err_path = work_dir() / (fs::path(file).filename().string() + ".stderr");
  rusage before{};
  getrusage(RUSAGE_CHILDREN, &before);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int null = open("/dev/null", O_WRONLY);
    if (err < 0 || null < 0) _exit(127);
    dup2(err, 2);
    dup2(null, 1);
    execl(MAILSIM_EXE, MAILSIM_EXE, "check", file.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  rusage after{};
  getrusage(RUSAGE_CHILDREN, &after);
  Outcome o;
  o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  o.max_rss_kib = after.ru_maxrss;  // the largest child so far: this one (one child per test process)
  o.cpu_seconds = seconds(after.ru_utime) - seconds(before.ru_utime) + seconds(after.ru_stime) - seconds(before.ru_stime);
  std::ifstream in(err_path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  o.err = text.str();
  return o;
}

std::string write(const std::string& name, const std::string& text) {
  const fs::path p = work_dir() / name;
  std::ofstream out(p, std::ios::binary);
  out << text;
  return p.string();
}

// A small world the big cases add to: one network 10.0.0.0/8.
std::string head() {
  return R"({"mailsim": 1, "title": "hostile", "networks": [{"id": "n", "cidr": "10.0.0.0/8"}], )";
}

void expect(const Outcome& o, const std::string& message, long max_rss_mib, double max_cpu_s) {
  INFO("stderr (first 2000 bytes): " << o.err.substr(0, 2000));
  INFO("peak RSS " << o.max_rss_kib / 1024 << " MiB, CPU " << o.cpu_seconds << " s");
  CHECK(o.exit_code == 2);
  CHECK(o.err.find(message) != std::string::npos);
  CHECK(o.err.size() < 16 * 1024);  // never a 10 MB value echoed back
  CHECK(o.max_rss_kib < max_rss_mib * 1024);
  CHECK(o.cpu_seconds < max_cpu_s);
}

}  // namespace

TEST_CASE("hostile files: 100,000 nested arrays stop at the nesting limit") {
  const auto f = write("deep-arrays.json", std::string(100000, '['));
  expect(check(f), "deep-arrays.json:1:129: arrays and objects nested deeper than 128 levels", 64, 2.0);
}

TEST_CASE("hostile files: 100,000 nested objects stop at the nesting limit") {
  std::string text;
  for (int i = 0; i < 100000; ++i) text += "{\"a\":";
  const auto f = write("deep-objects.json", text);
  expect(check(f), "deep-objects.json:1:641: arrays and objects nested deeper than 128 levels", 64, 2.0);
}

TEST_CASE("hostile files: a 50 MB file is refused after 16 MiB") {
  const fs::path p = work_dir() / "fifty-mb.json";
  {
    std::ofstream out(p, std::ios::binary);
    const std::string block(1 << 20, ' ');
    out << "{\"mailsim\": 1,";
    for (int i = 0; i < 50; ++i) out << block;
    out << "}";
  }
  const auto o = check(p.string());
  fs::remove(p);
  expect(o, "fifty-mb.json:1:1: the file is larger than 16 MiB", 96, 2.0);
}

TEST_CASE("hostile files: /dev/zero is refused after 16 MiB") {
  expect(check("/dev/zero"), "/dev/zero:1:1: the file is larger than 16 MiB", 96, 2.0);
}

TEST_CASE("hostile files: a 10 MB string is cut in the message") {
  const auto f = write("long-string.json", head() + R"("hosts": [{"id": ")" + std::string(10 << 20, 'x') +
                                               R"(", "kind": "server", "network": "n", "ip": "10.0.0.1"}]})");
  const auto o = check(f);
  expect(o, "/hosts/0/id: bad identifier \"xxxxxxxxxx", 256, 4.0);
  CHECK(o.err.find("... (10485760 bytes)") != std::string::npos);
}

TEST_CASE("hostile files: a 10 MB key is cut in the message and its pointer") {
  const auto f = write("long-key.json", head() + "\"" + std::string(10 << 20, 'k') + R"(": 1, "hosts": []})");
  const auto o = check(f);
  expect(o, ": unknown key \"kkkkkkkkkk", 256, 4.0);
  CHECK(o.err.find("... (10485760 bytes)") != std::string::npos);
}

TEST_CASE("hostile files: 200,000 hosts are checked in linear time") {
  std::string text = head() + "\"hosts\": [\n";
  for (int i = 0; i < 200000; ++i) {
    char line[160];
    std::snprintf(line, sizeof line, "%s{\"id\": \"h%06d\", \"kind\": \"server\", \"network\": \"n\", \"ip\": \"10.%d.%d.%d\"}\n",
                  i ? "," : "", i, (i >> 16) & 255, (i >> 8) & 255, (i & 255));
    text += line;
  }
  // One mistake at the end, so the whole world is read and checked before the refusal.
  text += "], \"timeline\": [{\"at\": \"1s\", \"do\": \"host_down\", \"host\": \"h-nowhere\"}]}\n";
  const auto f = write("many-hosts.json", text);
  const auto o = check(f);
  fs::remove(f);
  expect(o, "many-hosts.json:200002:49: /timeline/0/host: no host has the id \"h-nowhere\"", 1024, 20.0);
}

TEST_CASE("hostile files: 5,000 unknown references print a capped list") {
  std::string text = head() + R"("hosts": [{"id": "pc", "kind": "pc", "network": "n", "ip": "10.0.0.1"}], "timeline": [)";
  for (int i = 0; i < 5000; ++i) text += std::string(i ? "," : "") + R"({"at": "1s", "do": "host_down", "host": "nope-)" +
                                        std::to_string(i) + "\"}\n";
  text += "]}\n";
  const auto f = write("unknown-refs.json", text);
  const auto o = check(f);
  expect(o, "... and 4950 more problems (only the first 50 are shown)", 128, 4.0);
  CHECK(std::count(o.err.begin(), o.err.end(), '\n') == 51);
}
