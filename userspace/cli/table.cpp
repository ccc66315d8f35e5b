#include "cli/table.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace xdplb::cli {

namespace {

constexpr std::size_t kColumnGap = 2;

}  // namespace

Table::Table(std::vector<Column> columns) : columns_(std::move(columns)) {}

void Table::add_row(std::vector<std::string> cells) {
    if (cells.size() != columns_.size()) {
        throw std::invalid_argument("a table row needs one cell per column");
    }
    rows_.push_back(std::move(cells));
}

std::string Table::str() const {
    std::vector<std::string> headers;
    std::vector<std::size_t> widths;
    for (const Column& column : columns_) {
        headers.push_back(column.header);
        widths.push_back(column.header.size());
    }
    for (const auto& row : rows_) {
        for (std::size_t i = 0; i < row.size(); ++i) {
            widths[i] = std::max(widths[i], row[i].size());
        }
    }
    std::string text = format_line(headers, widths);
    for (const auto& row : rows_) {
        text += format_line(row, widths);
    }
    return text;
}

std::string Table::format_line(const std::vector<std::string>& cells,
                               const std::vector<std::size_t>& widths) const {
    std::string line;
    for (std::size_t i = 0; i < cells.size(); ++i) {
        const std::string padding(widths[i] - cells[i].size(), ' ');
        if (i > 0) {
            line += std::string(kColumnGap, ' ');
        }
        line += columns_[i].align == Align::right ? padding + cells[i] : cells[i] + padding;
    }
    line.erase(line.find_last_not_of(' ') + 1);
    return line + "\n";
}

}  // namespace xdplb::cli
