// The ledger's API as the page calls it: typed from docs/openapi.json (openapi-typescript writes generated/ledger.d.ts at
// build time) and sent by openapi-fetch, with the visitor's credentials when reads are not public.
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './generated/ledger';

export type Schemas = components['schemas'];

const credentialKey = 'idlib-ledger.credential';

/** The key or token the visitor gave, kept for this tab only. */
export const credentials = {
  get: (): string | null => sessionStorage.getItem(credentialKey),
  set: (value: string): void => sessionStorage.setItem(credentialKey, value.trim()),
  clear: (): void => sessionStorage.removeItem(credentialKey),
  /** The header that carries it: a JSON Web Token goes as a bearer token, anything else as an API key. */
  headers(): Record<string, string> {
    const value = this.get();
    if (!value) {
      return {};
    }

    return /^ey[\w-]+\.[\w-]+\.[\w-]*$/.test(value) ? { Authorization: `Bearer ${value}` } : { 'X-Api-Key': value };
  },
};

/** The API answered 401: reads need credentials (or the ones given were refused). */
export class NeedsCredentials extends Error {
  constructor(readonly refused: boolean) {
    super(refused ? 'the ledger refused these credentials' : 'the ledger\'s reads need credentials');
  }
}

/** The API answered with a ProblemDetails (or could not be reached at all: status 0). */
export class ApiProblem extends Error {
  constructor(readonly status: number, readonly title: string, readonly detail: string | undefined, readonly errors: Record<string, string[]> = {}) {
    super(detail ?? title);
  }

  /** One sentence for the page: the detail, or each field's first error. */
  describe(): string {
    const fields = Object.entries(this.errors).map(([field, messages]) => `${field}: ${messages[0] ?? 'invalid'}`);
    return fields.length > 0 ? `${this.title} (${fields.join('; ')})` : this.detail ?? this.title;
  }
}

const authenticate: Middleware = {
  onRequest({ request }) {
    for (const [name, value] of Object.entries(credentials.headers())) {
      request.headers.set(name, value);
    }

    return request;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin });
api.use(authenticate);

/** The body of a successful answer, or a NeedsCredentials / ApiProblem for anything else. */
export async function read<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let answer: { data?: T; error?: unknown; response: Response };
  try {
    answer = await call;
  } catch (failure) {
    throw new ApiProblem(0, 'The ledger\'s API cannot be reached', failure instanceof Error ? failure.message : String(failure));
  }

  if (answer.response.ok && answer.data !== undefined) {
    return answer.data;
  }

  if (answer.response.status === 401) {
    throw new NeedsCredentials(credentials.get() !== null);
  }

  const problem = (answer.error ?? {}) as { title?: string; detail?: string; errors?: Record<string, string[]> };
  throw new ApiProblem(answer.response.status, problem.title ?? `The API answered ${answer.response.status}`, problem.detail, problem.errors ?? {});
}
