import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { CloudErrorBody, CloudErrorCode } from '../../electron/contract/cloud';
import { BODY_MAX_BYTES } from '../domain';

/** A refusal, answered as the contract's error envelope. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: CloudErrorCode,
    message: string,
    readonly extra: Omit<CloudErrorBody, 'code' | 'message'> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const BASE_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (status === 204 || status === 304 || body === undefined) {
    res.writeHead(status, { ...BASE_HEADERS, ...headers });
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { ...BASE_HEADERS, 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

// Bodies past the limit are drained (so the client reads our 413) up to this, then cut off.
const DRAIN_CAP = 16 * BODY_MAX_BYTES;

/** Reads the raw body; over `limit` bytes it answers 413 without keeping the excess. */
export function readRawBody(req: IncomingMessage, limit = BODY_MAX_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > DRAIN_CAP) req.destroy();
    });
    req.on('end', () => {
      if (size > limit) reject(new HttpError(413, 'body_too_large', `request body exceeds ${limit} bytes`));
      else resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

export function fieldOf(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(body)' : path.map(String).join('.');
}

/** JSON only: checks the content type, parses, and validates with the zod schema. */
export function parseJsonBody<S extends z.ZodType>(req: IncomingMessage, raw: Buffer, schema: S): z.output<S> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, 'unsupported_media_type', 'request body must be application/json');
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new HttpError(400, 'invalid_json', 'request body is not valid JSON');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) =>
      i.code === 'unrecognized_keys'
        ? { field: fieldOf([...i.path, i.keys[0] ?? '']), message: `is not a known field (${i.keys.join(', ')})` }
        : { field: fieldOf(i.path), message: /received undefined$/.test(i.message) ? 'is required' : i.message },
    );
    const first = issues[0]!;
    throw new HttpError(400, 'invalid_input', `${first.field}: ${first.message}`, { field: first.field, issues });
  }
  return parsed.data;
}
