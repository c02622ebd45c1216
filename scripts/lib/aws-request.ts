/**
 * A raw AWS API call to the local emulator, for checks the AWS provider cannot
 * make (an error it never provokes, a response field it does not read). The
 * emulator does not verify signatures; the Authorization header only names the
 * service and region, which is how moto routes a request.
 */
export interface AwsRequest {
  readonly service: string;
  readonly region?: string;
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** The access key id the credential scope names (the emulator's record tells callers apart by it). @default 'test' */
  readonly accessKeyId?: string;
}

export interface AwsResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

export async function awsRequest(endpoint: string, request: AwsRequest): Promise<AwsResponse> {
  const region = request.region ?? 'us-east-1';
  const credential = `${request.accessKeyId ?? 'test'}/20250101/${region}/${request.service}/aws4_request`;
  const response = await fetch(`${endpoint}${request.path ?? '/'}`, {
    method: request.method ?? 'GET',
    headers: {
      authorization: `AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=host, Signature=0`,
      ...request.headers,
    },
    ...(request.body !== undefined ? { body: request.body } : {}),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** The text of the first `<name>` element of an XML document, or undefined. */
export function xmlValue(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
}
