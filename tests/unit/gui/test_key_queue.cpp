// Key presses shorter than a frame are kept: two taps between frames both come out, in order.
#include <catch2/catch.hpp>

#include "gui/model/key_queue.hpp"

using mailsim::gui::KeyPress;
using mailsim::gui::KeyQueue;

TEST_CASE("key queue: presses between two frames all reach the next frame, in order", "[gui][keys]") {
  KeyQueue q;
  q.push({266, false, false});  // a clicker's "page up": press (the release is not queued)
  q.push({267, false, false});
  q.push({267, false, true});
  const auto got = q.take();
  REQUIRE(got.size() == 3);
  CHECK(got[0].key == 266);
  CHECK(got[1] == KeyPress{267, false, false});
  CHECK(got[2].repeat);
  CHECK(q.size() == 0);
  CHECK(q.take().empty());
}

TEST_CASE("key queue: bounded; the oldest presses give way", "[gui][keys]") {
  KeyQueue q;
  for (int k = 0; k < static_cast<int>(KeyQueue::kMax) + 10; ++k) q.push({k});
  CHECK(q.size() == KeyQueue::kMax);
  const auto got = q.take();
  CHECK(got.front().key == 10);
  CHECK(got.back().key == static_cast<int>(KeyQueue::kMax) + 9);
  q.push({1});
  q.clear();
  CHECK(q.size() == 0);
}
