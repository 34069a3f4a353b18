// The standard google.rpc error details of a failed call, carried in the
// `grpc-status-details-bin` trailer as an encoded google.rpc.Status: BadRequest (the field,
// its limit and the exact value), ErrorInfo (a reason such as NOT_LEADER, the domain
// stockraft.v1, the leader's id and address) and RetryInfo (how long to wait). A client in
// any language decodes them with the stock google/rpc protos instead of parsing the text.
// The protos come from the google-proto-files package (Apache-2.0, headers kept there).

import protobuf from 'protobufjs';
import { createRequire } from 'node:module';
import path from 'node:path';

export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';
export const ERROR_DOMAIN = 'stockraft.v1';
const TYPE_PREFIX = 'type.googleapis.com/';
/** A trailer larger than this is not decoded (a well-formed one is well under 1 KiB). */
export const STATUS_DETAILS_BYTES_MAX = 64 * 1024;

export interface FieldViolation {
  readonly field: string;
  readonly description: string;
}

export interface StatusDetails {
  readonly code: number;
  readonly message: string;
  readonly field_violations: readonly FieldViolation[];
  /** ErrorInfo; null when the status carries none. */
  readonly reason: string | null;
  readonly domain: string | null;
  readonly metadata: Readonly<Record<string, string>>;
  /** RetryInfo's delay; null when the status carries none. */
  readonly retry_delay_ms: number | null;
}

/** The google/rpc types, loaded once per codec object (no module-level state). */
export class StatusDetailsCodec {
  private readonly root: protobuf.Root;

  constructor() {
    const dir = path.dirname(createRequire(import.meta.url).resolve('google-proto-files/package.json'));
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) => path.join(dir, target);
    root.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto'], { keepCase: true });
    this.root = root;
  }

  private type(name: string): protobuf.Type {
    return this.root.lookupType(name);
  }

  private any(name: string, value: object): { type_url: string; value: Uint8Array } {
    const t = this.type(name);
    return { type_url: TYPE_PREFIX + name, value: t.encode(t.fromObject(value)).finish() };
  }

  encode(d: StatusDetails): Buffer {
    const details: { type_url: string; value: Uint8Array }[] = [];
    if (d.field_violations.length > 0) details.push(this.any('google.rpc.BadRequest', { field_violations: d.field_violations }));
    if (d.reason !== null) details.push(this.any('google.rpc.ErrorInfo', { reason: d.reason, domain: d.domain ?? ERROR_DOMAIN, metadata: d.metadata }));
    if (d.retry_delay_ms !== null) {
      const ms = Math.max(0, Math.round(d.retry_delay_ms));
      details.push(this.any('google.rpc.RetryInfo', { retry_delay: { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 } }));
    }
    const status = this.type('google.rpc.Status');
    return Buffer.from(status.encode(status.fromObject({ code: d.code, message: d.message, details })).finish());
  }

  /** Null when the trailer is absent, too large or not a google.rpc.Status. */
  decode(bytes: Uint8Array): StatusDetails | null {
    if (bytes.length > STATUS_DETAILS_BYTES_MAX) return null;
    try {
      const s = this.type('google.rpc.Status').toObject(this.type('google.rpc.Status').decode(bytes), { longs: Number, defaults: true }) as {
        code: number;
        message: string;
        details: { type_url: string; value: Uint8Array }[];
      };
      let out: StatusDetails = { code: s.code, message: s.message, field_violations: [], reason: null, domain: null, metadata: {}, retry_delay_ms: null };
      for (const a of s.details) out = this.merge(out, a);
      return out;
    } catch {
      return null;
    }
  }

  private merge(out: StatusDetails, a: { type_url: string; value: Uint8Array }): StatusDetails {
    const name = a.type_url.startsWith(TYPE_PREFIX) ? a.type_url.slice(TYPE_PREFIX.length) : '';
    const opts = { longs: Number, defaults: true };
    switch (name) {
      case 'google.rpc.BadRequest': {
        const t = this.type(name);
        const v = t.toObject(t.decode(a.value), opts) as { field_violations: { field: string; description: string }[] };
        return { ...out, field_violations: v.field_violations.map((f) => ({ field: f.field, description: f.description })) };
      }
      case 'google.rpc.ErrorInfo': {
        const t = this.type(name);
        const v = t.toObject(t.decode(a.value), { ...opts, objects: true }) as { reason: string; domain: string; metadata: Record<string, string> };
        return { ...out, reason: v.reason, domain: v.domain, metadata: { ...v.metadata } };
      }
      case 'google.rpc.RetryInfo': {
        const t = this.type(name);
        const v = t.toObject(t.decode(a.value), opts) as { retry_delay?: { seconds: number; nanos: number } };
        const d = v.retry_delay;
        return { ...out, retry_delay_ms: d === undefined || d === null ? 0 : d.seconds * 1000 + Math.round(d.nanos / 1_000_000) };
      }
      default:
        return out;
    }
  }
}
