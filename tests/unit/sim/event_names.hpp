// One check for every typed record kind's event names (mail, mailbox, DNS): each name spelled
// once, read back to its value, and the interned name a writer puts in Record::event the same.
#pragma once
#include <catch2/catch.hpp>

#include <string_view>

#include "sim/core/trace.hpp"

namespace mailsim::test {

// Every value from `first` to `last` (the enum's values after Other, in order) has a name that
// `from_string` reads back to it; `unknown` is no name and reads as Other.
template <typename Event>
void check_event_names(Event first, Event last, bool (*from_string)(std::string_view, Event&),
                       std::string_view unknown) {
  for (auto i = static_cast<int>(first); i <= static_cast<int>(last); ++i) {
    const auto e = static_cast<Event>(i);
    INFO(i);
    REQUIRE_FALSE(to_string(e).empty());
    Event back = Event::Other;
    CHECK(from_string(to_string(e), back));
    CHECK(back == e);
    CHECK(event_name(e) == to_string(e));
  }
  Event e = first;
  CHECK_FALSE(from_string(unknown, e));
  CHECK(e == Event::Other);
}

}  // namespace mailsim::test
