// Copyright 2026 the handoff authors. MIT license.
// The simulated phone: real requests through the stub's own handler.

import { encodeBase64 } from "../_base64.ts";
import { sampleJpeg, samplePng, sampleSignatureSvg } from "./samples.ts";
import {
  type StubPageUpload,
  type StubPhone,
  StubPhoneError,
  type StubSessionSnapshot,
  type StubUpload,
} from "./types.ts";

/** What the phone needs from the server. */
export interface PhoneHost {
  /** The server's URL (requests are built against it, never sent over the network). */
  url(): string;
  /** Run a request through the handler, without faults or counting. */
  handle(req: Request): Promise<Response>;
  /** The session as the server holds it now. */
  session(id: string): StubSessionSnapshot | undefined;
}

function path(id: string, rest = ""): string {
  return `/s/${encodeURIComponent(id)}${rest}`;
}

/**
 * The file name the real pages give an item of this type: `photo.png` or
 * `photo.jpg` on the photo page, `signature.svg` or `signature.png` on the
 * signature page.
 */
export function pageFilename(
  actionType: string | undefined,
  contentType: string,
): string {
  if (actionType === "signature") {
    return contentType === "image/svg+xml" ? "signature.svg" : "signature.png";
  }
  return contentType === "image/png" ? "photo.png" : "photo.jpg";
}

/** The {@linkcode StubPhone} of a server. */
export function createPhone(host: PhoneHost): StubPhone {
  const send = async (
    pathname: string,
    init: RequestInit = {},
  ): Promise<string> => {
    const res = await host.handle(new Request(host.url() + pathname, init));
    const text = await res.text();
    if (res.status < 200 || res.status > 299) {
      throw new StubPhoneError(res.status, text);
    }
    return text;
  };

  const phone: StubPhone = {
    async open(id: string): Promise<void> {
      await send(path(id));
    },

    async start(id: string): Promise<void> {
      await send(path(id, "/action"));
    },

    async submit(
      id: string,
      items: readonly StubUpload[],
    ): Promise<
      { downloadId: string; contentType: string; filename: string }[]
    > {
      const actionType = host.session(id)?.actionType;
      const body = JSON.stringify({
        items: items.map((item) => ({
          content_type: item.contentType,
          filename: item.filename ?? pageFilename(actionType, item.contentType),
          data: typeof item.data === "string"
            ? item.data
            : encodeBase64(item.data),
        })),
      });
      const text = await send(path(id, "/result"), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      const parsed = JSON.parse(text) as {
        items: {
          download_id: string;
          content_type: string;
          filename: string;
        }[];
      };
      return parsed.items.map((item) => ({
        downloadId: item.download_id,
        contentType: item.content_type,
        filename: item.filename,
      }));
    },

    async uploadPage(
      id: string,
      page: StubPageUpload,
    ): Promise<{ documentIndex: number; pageIndex: number }> {
      const form = new FormData();
      form.append(
        "file",
        new Blob([page.data as Uint8Array<ArrayBuffer>], {
          type: page.contentType ?? "image/jpeg",
        }),
        page.filename ?? "scan.jpg",
      );
      if (page.documentIndex !== undefined) {
        form.append("document_index", String(page.documentIndex));
      }
      if (page.pageIndex !== undefined) {
        form.append("page_index", String(page.pageIndex));
      }
      const text = await send(path(id, "/scan/upload"), {
        method: "POST",
        body: form,
      });
      const parsed = JSON.parse(text) as {
        document_index: number;
        page_index: number;
      };
      return {
        documentIndex: parsed.document_index,
        pageIndex: parsed.page_index,
      };
    },

    async finalize(id: string): Promise<void> {
      await send(path(id, "/scan/finalize"), { method: "POST" });
    },

    async complete(id: string): Promise<void> {
      await phone.open(id);
      const session = host.session(id);
      if (session?.status === "opened") await phone.start(id);
      // What the real pages send: a camera JPEG whatever the photo's
      // output format, SVG markup or a PNG of the canvas for a signature,
      // one page re-encoded as JPEG for a scan.
      switch (session?.actionType) {
        case "scan":
          await phone.uploadPage(id, {
            data: sampleJpeg(),
            documentIndex: 0,
            pageIndex: 0,
          });
          await phone.finalize(id);
          return;
        case "signature":
          await phone.submit(
            id,
            session.outputFormat === "svg"
              ? [{
                contentType: "image/svg+xml",
                filename: "signature.svg",
                data: sampleSignatureSvg(),
              }]
              : [{
                contentType: "image/png",
                filename: "signature.png",
                data: samplePng(),
              }],
          );
          return;
        default:
          await phone.submit(id, [
            {
              contentType: "image/jpeg",
              filename: "photo.jpg",
              data: sampleJpeg(),
            },
          ]);
      }
    },
  };
  return phone;
}
