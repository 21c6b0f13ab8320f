// Key presses kept in order until the next frame reads them: a presenter's clicker sends a
// press and its release within one frame, which a "key is down" check never sees.
#pragma once
#include <cstddef>
#include <deque>

namespace mailsim::gui {

struct KeyPress {
  int key = 0;          // the window system's key code (GLFW_KEY_...)
  bool ctrl = false;
  bool repeat = false;  // sent by the keyboard's auto-repeat while the key is held
  bool operator==(const KeyPress&) const = default;
};

class KeyQueue {
 public:
  // At most this many presses wait (a stuck key or a stalled frame cannot grow it).
  static constexpr std::size_t kMax = 64;
  // A press (or auto-repeat); releases are not needed. Over kMax the oldest is forgotten.
  void push(KeyPress p);
  // Everything pressed since the last take, oldest first; the queue is then empty.
  std::deque<KeyPress> take();
  // Drops what is waiting (keys typed into a text field belong to it).
  void clear() { presses_.clear(); }
  std::size_t size() const { return presses_.size(); }

 private:
  std::deque<KeyPress> presses_;
};

}  // namespace mailsim::gui
