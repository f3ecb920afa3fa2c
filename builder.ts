// Copyright 2026 the handoff authors. MIT license.
/**
 * {@linkcode SessionBuilder}: creating a session step by step, as in the Go
 * client, typed by the action chosen (start with
 * {@linkcode HandoffClient.newSession}).
 *
 * @module
 */

import type { HandoffClient } from "./client.ts";
import type { SessionOf } from "./session.ts";
import type {
  ActionType,
  CreatedSessionInfo,
  CreateOptions,
  CreateSessionOptions,
  Duration,
  PhotoFormat,
  ScanDocumentMode,
  ScanOutputFormat,
  SignatureFormat,
} from "./types.ts";

/**
 * The output formats an action takes (`never` for scans and before an action is chosen).
 *
 * @example
 * ```ts
 * import type { FormatOf } from "@handoff/client";
 *
 * const photo: FormatOf<"photo"> = "jpg";
 * const signature: FormatOf<"signature"> = "svg";
 * ```
 */
export type FormatOf<A> = A extends "photo" ? PhotoFormat
  : A extends "signature" ? SignatureFormat
  : never;

interface BuilderState {
  action?: ActionType;
  outputFormat?: string;
  intro?: string;
  sessionTtl?: Duration;
  resultTtl?: Duration;
  documentMode?: ScanDocumentMode;
  scanOutputFormat?: ScanOutputFormat;
}

/**
 * A fluent way to create a session, as in the Go client. The type follows
 * the action, so `withOutputFormat` only takes the formats of that action.
 * Each `with…` returns a new builder; a builder can be reused.
 *
 * @typeParam A The action chosen so far.
 *
 * @example
 * ```ts
 * import { HandoffClient } from "@handoff/client";
 * import { startStubServer } from "@handoff/client/testing";
 *
 * await using server = await startStubServer();
 * const client = new HandoffClient({ baseUrl: server.url, apiKey: server.apiKey });
 * await using scan = await client.newSession()
 *   .withAction("scan").withDocumentMode("multi").withScanOutputFormat("images")
 *   .invoke();
 * console.assert(scan.documentMode === "multi");
 * ```
 */
export class SessionBuilder<A extends ActionType | undefined> {
  readonly #client: HandoffClient;
  readonly #state: Readonly<BuilderState>;

  /**
   * Internal: start with {@linkcode HandoffClient.newSession}.
   *
   * @param client The client that will send the request.
   * @param state The choices so far.
   */
  constructor(client: HandoffClient, state: Readonly<BuilderState>) {
    this.#client = client;
    this.#state = state;
  }

  #with<B extends ActionType | undefined>(
    patch: BuilderState,
  ): SessionBuilder<B> {
    return new SessionBuilder<B>(this.#client, { ...this.#state, ...patch });
  }

  /**
   * Choose the action (required).
   *
   * @param action `"photo"`, `"signature"` or `"scan"`.
   * @returns A builder for that action.
   */
  withAction<B extends ActionType>(action: B): SessionBuilder<B> {
    return this.#with<B>({ action });
  }

  /**
   * Choose the output format of a photo or signature session (required for them).
   *
   * @param format Photo: `jpg`, `png`, `pdf`; signature: `svg`, `png`, `pdf`.
   * @returns A new builder.
   */
  withOutputFormat(format: FormatOf<A>): SessionBuilder<A> {
    return this.#with<A>({ outputFormat: format });
  }

  /**
   * Text shown to the person before the action.
   *
   * @param text Plain text.
   * @returns A new builder.
   */
  withIntro(text: string): SessionBuilder<A> {
    return this.#with<A>({ intro: text });
  }

  /**
   * How long the session lives.
   *
   * @param ttl A Go duration (`"10m"`) or milliseconds.
   * @returns A new builder.
   */
  withSessionTtl(ttl: Duration): SessionBuilder<A> {
    return this.#with<A>({ sessionTtl: ttl });
  }

  /**
   * How long result files stay downloadable after completion.
   *
   * @param ttl A Go duration (`"5m"`) or milliseconds.
   * @returns A new builder.
   */
  withResultTtl(ttl: Duration): SessionBuilder<A> {
    return this.#with<A>({ resultTtl: ttl });
  }

  /**
   * One document or several (scan sessions).
   *
   * @param mode `"single"` or `"multi"`.
   * @returns A new builder.
   */
  withDocumentMode(
    mode: A extends "scan" ? ScanDocumentMode : never,
  ): SessionBuilder<A> {
    return this.#with<A>({ documentMode: mode });
  }

  /**
   * PDFs or page images (scan sessions).
   *
   * @param format `"pdf"` or `"images"`.
   * @returns A new builder.
   */
  withScanOutputFormat(
    format: A extends "scan" ? ScanOutputFormat : never,
  ): SessionBuilder<A> {
    return this.#with<A>({ scanOutputFormat: format });
  }

  /**
   * Validate, create the session and start watching it.
   *
   * @param requestOptions `signal`, `timeoutMs`; `watch` (`true` here).
   * @returns The live session, typed by the action.
   * @throws {TypeError|RangeError} A missing action or format, or a bad TTL.
   */
  invoke(
    requestOptions?: CreateOptions & { watch?: true },
  ): Promise<BuiltSession<A>>;
  /**
   * Validate and only create the session: no socket, no timer (see
   * {@linkcode HandoffClient.createSession}).
   *
   * @param requestOptions `{ watch: false }`, `signal`, `timeoutMs`.
   * @returns What the server answered, typed by the action.
   * @throws {TypeError|RangeError} A missing action or format, or a bad TTL.
   */
  invoke(
    requestOptions: CreateOptions & { watch: false },
  ): Promise<CreatedSessionInfo<Exclude<A, undefined>>>;
  invoke(
    requestOptions: CreateOptions = {},
  ): Promise<SessionOf<ActionType> | CreatedSessionInfo> {
    const s = this.#state;
    if (s.action === undefined) {
      return Promise.reject(
        new TypeError("The session has no action: call withAction() first"),
      );
    }
    if (s.action !== "scan" && s.outputFormat === undefined) {
      return Promise.reject(
        new TypeError(
          `A ${s.action} session needs an output format: call withOutputFormat()`,
        ),
      );
    }
    const common = {
      ...(s.intro !== undefined ? { intro: s.intro } : {}),
      ...(s.sessionTtl !== undefined ? { sessionTtl: s.sessionTtl } : {}),
      ...(s.resultTtl !== undefined ? { resultTtl: s.resultTtl } : {}),
    };
    const options = s.action === "scan"
      ? {
        action: s.action,
        ...common,
        ...(s.documentMode !== undefined
          ? { documentMode: s.documentMode }
          : {}),
        ...(s.scanOutputFormat !== undefined
          ? { scanOutputFormat: s.scanOutputFormat }
          : {}),
      }
      : { action: s.action, outputFormat: s.outputFormat, ...common };
    return this.#client.createSession(
      options as CreateSessionOptions,
      requestOptions,
    );
  }
}

/**
 * What a builder's `invoke()` gives: the session typed by the chosen action
 * (`never` before one is chosen: `invoke()` rejects then).
 *
 * @typeParam A The builder's action so far.
 *
 * @example
 * ```ts
 * import type { BuiltSession, Session } from "@handoff/client";
 *
 * const same: BuiltSession<"scan"> extends Session<"scan"> ? true : false = true;
 * ```
 */
export type BuiltSession<A extends ActionType | undefined> = [A] extends
  [ActionType] ? SessionOf<A> : never;
