/**
 * HTTP on loopback with a Host header of our choosing (fetch does not let a caller set Host): how the local edge
 * reaches the emulator's hosts (a Cognito domain, a user pool's JWKS, an execute-api name) and how the smoke probes
 * call a stand-in. Only http: and only what the caller names; nothing here resolves a name.
 */
import { request as httpRequest } from 'node:http';

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface HttpCall {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  /** Sent as the Host header instead of the URL's host. */
  readonly host?: string;
  readonly timeoutMs?: number;
}

/** One request to an http: URL; the answer's headers with lower-case names (the last value of repeated ones). */
export function httpCall(url: string, call: HttpCall = {}): Promise<HttpAnswer> {
  const target = new URL(url);
  if (target.protocol !== 'http:') return Promise.reject(new Error(`httpCall: only http: URLs (${url})`));
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        hostname: target.hostname,
        port: target.port || 80,
        path: `${target.pathname}${target.search}`,
        method: call.method ?? 'GET',
        headers: { ...(call.host ? { host: call.host } : {}), ...call.headers },
        timeout: call.timeoutMs ?? 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
          }
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${call.timeoutMs ?? 30_000} ms`)));
    req.on('error', reject);
    if (call.body !== undefined) req.write(call.body);
    req.end();
  });
}
