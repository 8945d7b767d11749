/**
 * TypeScript client of the gara API (exported by the package). Errors come back as GaraApiError
 * carrying the problem+json body.
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  reason?: string;
  field?: string;
  requestId?: string;
}

export class GaraApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'GaraApiError';
  }
}

export class GaraUnreachableError extends Error {
  constructor(
    readonly baseUrl: string,
    cause: unknown,
  ) {
    super(`the gara service at ${baseUrl} is unreachable`, { cause });
    this.name = 'GaraUnreachableError';
  }
}

export interface PaymentPositionView {
  noticeNumber: string;
  noticeNumberPrinted: string;
  iuv: string;
  state: 'open' | 'paid' | 'cancelled';
  cig: string | null;
  subject: string;
  amount: string;
  dueDate: string;
  paidAt: string | null;
  receiptId: string | null;
}

export interface ClientOptions {
  baseUrl: string;
  token?: string | undefined;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export class GaraClient {
  readonly #baseUrl: string;
  readonly #token: string | undefined;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(options: ClientOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#token = options.token;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#fetch = options.fetch ?? fetch;
  }

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    let response: Response;
    try {
      response = await this.#fetch(`${this.#baseUrl}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.#token ? { authorization: `Bearer ${this.#token}` } : {}),
          ...headers,
        },
        body: body === undefined ? null : JSON.stringify(body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      throw new GaraUnreachableError(this.#baseUrl, error);
    }
    const text = await response.text();
    const json: unknown = text.length > 0 ? JSON.parse(text) : undefined;
    if (!response.ok) {
      const problem = json as Problem | undefined;
      throw new GaraApiError(response.status, problem, problem?.detail ?? `HTTP ${response.status}`);
    }
    return json as T;
  }

  /** Public lookup of a CIG or SmartCIG. */
  lookupCig(code: string): Promise<Record<string, unknown>> {
    return this.request('GET', `/api/v1/cigs/${encodeURIComponent(code)}`);
  }

  /** A bidder opens (or gets back) its pagoPA payment position for a lot. */
  openPaymentPosition(cig: string): Promise<PaymentPositionView> {
    return this.request('POST', `/api/v1/lots/${encodeURIComponent(cig)}/payment-positions`);
  }

  /** SANDBOX: pays a notice through the service's built-in pagoPA node and PSP. */
  payInSandbox(noticeNumber: string): Promise<{
    outcome: 'OK' | 'KO';
    receiptId: string | null;
    step: string | null;
    fault: { code: string; message: string } | null;
    position: PaymentPositionView;
  }> {
    return this.request(
      'POST',
      `/api/v1/payment-positions/${encodeURIComponent(noticeNumber)}/sandbox-payment`,
    );
  }
}
