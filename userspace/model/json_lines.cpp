#include "model/json_lines.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <vector>

namespace xdplb::model {

using nlohmann::json;

namespace {

// Walks a text as nlohmann's parser reads it, one character at a time, and
// keeps the line of the last character that is not white space: at each SAX
// event, the last such character read belongs to the value just parsed (the
// parser reads a number one character too far, but only a delimiter or
// white space can end a number, and a delimiter is on the number's line).
class LineCountingIterator {
public:
    using iterator_category = std::input_iterator_tag;
    using value_type = char;
    using difference_type = std::ptrdiff_t;
    using pointer = const char*;
    using reference = const char&;

    LineCountingIterator(const char* position, std::size_t* token_line, std::size_t* line)
        : position_(position), token_line_(token_line), line_(line) {}

    reference operator*() const { return *position_; }
    LineCountingIterator& operator++() {
        if (*position_ == '\n') {
            ++*line_;
        } else if (!std::isspace(static_cast<unsigned char>(*position_))) {
            *token_line_ = *line_;
        }
        ++position_;
        return *this;
    }
    LineCountingIterator operator++(int) {
        LineCountingIterator before = *this;
        ++*this;
        return before;
    }
    bool operator==(const LineCountingIterator& other) const { return position_ == other.position_; }

private:
    const char* position_;
    std::size_t* token_line_;
    std::size_t* line_;
};

std::string syntax_problem(const std::string& what) {
    // nlohmann says "[json.exception.parse_error.101] parse error at line 3, column 5: syntax error ...";
    // the line is given apart.
    const std::size_t column = what.find("column ");
    const std::size_t colon = column == std::string::npos ? std::string::npos : what.find(": ", column);
    return colon == std::string::npos ? what : what.substr(colon + 2);
}

}  // namespace

// A SAX handler that notes the line of every value under its JSON pointer.
class LineRecorder {
public:
    LineRecorder(JsonLines& lines, const std::size_t& token_line) : lines_(lines), token_line_(token_line) {}

    bool null() { return value(); }
    bool boolean(bool) { return value(); }
    bool number_integer(json::number_integer_t) { return value(); }
    bool number_unsigned(json::number_unsigned_t) { return value(); }
    bool number_float(json::number_float_t, const json::string_t&) { return value(); }
    bool string(json::string_t&) { return value(); }
    bool binary(json::binary_t&) { return value(); }
    bool start_object(std::size_t) { return open(false); }
    bool start_array(std::size_t) { return open(true); }
    bool key(json::string_t& name) {
        containers_.back().key = name;
        return true;
    }
    bool end_object() { return close(); }
    bool end_array() { return close(); }
    bool parse_error(std::size_t, const std::string&, const json::exception& error) {
        throw JsonSyntaxError(syntax_problem(error.what()), token_line_);
    }

private:
    struct Container {
        bool is_array;
        std::size_t next_index = 0;
        std::string key;
    };

    json::json_pointer current() const {
        json::json_pointer pointer;
        for (const Container& container : containers_) {
            pointer = container.is_array ? pointer / container.next_index : pointer / container.key;
        }
        return pointer;
    }

    void note() { lines_.lines_[current().to_string()] = token_line_; }

    void step_past_element() {
        if (!containers_.empty() && containers_.back().is_array) ++containers_.back().next_index;
    }

    bool value() {
        note();
        step_past_element();
        return true;
    }

    bool open(bool is_array) {
        note();
        containers_.push_back({is_array, 0, {}});
        return true;
    }

    bool close() {
        containers_.pop_back();
        step_past_element();
        return true;
    }

    JsonLines& lines_;
    const std::size_t& token_line_;
    std::vector<Container> containers_;
};

JsonLines JsonLines::of(const std::string& text) {
    JsonLines lines;
    std::size_t line = 1;
    std::size_t token_line = 1;
    LineRecorder recorder(lines, token_line);
    const char* begin = text.data();
    json::sax_parse(LineCountingIterator(begin, &token_line, &line),
                    LineCountingIterator(begin + text.size(), &token_line, &line), &recorder);
    return lines;
}

std::size_t JsonLines::line_of(json::json_pointer pointer) const {
    while (true) {
        auto found = lines_.find(pointer.to_string());
        if (found != lines_.end()) return found->second;
        if (pointer.empty()) return 0;
        pointer.pop_back();
    }
}

std::string readable_path(const json::json_pointer& pointer) {
    std::vector<std::string> tokens;
    for (json::json_pointer rest = pointer; !rest.empty(); rest.pop_back()) tokens.push_back(rest.back());
    std::string path;
    for (auto token = tokens.rbegin(); token != tokens.rend(); ++token) {
        bool is_index = !token->empty() && std::all_of(token->begin(), token->end(), [](unsigned char c) {
            return std::isdigit(c);
        });
        path += is_index ? "[" + *token + "]" : (path.empty() ? "" : ".") + *token;
    }
    return path;
}

}  // namespace xdplb::model
