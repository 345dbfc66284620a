//! Draws a chart cell as a small bar chart of the rows it reads, optionally with its title, and
//! encodes it as a real PNG.

use super::font;

/// The size of an image when the request gives no (or only one) dimension; Hex does not state its
/// default (see docs/GUESSES.md).
pub(crate) const DEFAULT_SIZE: (u32, u32) = (800, 450);

/// The most bars drawn: the first rows of the result, as a chart of a preview would.
pub(crate) const MAX_BARS: usize = 24;

type Rgb = [u8; 3];

const BACKGROUND: Rgb = [255, 255, 255];
const GRID: Rgb = [230, 231, 236];
const AXIS: Rgb = [120, 122, 132];
const BAR: Rgb = [76, 110, 245];
const INK: Rgb = [33, 35, 44];

/// An RGB canvas.
struct Canvas {
    width: u32,
    height: u32,
    pixels: Vec<u8>,
}

impl Canvas {
    fn new(width: u32, height: u32) -> Canvas {
        let size = width as usize * height as usize;
        let pixels = BACKGROUND.iter().copied().cycle().take(size * 3).collect();
        Canvas {
            width,
            height,
            pixels,
        }
    }

    /// Fills `[x0, x1) × [y0, y1)`, clipped to the canvas.
    fn fill(&mut self, (x0, y0): (u32, u32), (x1, y1): (u32, u32), colour: Rgb) {
        let (x1, y1) = (x1.min(self.width), y1.min(self.height));
        for y in y0..y1 {
            let row = y as usize * self.width as usize;
            for x in x0..x1 {
                let at = (row + x as usize) * 3;
                if let Some(pixel) = self.pixels.get_mut(at..at + 3) {
                    pixel.copy_from_slice(&colour);
                }
            }
        }
    }

    /// Draws `text` from `(x, y)` with each font pixel `scale` pixels wide; stops at the edge.
    fn text(&mut self, text: &str, (x, y): (u32, u32), scale: u32) {
        let advance = (font::WIDTH + 1) * scale;
        for (i, c) in text.chars().enumerate() {
            let left = x + u32::try_from(i).unwrap_or(u32::MAX).saturating_mul(advance);
            if left.saturating_add(advance) > self.width {
                break;
            }
            for (row, bits) in font::glyph(c).iter().enumerate() {
                for column in 0..font::WIDTH {
                    if bits & (1 << (font::WIDTH - 1 - column)) != 0 {
                        let px = left + column * scale;
                        let py = y + u32::try_from(row).unwrap_or(0) * scale;
                        self.fill((px, py), (px + scale, py + scale), INK);
                    }
                }
            }
        }
    }

    fn png(&self) -> Result<Vec<u8>, png::EncodingError> {
        let mut bytes = Vec::new();
        let mut encoder = png::Encoder::new(&mut bytes, self.width, self.height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&self.pixels)?;
        writer.finish()?;
        Ok(bytes)
    }
}

/// A bar per value (negative values draw as empty bars), scaled to the largest, under an optional
/// title band; PNG bytes of `width × height`.
pub(crate) fn bar_chart(
    values: &[f64],
    title: Option<&str>,
    (width, height): (u32, u32),
) -> Result<Vec<u8>, png::EncodingError> {
    let mut canvas = Canvas::new(width, height);
    let band = match title {
        Some(title) => {
            let band = (height / 8).max(12);
            let scale = (band * 6 / 10 / font::HEIGHT).max(1);
            let top = band.saturating_sub(font::HEIGHT * scale) / 2;
            canvas.text(title, (width / 12, top), scale);
            band
        }
        None => height / 20,
    };
    let (left, right) = (width / 12, width - width / 25);
    let (top, bottom) = (band + height / 25, height - height / 10);
    for quarter in 1..=4 {
        let y = bottom - (bottom - top) * quarter / 4;
        canvas.fill((left, y), (right, y + 1), GRID);
    }
    canvas.fill((left, top), (left + 1, bottom + 1), AXIS);
    canvas.fill((left, bottom), (right, bottom + 1), AXIS);
    let max = values.iter().copied().fold(0.0_f64, f64::max);
    let count = u32::try_from(values.len().min(MAX_BARS))
        .unwrap_or(1)
        .max(1);
    let slot = (right - left) / count;
    for (i, value) in (0..count).zip(values) {
        let share = if max > 0.0 {
            (value / max).clamp(0.0, 1.0)
        } else {
            0.0
        };
        // The share is within 0..=1, so the product stays within the plot's height.
        let bar = ((f64::from(bottom - top)) * share) as u32;
        let x = left + i * slot + slot / 6;
        canvas.fill((x + 1, bottom - bar), (x + 1 + slot * 2 / 3, bottom), BAR);
    }
    canvas.png()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_png_decodes_at_the_requested_size() {
        let bytes = bar_chart(&[3.0, 1.0, 2.0], Some("Revenue by month"), (320, 200)).unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).unwrap();
        assert_eq!((info.width, info.height), (320, 200));
        assert!(pixels.chunks(3).any(|p| p == BAR), "bars are drawn");
        assert!(pixels.chunks(3).any(|p| p == INK), "the title is drawn");
        let plain = bar_chart(&[], None, (100, 100)).unwrap();
        assert_eq!(&plain[..8], b"\x89PNG\r\n\x1a\n");
    }
}
