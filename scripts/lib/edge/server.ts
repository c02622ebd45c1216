/**
 * The local edge: HTTP on 127.0.0.1 that answers as the deployed `local` environment says AWS would (walk.ts).
 * It stands in for the distribution's domain name: a request to it is a viewer request to CloudFront (TLS is not
 * modelled: the edge speaks plain HTTP on loopback and treats each request as having arrived over HTTPS). Every
 * answer carries `x-local-edge-step`, the layer that decided (local only: AWS sends no such header).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Deployed } from './deployed';
import { walk, type EdgeSite } from './walk';

export interface EdgeOptions {
  /** The emulator that holds the deployment (http://127.0.0.1:<port>). */
  readonly emulatorEndpoint: string;
  readonly distributionId: string;
  readonly accountId: string;
  readonly region: string;
  /** @default 0: a free port */
  readonly port?: number;
  /** One line per request (method, path, status, step). */
  readonly log?: (line: string) => void;
}

export interface RunningEdge {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  close(): Promise<void>;
}

export const EDGE_STEP_HEADER = 'x-local-edge-step';

export async function startEdge(options: EdgeOptions): Promise<RunningEdge> {
  const site: EdgeSite = {
    deployed: new Deployed({ endpoint: options.emulatorEndpoint, region: options.region }),
    distributionId: options.distributionId,
    accountId: options.accountId,
    region: options.region,
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      walk(site, { method: req.method ?? 'GET', url: req.url ?? '/', headers, body: Buffer.concat(chunks), clientIp: req.socket.remoteAddress ?? '127.0.0.1' })
        .then((reply) => {
          options.log?.(`${req.method} ${req.url} -> ${reply.status} (${reply.step})`);
          res.writeHead(reply.status, { ...reply.headers, [EDGE_STEP_HEADER]: reply.step.replace(/[^\x20-\x7e]/g, '?').slice(0, 300) });
          res.end(req.method === 'HEAD' ? undefined : reply.body);
        })
        .catch((error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          options.log?.(`${req.method} ${req.url} -> 500 (the edge could not read the deployment: ${message})`);
          res.writeHead(500, { 'content-type': 'text/plain', [EDGE_STEP_HEADER]: 'local-edge:error' });
          res.end(`The local edge could not read the deployment from the emulator: ${message}\n`);
        });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
