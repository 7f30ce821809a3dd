// PDF through cairo and pango: A4 landscape, DejaVu Sans (fonts-dejavu-core) so that
// Vietnamese diacritics are shaped by HarfBuzz, tables with wrapped cells, rows that do not fit
// start a new page, which repeats the section's header row.
#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cli/forms/form_writers.h"

namespace rating::cli::forms {
namespace {

constexpr double kPageWidth = 841.89;  // A4 landscape, points.
constexpr double kPageHeight = 595.28;
constexpr double kMargin = 36;
constexpr double kPad = 3;
constexpr char kFont[] = "DejaVu Sans";

cairo_status_t AppendBytes(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

class PdfPage {
 public:
  explicit PdfPage(std::string* out)
      : surface_(cairo_pdf_surface_create_for_stream(AppendBytes, out, kPageWidth, kPageHeight),
                 cairo_surface_destroy),
        cr_(cairo_create(surface_.get()), cairo_destroy),
        layout_(pango_cairo_create_layout(cr_.get()), g_object_unref) {
    cairo_set_line_width(cr_.get(), 0.5);
  }

  // Lays out `text` in `width` points (wrapped at words) and returns its height.
  double Measure(const std::string& text, double width, double size, bool bold) {
    Setup(text, width, size, bold);
    int w = 0;
    int h = 0;
    pango_layout_get_size(layout_.get(), &w, &h);
    return static_cast<double>(h) / PANGO_SCALE;
  }

  // The width of `text` on one line.
  double Width(const std::string& text, double size, bool bold) {
    Setup(text, -1, size, bold);
    int w = 0;
    int h = 0;
    pango_layout_get_size(layout_.get(), &w, &h);
    return static_cast<double>(w) / PANGO_SCALE;
  }

  void Draw(const std::string& text, double x, double y, double width, double size, bool bold,
            PangoAlignment align = PANGO_ALIGN_LEFT) {
    Setup(text, width, size, bold);
    pango_layout_set_alignment(layout_.get(), align);
    cairo_move_to(cr_.get(), x, y);
    pango_cairo_show_layout(cr_.get(), layout_.get());
    pango_layout_set_alignment(layout_.get(), PANGO_ALIGN_LEFT);
  }

  void Rect(double x, double y, double w, double h, bool fill) {
    cairo_rectangle(cr_.get(), x, y, w, h);
    if (fill) {
      cairo_set_source_rgb(cr_.get(), 0.91, 0.91, 0.91);
      cairo_fill_preserve(cr_.get());
      cairo_set_source_rgb(cr_.get(), 0, 0, 0);
    }
    cairo_stroke(cr_.get());
  }

  void NewPage() { cairo_show_page(cr_.get()); }

  absl::Status Finish() {
    cairo_show_page(cr_.get());
    layout_.reset();
    cr_.reset();
    cairo_surface_finish(surface_.get());
    const cairo_status_t status = cairo_surface_status(surface_.get());
    if (status != CAIRO_STATUS_SUCCESS) {
      return absl::InternalError(absl::StrCat("pdf: ", cairo_status_to_string(status)));
    }
    return absl::OkStatus();
  }

 private:
  void Setup(const std::string& text, double width, double size, bool bold) {
    std::unique_ptr<PangoFontDescription, void (*)(PangoFontDescription*)> font(
        pango_font_description_new(), pango_font_description_free);
    pango_font_description_set_family(font.get(), kFont);
    pango_font_description_set_absolute_size(font.get(), size * PANGO_SCALE);
    pango_font_description_set_weight(font.get(), bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(layout_.get(), font.get());
    pango_layout_set_width(layout_.get(), width < 0 ? -1 : static_cast<int>(width * PANGO_SCALE));
    pango_layout_set_wrap(layout_.get(), PANGO_WRAP_WORD_CHAR);
    pango_layout_set_text(layout_.get(), text.data(), static_cast<int>(text.size()));
  }

  std::unique_ptr<cairo_surface_t, void (*)(cairo_surface_t*)> surface_;
  std::unique_ptr<cairo_t, void (*)(cairo_t*)> cr_;
  std::unique_ptr<PangoLayout, void (*)(gpointer)> layout_;
};

class PdfWriter {
 public:
  explicit PdfWriter(std::string* out) : page_(out) {}

  absl::Status Write(const Form& form) {
    Line(form.code, 9, false);
    y_ += 4;
    const double h = page_.Measure(form.title, kContent, 13, true);
    Ensure(h);
    page_.Draw(form.title, kMargin, y_, kContent, 13, true, PANGO_ALIGN_CENTER);
    y_ += h + 6;
    for (const std::string& l : form.preamble) Line(l, 10, false);
    for (const Section& s : form.sections) Table(s);
    if (!form.closing.empty()) y_ += 8;
    for (const std::string& l : form.closing) Line(l, 10, false);
    return page_.Finish();
  }

 private:
  static constexpr double kContent = kPageWidth - 2 * kMargin;
  static constexpr double kCellSize = 8;
  static constexpr double kHeaderSize = 7;

  static double Size(bool header) { return header ? kHeaderSize : kCellSize; }

  // Starts a new page unless `height` fits under y_.
  bool Ensure(double height) {
    if (y_ + height <= kPageHeight - kMargin || y_ == kMargin) return false;
    page_.NewPage();
    y_ = kMargin;
    return true;
  }

  void Line(const std::string& text, double size, bool bold) {
    const double h = page_.Measure(text, kContent, size, bold);
    Ensure(h);
    page_.Draw(text, kMargin, y_, kContent, size, bold);
    y_ += h + 2;
  }

  // Draws one row of cells; returns its height.
  void Row(const std::vector<std::string>& texts, const std::vector<double>& widths, bool header) {
    double height = 0;
    for (size_t i = 0; i < texts.size(); ++i) {
      height =
          std::max(height, page_.Measure(texts[i], widths[i] - 2 * kPad, Size(header), header));
    }
    height += 2 * kPad;
    if (Ensure(height) && !header) Row(header_, widths, true);
    double x = kMargin;
    for (size_t i = 0; i < texts.size(); ++i) {
      page_.Rect(x, y_, widths[i], height, header);
      page_.Draw(texts[i], x + kPad, y_ + kPad, widths[i] - 2 * kPad, Size(header), header,
                 header ? PANGO_ALIGN_CENTER : PANGO_ALIGN_LEFT);
      x += widths[i];
    }
    y_ += height;
  }

  // The columns' widths: proportional to Column::width, but wide enough for the longest word
  // of each column (no word is broken) when the page allows it, taking the room from the
  // columns that have some to spare.
  std::vector<double> Widths(const Section& s) {
    const size_t n = s.columns.size();
    double total = 0;
    for (const Column& c : s.columns) total += c.width;
    std::vector<double> widths(n);
    std::vector<double> least(n, 0);
    for (size_t i = 0; i < n; ++i) {
      widths[i] = kContent * s.columns[i].width / (total > 0 ? total : 1);
      auto longest_word = [&](const std::string& text, bool header) {
        for (absl::string_view word : absl::StrSplit(text, ' ', absl::SkipEmpty())) {
          least[i] = std::max(least[i],
                              page_.Width(std::string(word), Size(header), header) + 2 * kPad + 1);
        }
      };
      longest_word(s.columns[i].header, true);
      for (const auto& row : s.rows) {
        if (i < row.size()) longest_word(row[i].text, false);
      }
    }
    double need = 0;
    double spare = 0;
    for (size_t i = 0; i < n; ++i) {
      need += std::max(0.0, least[i] - widths[i]);
      spare += std::max(0.0, widths[i] - least[i]);
    }
    if (need == 0 || need > spare) return widths;  // Fits already, or cannot fit: proportional.
    for (size_t i = 0; i < n; ++i) {
      if (widths[i] < least[i]) {
        widths[i] = least[i];
      } else {
        widths[i] -= (widths[i] - least[i]) * need / spare;
      }
    }
    return widths;
  }

  void Table(const Section& s) {
    y_ += 8;
    for (const std::string& l : s.heading) Line(l, 10, true);
    header_.clear();
    for (const Column& c : s.columns) header_.push_back(c.header);
    const std::vector<double> widths = Widths(s);
    Row(header_, widths, true);
    for (const auto& cells : s.rows) {
      std::vector<std::string> texts;
      for (const Cell& cell : cells) texts.push_back(cell.text);
      Row(texts, widths, false);
    }
  }

  PdfPage page_;
  double y_ = kMargin;
  std::vector<std::string> header_;
};

}  // namespace

absl::StatusOr<std::string> WritePdf(const Form& form) {
  std::string out;
  {
    PdfWriter writer(&out);
    absl::Status status = writer.Write(form);
    if (!status.ok()) return status;
  }
  return out;
}

}  // namespace rating::cli::forms
