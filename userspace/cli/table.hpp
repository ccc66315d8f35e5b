// A text table whose columns are as wide as their widest cell.
#pragma once

#include <string>
#include <vector>

namespace xdplb::cli {

enum class Align { left, right };

struct Column {
    std::string header;
    Align align = Align::left;
};

class Table {
public:
    explicit Table(std::vector<Column> columns);

    // One cell per column, else std::invalid_argument.
    void add_row(std::vector<std::string> cells);

    // Header line then rows, each ending in a newline, without trailing blanks.
    std::string str() const;

private:
    std::string format_line(const std::vector<std::string>& cells,
                            const std::vector<std::size_t>& widths) const;

    std::vector<Column> columns_;
    std::vector<std::vector<std::string>> rows_;
};

}  // namespace xdplb::cli
