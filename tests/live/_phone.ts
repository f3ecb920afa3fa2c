// Copyright 2026 the handoff authors. MIT license.
// The person's phone, over plain HTTP straight to the server (never through
// the relay): the requests the real phone pages make, with the bodies they
// send (docs/PROTOCOL.md, "What the real phone pages submit").

import { signatureSvg, tinyJpeg, tinyPng } from "./_images.ts";

/** A file as the result page posts it (before base64). */
export interface PhoneItem {
  contentType: string;
  filename: string;
  data: Uint8Array<ArrayBuffer>;
}

/** A phone answer: status and body text. */
export interface PhoneReply {
  status: number;
  text: string;
}

function base64(data: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < data.length; i += 0x8000) {
    binary += String.fromCharCode(...data.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** A phone that talks to the server whose root URL is `serverUrl`. */
export class Phone {
  readonly #root: string;

  constructor(serverUrl: string) {
    this.#root = serverUrl.replace(/\/+$/, "");
  }

  /** The session's page (`/s/:id`) on the server the phone talks to. */
  page(id: string): string {
    return `${this.#root}/s/${id}`;
  }

  async #call(
    path: string,
    init: RequestInit = {},
    expect?: number,
  ): Promise<PhoneReply> {
    const response = await fetch(this.#root + path, {
      ...init,
      redirect: "manual",
    });
    const reply = { status: response.status, text: await response.text() };
    if (expect !== undefined && reply.status !== expect) {
      throw new Error(
        `phone: ${
          init.method ?? "GET"
        } ${path} answered ${reply.status}, expected ${expect}: ${
          reply.text.slice(0, 200)
        }`,
      );
    }
    return reply;
  }

  /** Scan the QR code: open `/s/:id` (opened; action_started without intro). */
  open(id: string, expect = 200): Promise<PhoneReply> {
    return this.#call(`/s/${id}`, {}, expect);
  }

  /** Follow the intro page's link to `/s/:id/action` (action_started). */
  start(id: string, expect = 200): Promise<PhoneReply> {
    return this.#call(`/s/${id}/action`, {}, expect);
  }

  /** Submit the photo or signature page's result. */
  submit(
    id: string,
    items: readonly PhoneItem[],
    expect = 200,
  ): Promise<PhoneReply> {
    const body = JSON.stringify({
      items: items.map((item) => ({
        content_type: item.contentType,
        filename: item.filename,
        data: base64(item.data),
      })),
    });
    return this.#call(`/s/${id}/result`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body,
    }, expect);
  }

  /** Upload one scan page as the scan page does: `scan.jpg`, image/jpeg. */
  uploadPage(
    id: string,
    page: { documentIndex: number; pageIndex: number; data: Uint8Array },
    expect = 200,
  ): Promise<PhoneReply> {
    const form = new FormData();
    form.append(
      "file",
      new Blob([page.data as Uint8Array<ArrayBuffer>], { type: "image/jpeg" }),
      "scan.jpg",
    );
    form.append("document_index", String(page.documentIndex));
    form.append("page_index", String(page.pageIndex));
    return this.#call(
      `/s/${id}/scan/upload`,
      { method: "POST", body: form },
      expect,
    );
  }

  /** Finish the scan (one request, after every upload). */
  finalize(id: string, expect = 200): Promise<PhoneReply> {
    return this.#call(`/s/${id}/scan/finalize`, { method: "POST" }, expect);
  }

  /**
   * The whole photo page: open (and the action page after an intro), then
   * the picked file's bytes unchanged: `photo.png` for a PNG, else
   * `photo.jpg`.
   */
  async takePhoto(
    id: string,
    photo: { data: Uint8Array<ArrayBuffer>; contentType: string },
    options: { intro?: boolean } = {},
  ): Promise<PhoneItem> {
    await this.open(id);
    if (options.intro === true) await this.start(id);
    const item = {
      contentType: photo.contentType,
      filename: photo.contentType === "image/png" ? "photo.png" : "photo.jpg",
      data: photo.data,
    };
    await this.submit(id, [item]);
    return item;
  }

  /**
   * The whole signature page: SVG markup for `svg`, a PNG of the canvas
   * for every other output format.
   */
  async sign(
    id: string,
    outputFormat: "svg" | "png" | "pdf",
    seed: number,
  ): Promise<PhoneItem> {
    await this.open(id);
    const item = outputFormat === "svg"
      ? {
        contentType: "image/svg+xml",
        filename: "signature.svg",
        data: signatureSvg(seed),
      }
      : {
        contentType: "image/png",
        filename: "signature.png",
        data: tinyPng(seed, 48, 24),
      };
    await this.submit(id, [item]);
    return item;
  }

  /**
   * The whole scan page: open, then each document's pages as JPEGs, one
   * upload after another with `page_index` renumbered from 0 in each
   * document, then one finalize. Returns the bytes sent, per document.
   */
  async scan(
    id: string,
    documents: readonly (readonly Uint8Array<ArrayBuffer>[])[],
  ): Promise<Uint8Array<ArrayBuffer>[][]> {
    await this.open(id);
    for (const [documentIndex, pages] of documents.entries()) {
      for (const [pageIndex, data] of pages.entries()) {
        await this.uploadPage(id, { documentIndex, pageIndex, data });
      }
    }
    await this.finalize(id);
    return documents.map((pages) => [...pages]);
  }
}

/**
 * A filmstrip the person edited: `taken` pages, one deleted and the first
 * two swapped, as the scan page would upload them (renumbered from 0).
 */
export function editedFilmstrip(
  seed: number,
  taken: number,
): Uint8Array<ArrayBuffer>[] {
  const pages = Array.from(
    { length: taken },
    (_, i) => tinyJpeg(seed * 100 + i, 16 + 8 * i, 24),
  );
  if (pages.length > 2) pages.splice(pages.length - 1, 1); // deleted
  if (pages.length >= 2) [pages[0], pages[1]] = [pages[1]!, pages[0]!];
  return pages;
}
