// Copyright 2026 the handoff authors. MIT license.
// Images to PDF with pdf-lib, as the real server converts results and scans.

import { PDFDocument, type PDFImage, StandardFonts } from "pdf-lib";

function isJpeg(data: Uint8Array): boolean {
  return data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff;
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function isPng(data: Uint8Array): boolean {
  return PNG_MAGIC.every((b, i) => data[i] === b);
}

async function embed(doc: PDFDocument, data: Uint8Array): Promise<PDFImage> {
  if (isJpeg(data)) return await doc.embedJpg(data);
  if (isPng(data)) return await doc.embedPng(data);
  throw new TypeError("not a JPEG or PNG image");
}

/**
 * One PDF with a page per image, each page sized to its image (one point per
 * pixel). The format is told by the bytes, not by a declared content type.
 *
 * @throws when an image is neither JPEG nor PNG or cannot be decoded.
 */
export async function imagesToPdf(
  images: readonly Uint8Array[],
): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  for (const data of images) {
    const image = await embed(doc, data);
    const { width, height } = image;
    if (!(width > 0 && height > 0)) throw new RangeError("empty image");
    doc.addPage([width, height]).drawImage(image, {
      x: 0,
      y: 0,
      width,
      height,
    });
  }
  return await doc.save();
}

const A4_LANDSCAPE: [number, number] = [841.89, 595.28];

/**
 * The real server's fallback for SVG with `output_format` `pdf`: the SVG
 * source as monospaced text on A4 landscape pages.
 */
export async function textToPdf(text: string): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Courier);
  const size = 8;
  const margin = 28.35; // 10 mm
  const lineHeight = 11.34; // 4 mm
  const [pageWidth, pageHeight] = A4_LANDSCAPE;
  const perLine = Math.floor(
    (pageWidth - 2 * margin) / font.widthOfTextAtSize("M", size),
  );
  const perPage = Math.floor((pageHeight - 2 * margin) / lineHeight);
  // Courier covers Latin-1; anything else is drawn as '?'.
  const printable = text.replace(/\r\n?/g, "\n").replace(/\t/g, "    ")
    .replace(/[^\n\x20-\x7e\xa0-\xff]/g, "?");
  const lines: string[] = [];
  for (const line of printable.split("\n")) {
    for (let i = 0; i === 0 || i < line.length; i += perLine) {
      lines.push(line.slice(i, i + perLine));
    }
  }
  for (let first = 0; first === 0 || first < lines.length; first += perPage) {
    const page = doc.addPage(A4_LANDSCAPE);
    lines.slice(first, first + perPage).forEach((line, k) => {
      page.drawText(line, {
        x: margin,
        y: pageHeight - margin - (k + 1) * lineHeight,
        size,
        font,
      });
    });
  }
  return await doc.save();
}
