// A copy-on-write vector: copies share their items; mutate(i) copies one item only when it is shared.
#pragma once
#include <cassert>
#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <utility>
#include <vector>

namespace mailsim::gui {

// Items are held by shared_ptr, so copying a SharedVector copies pointers, not items, and
// every copy reads the same items until one of them changes an item: mutate(i) gives that
// copy its own item first when another vector still holds it (use_count() > 1). Reading
// yields `const T&` (indexing, range-for, iterators), so code written for a
// `const std::vector<T>&` keeps working. Not for use by several threads at once.
template <typename T>
class SharedVector {
  using Items = std::vector<std::shared_ptr<T>>;

 public:
  using value_type = T;
  using size_type = std::size_t;

  class const_iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = const T*;
    using reference = const T&;

    const_iterator() = default;
    reference operator*() const { return **it_; }
    pointer operator->() const { return it_->get(); }
    reference operator[](difference_type n) const { return *it_[n]; }
    const_iterator& operator++() { ++it_; return *this; }
    const_iterator operator++(int) { auto old = *this; ++it_; return old; }
    const_iterator& operator--() { --it_; return *this; }
    const_iterator operator--(int) { auto old = *this; --it_; return old; }
    const_iterator& operator+=(difference_type n) { it_ += n; return *this; }
    const_iterator& operator-=(difference_type n) { it_ -= n; return *this; }
    friend const_iterator operator+(const_iterator a, difference_type n) { return a += n; }
    friend const_iterator operator+(difference_type n, const_iterator a) { return a += n; }
    friend const_iterator operator-(const_iterator a, difference_type n) { return a -= n; }
    friend difference_type operator-(const const_iterator& a, const const_iterator& b) { return a.it_ - b.it_; }
    friend bool operator==(const const_iterator& a, const const_iterator& b) { return a.it_ == b.it_; }
    friend auto operator<=>(const const_iterator& a, const const_iterator& b) { return a.it_ <=> b.it_; }

   private:
    friend class SharedVector;
    explicit const_iterator(typename Items::const_iterator it) : it_(it) {}
    typename Items::const_iterator it_{};
  };
  using iterator = const_iterator;  // items change only through mutate()

  SharedVector() = default;
  SharedVector(std::initializer_list<T> init) {
    for (const auto& v : init) push_back(v);
  }

  std::size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  const T& operator[](std::size_t i) const { return *items_[i]; }
  const T& front() const { return *items_.front(); }
  const T& back() const { return *items_.back(); }
  const_iterator begin() const { return const_iterator(items_.begin()); }
  const_iterator end() const { return const_iterator(items_.end()); }
  void reserve(std::size_t n) { items_.reserve(n); }

  // Item i for changing: copied first when another SharedVector still holds it.
  T& mutate(std::size_t i) {
    assert(i < items_.size());
    auto& p = items_[i];
    if (p.use_count() > 1) p = std::make_shared<T>(std::as_const(*p));
    return *p;
  }
  T& mutate(const_iterator it) { return mutate(static_cast<std::size_t>(it - begin())); }
  T& push_back(T value) {
    items_.push_back(std::make_shared<T>(std::move(value)));
    return *items_.back();
  }
  void erase(const_iterator it) { items_.erase(items_.begin() + (it - begin())); }
  void clear() { items_.clear(); }

  // True when item i is the very object `other` holds at i (shared, not a copy): for tests.
  bool shares(const SharedVector& other, std::size_t i) const {
    return i < items_.size() && i < other.items_.size() && items_[i] == other.items_[i];
  }

  // Equal items in the same order (shared items compare equal without being read).
  friend bool operator==(const SharedVector& a, const SharedVector& b) {
    if (a.items_.size() != b.items_.size()) return false;
    for (std::size_t i = 0; i < a.items_.size(); ++i) {
      if (a.items_[i] != b.items_[i] && !(*a.items_[i] == *b.items_[i])) return false;
    }
    return true;
  }

 private:
  Items items_;
};

}  // namespace mailsim::gui
