import CPangoCairo

/// A4 pages drawn with cairo, text laid out and shaped by pango (so Devanagari and Romanian diacritics come
/// out right), written as a PDF into memory with the fonts embedded.
final class PDFCanvas {
    static let width = 595.28
    static let height = 841.89
    static let margin = 40.0

    enum Align { case left, right, center }

    private final class Sink {
        var bytes: [UInt8] = []
    }

    private let sink = Sink()
    private let surface: OpaquePointer
    private let cr: OpaquePointer
    private(set) var page = 1
    /// The next free vertical position on the page.
    var y = PDFCanvas.margin
    var bottom: Double { Self.height - Self.margin - 14 }
    /// Drawn at the top of every page after the first (e.g. the number of the document and a table header).
    var onNewPage: ((PDFCanvas) -> Void)?

    init(title: String) {
        let box = Unmanaged.passUnretained(sink).toOpaque()
        surface = cairo_pdf_surface_create_for_stream(
            { closure, data, length in
                guard let closure, let data else { return CAIRO_STATUS_WRITE_ERROR }
                let sink = Unmanaged<Sink>.fromOpaque(closure).takeUnretainedValue()
                sink.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
                return CAIRO_STATUS_SUCCESS
            }, box, Self.width, Self.height)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Hostico Billing")
        cr = cairo_create(surface)
    }

    deinit {
        cairo_destroy(cr)
        cairo_surface_destroy(surface)
    }

    /// Lays out `text` in a box; returns its height. `maxLines` ellipsizes what would not fit (a name of
    /// ten thousand characters must not push the invoice off the page).
    @discardableResult
    func text(
        _ text: String, x: Double, y: Double? = nil, width: Double, font: String = "DejaVu Sans 9",
        align: Align = .left, maxLines: Int = 0, draw: Bool = true
    ) -> Double {
        let layout = pango_cairo_create_layout(cr)!
        defer { g_object_unref(UnsafeMutableRawPointer(layout)) }
        // pango-cairo assumes 96 dpi; PDF user space is 72 units per inch, so sizes are true points.
        pango_cairo_context_set_resolution(pango_layout_get_context(layout), 72)
        pango_layout_context_changed(layout)
        pango_layout_set_width(layout, Int32(width * Double(PANGO_SCALE)))
        pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR)
        switch align {
        case .left: pango_layout_set_alignment(layout, PANGO_ALIGN_LEFT)
        case .right: pango_layout_set_alignment(layout, PANGO_ALIGN_RIGHT)
        case .center: pango_layout_set_alignment(layout, PANGO_ALIGN_CENTER)
        }
        if maxLines > 0 {
            pango_layout_set_height(layout, Int32(-maxLines))
            pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END)
        }
        let desc = pango_font_description_from_string(font)
        defer { pango_font_description_free(desc) }
        pango_layout_set_font_description(layout, desc)
        // Plain text, never markup: client data is shown exactly as typed.
        pango_layout_set_text(layout, Self.printable(text), -1)
        var w: Int32 = 0
        var h: Int32 = 0
        pango_layout_get_pixel_size(layout, &w, &h)
        if draw {
            cairo_move_to(cr, x, y ?? self.y)
            pango_cairo_show_layout(cr, layout)
        }
        return Double(h)
    }

    func rule(from x1: Double, to x2: Double, at y: Double, width: Double = 0.5, gray: Double = 0.6) {
        cairo_set_source_rgb(cr, gray, gray, gray)
        cairo_set_line_width(cr, width)
        cairo_move_to(cr, x1, y)
        cairo_line_to(cr, x2, y)
        cairo_stroke(cr)
        cairo_set_source_rgb(cr, 0, 0, 0)
    }

    func fill(x: Double, y: Double, width: Double, height: Double, gray: Double) {
        cairo_set_source_rgb(cr, gray, gray, gray)
        cairo_rectangle(cr, x, y, width, height)
        cairo_fill(cr)
        cairo_set_source_rgb(cr, 0, 0, 0)
    }

    /// Starts a new page when `height` more points would not fit.
    func ensure(_ height: Double) {
        if y + height > bottom { newPage() }
    }

    func newPage() {
        footer()
        cairo_show_page(cr)
        page += 1
        y = Self.margin
        onNewPage?(self)
    }

    private func footer() {
        text(
            "\(page)", x: Self.margin, y: Self.height - Self.margin, width: Self.width - 2 * Self.margin,
            font: "DejaVu Sans 7", align: .right)
    }

    func finish() -> [UInt8] {
        footer()
        cairo_show_page(cr)
        cairo_surface_finish(surface)
        return sink.bytes
    }

    /// Client text without what would break the page or mislead the reader: control characters and the
    /// bidirectional overrides that can make text read differently from what is stored.
    static func printable(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in s.unicodeScalars {
            let v = scalar.value
            if v < 0x20 && scalar != "\n" {
                out.append(" ")
                continue
            }
            if v == 0x7F || (0x80...0x9F).contains(v) || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
                || v == 0xFFFE || v == 0xFFFF
            {
                continue
            }
            out.append(scalar)
        }
        return String(out)
    }
}
