// A Catch2 reporter for comparing two builds of one test binary (the wasm build against the
// native one, web/same_results.cmake): `-r case-counts` prints, for every test case run, its
// number of assertions and whether it passed, then a total line. Two builds that run the same
// code the same way print the same lines; where they differ, the first differing line names
// the test case, which "N assertions in M test cases" alone cannot do.
#define CATCH_CONFIG_EXTERNAL_INTERFACES
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

namespace {

struct CaseCountsReporter : Catch::StreamingReporterBase<CaseCountsReporter> {
  using StreamingReporterBase::StreamingReporterBase;

  static std::string getDescription() {
    return "One line per test case: its assertion count, pass or fail, and its name";
  }

  void assertionStarting(Catch::AssertionInfo const&) override {}
  bool assertionEnded(Catch::AssertionStats const& stats) override {
    // A failing assertion is printed where it happened, so a failure can be read here too.
    if (!stats.assertionResult.isOk()) {
      const auto& r = stats.assertionResult;
      stream << "  failed at " << r.getSourceInfo() << ": " << r.getExpressionInMacro();
      if (r.hasExpandedExpression()) stream << " with " << r.getExpandedExpression();
      if (r.hasMessage()) stream << " (" << r.getMessage() << ")";
      stream << '\n';
    }
    return true;
  }

  void testCaseEnded(Catch::TestCaseStats const& stats) override {
    const auto& a = stats.totals.assertions;
    stream << (a.allOk() ? "ok  " : "FAIL") << ' ' << a.total() << '\t' << stats.testInfo.name << '\n';
    StreamingReporterBase::testCaseEnded(stats);
  }

  void testRunEnded(Catch::TestRunStats const& stats) override {
    const auto& t = stats.totals;
    stream << "total: " << t.assertions.total() << " assertions (" << t.assertions.failed
           << " failed) in " << t.testCases.total() << " test cases (" << t.testCases.failed
           << " failed)\n";
    StreamingReporterBase::testRunEnded(stats);
  }
};

}  // namespace

CATCH_REGISTER_REPORTER("case-counts", CaseCountsReporter)
