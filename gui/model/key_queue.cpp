// A bounded queue of key presses between the window system's callback and the next frame.
#include "gui/model/key_queue.hpp"

#include <utility>

namespace mailsim::gui {

void KeyQueue::push(KeyPress p) {
  if (presses_.size() >= kMax) presses_.pop_front();
  presses_.push_back(p);
}

std::deque<KeyPress> KeyQueue::take() {
  std::deque<KeyPress> out;
  out.swap(presses_);
  return out;
}

}  // namespace mailsim::gui
