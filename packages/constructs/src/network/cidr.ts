/** Small IPv4 CIDR arithmetic for validating and carving subnets (no dependency needed). */

export interface Cidr {
  readonly base: number;
  readonly prefix: number;
}

export function parseCidr(value: string): Cidr | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  if (base % 2 ** (32 - prefix) !== 0) return undefined; // host bits set: 10.0.0.1/16 is not a network
  return { base, prefix };
}

function mustParse(value: string): Cidr {
  const cidr = parseCidr(value);
  if (!cidr) throw new Error(`not an IPv4 CIDR block: ${value}`);
  return cidr;
}

const size = (c: Cidr) => 2 ** (32 - c.prefix);

export function cidrContains(outer: string, inner: string): boolean {
  const o = mustParse(outer);
  const i = mustParse(inner);
  return i.prefix >= o.prefix && i.base >= o.base && i.base + size(i) <= o.base + size(o);
}

export function cidrsOverlap(a: string, b: string): boolean {
  const x = mustParse(a);
  const y = mustParse(b);
  return x.base < y.base + size(y) && y.base < x.base + size(x);
}

export function formatCidr(c: Cidr): string {
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(c.base / 2 ** shift) % 256);
  return `${octets.join('.')}/${c.prefix}`;
}

/** The first `count` blocks of `/newPrefix` inside `vpc` (newPrefix defaults to /20, or smaller when the VPC is small). */
export function carveSubnets(vpc: string, count: number, newPrefix?: number): string[] {
  const parent = mustParse(vpc);
  const prefix = newPrefix ?? Math.max(20, parent.prefix + Math.ceil(Math.log2(Math.max(count, 1))));
  if (prefix > 28 || 2 ** (prefix - parent.prefix) < count) {
    throw new Error(`${vpc} cannot hold ${count} subnets of /${prefix}`);
  }
  return Array.from({ length: count }, (_, i) => formatCidr({ base: parent.base + i * 2 ** (32 - prefix), prefix }));
}
