import type { IDataObject } from 'n8n-workflow';

import type { ApiErrorDetails, GraphqlError } from './errors';
import { describeGraphqlError } from './errors';
import { isTimeoutError } from './errorKinds';

/**
 * What a request does on the platform, which decides what may be sent again after a failure:
 * - `read`: a query; resending it is harmless.
 * - `change`: a mutation; a failure after it left (5xx, reset, timeout, answer cut off) may hide a
 *   success, and a resend could apply it twice (a second message, rows added again), so it is
 *   never resent.
 * - `repeatable-change`: a mutation that is safe to repeat (createDirectUpload makes another
 *   unattached blob, purged later); retried like a read.
 */
export type RequestIntent = 'read' | 'change' | 'repeatable-change';

/** One try: the platform's answer, or the error of a request that got none. */
export type Attempt =
	| { answered: true; status: number; headers: IDataObject; body: unknown }
	| { answered: false; error: unknown };

/** What to report when a request fails; `attempts` is how many were sent. */
export type Failure = (attempts: number) => Omit<ApiErrorDetails, 'itemIndex'>;

/**
 * What the loop does with one attempt:
 * - `ok`: the data (with root errors when the caller accepts partial data);
 * - `wait`: refused before running (rate limit); wait that long and send again, whatever the intent;
 * - `retry`: may succeed on another try; `mayHaveRun` when the platform may already have run it
 *   (then a change is not resent);
 * - `fail`: nothing to gain from another try.
 */
export type Verdict =
	| { kind: 'ok'; data: unknown; errors?: GraphqlError[] }
	| { kind: 'wait'; ms: number }
	| { kind: 'retry'; mayHaveRun: boolean; failure: Failure; timedOut?: { data: unknown; errors: GraphqlError[] } }
	| { kind: 'fail'; failure: Failure };

const SERVER_ERRORS = new Set([500, 502, 503, 504]);

/** Failures before the request left: the name did not resolve for now. */
const NOT_SENT = new Set(['EAI_AGAIN']);

/** Failures of a request that may have reached the platform. */
const CUT_OFF = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ECONNABORTED', 'UND_ERR_SOCKET']);

export function header(headers: IDataObject | undefined, name: string): unknown {
	if (!headers) return undefined;
	const wanted = name.toLowerCase();
	for (const key of Object.keys(headers)) if (key.toLowerCase() === wanted) return headers[key];
	return undefined;
}

/** Milliseconds until `RateLimit-Reset` (epoch seconds); a missing header waits one window step. */
export function throttleDelay(resetHeader: unknown, nowMs: number): number {
	const reset = Number(Array.isArray(resetHeader) ? resetHeader[0] : resetHeader);
	if (!Number.isFinite(reset) || reset <= 0) return 5_000;
	return Math.max(250, reset * 1000 - nowMs + 250);
}

/**
 * The server's clock when it answered (its `Date` header), else ours: `RateLimit-Reset` is read on
 * the server's clock, and a local clock running ahead would retry before the reset again and again.
 * `Date` has whole seconds: when our clock falls within that second, ours is the finer reading (the
 * truncated header alone waits up to a second too long at each reset).
 */
function serverNow(headers: IDataObject | undefined): number {
	const date = Date.parse(String(header(headers, 'Date') ?? ''));
	const now = Date.now();
	if (!Number.isFinite(date)) return now;
	return now >= date && now < date + 1000 ? now : date;
}

/** How long to wait after a 429, from its `RateLimit-Reset` read against the server's clock. */
export function rateLimitWait(headers: IDataObject | undefined): number {
	return throttleDelay(header(headers, 'RateLimit-Reset'), serverNow(headers));
}

/**
 * The socket error code of a failed request. n8n's helper wraps axios' error in a NodeApiError
 * that drops `cause` and keeps the code only in `httpCode` (and the raw text in `messages`).
 */
export function networkCode(error: unknown): string | undefined {
	const e = error as {
		code?: unknown;
		httpCode?: unknown;
		cause?: { code?: unknown };
		message?: string;
		messages?: string[];
	};
	for (const candidate of [e?.code, e?.cause?.code, e?.httpCode]) {
		if (typeof candidate === 'string' && /^[A-Z][A-Z0-9_]+$/.test(candidate)) return candidate;
	}
	const texts = [e?.message ?? '', ...(Array.isArray(e?.messages) ? e.messages : [])].join('\n');
	return /socket hang up/i.test(texts) ? 'ECONNRESET' : undefined;
}

function parseBody(body: unknown): { json?: { data?: unknown; errors?: GraphqlError[] }; text: string } {
	if (body && typeof body === 'object' && !Buffer.isBuffer(body)) {
		return { json: body as { data?: unknown; errors?: GraphqlError[] }, text: '' };
	}
	const text = Buffer.isBuffer(body) ? body.toString('utf8') : String(body ?? '');
	try {
		const json = JSON.parse(text);
		if (json && typeof json === 'object') return { json, text };
	} catch {
		// not JSON: the status code decides
	}
	return { text };
}

const times = (n: number) => (n === 1 ? 'once' : `${n} times in a row`);

/**
 * Sorts one attempt into ok / wait / retry / fail. Pure: every rule of the platform's answers is
 * here, once, in the order the platform applies them (throttle before the application, then the
 * application's own statuses, then the GraphQL body).
 */
export function classifyAttempt(attempt: Attempt, options: { baseUrl: string; partial?: boolean }): Verdict {
	const { baseUrl } = options;
	if (!attempt.answered) {
		const code = networkCode(attempt.error);
		const reached = {
			message: `Could not reach ${baseUrl} (${code ?? 'network error'})`,
			code,
		};
		if (code && NOT_SENT.has(code)) {
			return {
				kind: 'retry',
				mayHaveRun: false,
				failure: (n) => ({ ...reached, description: `The instance's name did not resolve ${times(n)}. Check this server's DNS and network, then retry.` }),
			};
		}
		if (code && CUT_OFF.has(code)) {
			return {
				kind: 'retry',
				mayHaveRun: true,
				failure: (n) => ({ ...reached, description: `The connection failed ${times(n)}. Check the platform's status and this server's network, then retry.` }),
			};
		}
		return {
			kind: 'fail',
			failure: () => ({
				...reached,
				description: 'Check the Instance URL in the credential and that this n8n server can reach it (proxy, firewall, DNS).',
			}),
		};
	}

	const { status, headers } = attempt;
	const { json, text } = parseBody(attempt.body);

	// Rack::Attack answers before the application runs anything.
	if (status === 429) return { kind: 'wait', ms: rateLimitWait(headers) };

	if (SERVER_ERRORS.has(status)) {
		const first = json?.errors?.[0];
		return {
			kind: 'retry',
			mayHaveRun: true,
			failure: (n) => ({
				message: `The platform failed with HTTP ${status}${first?.message ? `: ${first.message}` : ''}`,
				description: first
					? describeGraphqlError(first, baseUrl)
					: `The platform or a proxy in front of it answered ${status} ${times(n)}. Retry later.`,
				httpCode: String(status),
				code: first?.extensions?.code,
				exceptionId: first?.extensions?.exception_id,
			}),
		};
	}

	// The application's before_actions: nothing ran.
	if (status === 401 || status === 403) {
		const platformMessage = json?.errors?.[0]?.message ?? (text.trim() || `HTTP ${status}`);
		const ip = platformMessage.match(/Add\s+(\S+)\s+to your allowed/i)?.[1];
		return {
			kind: 'fail',
			failure: () => ({
				message: platformMessage,
				description:
					status === 401
						? `The token has expired. Create a new token in ${baseUrl}/profil and paste it into the credential.`
						: /forbidden network/i.test(platformMessage)
							? `This n8n server's address is not allowed to use the token. In ${baseUrl}/profil, add ${ip ?? 'its IP address'} to the token's allowed networks.`
							: `The token was refused. Check the token in the credential and that the instance URL (${baseUrl}) is the instance that issued it.`,
				httpCode: String(status),
				code: json?.errors?.[0]?.extensions?.code,
			}),
		};
	}

	if (!json) {
		// JSON that does not parse is an answer cut off on the way (the request did run); anything
		// else (HTML, text) comes from something that is not the API.
		const cutOff = /json/i.test(String(header(headers, 'Content-Type') ?? '')) || /^\s*[{[]/.test(text);
		if (cutOff) {
			return {
				kind: 'retry',
				mayHaveRun: true,
				failure: (n) => ({
					message: `The platform's answer was cut off (HTTP ${status}, incomplete JSON)`,
					description: `The answer ended early ${times(n)}: the network or a proxy cut it. Retry later; if it persists, ask for fewer dossiers per request.`,
					httpCode: String(status),
				}),
			};
		}
		return {
			kind: 'fail',
			failure: () => ({
				message: `The platform answered HTTP ${status} with a body that is not JSON`,
				description: `Check that the Instance URL (${baseUrl}) points at a Démarche Numérique server and not at a proxy or login page.`,
				httpCode: String(status),
			}),
		};
	}

	// 400: a body, variables or cursor the platform could not read; nothing ran.
	if (status >= 400) {
		const first = json.errors?.[0];
		return {
			kind: 'fail',
			failure: () => ({
				message: first?.message ?? `The platform answered HTTP ${status}`,
				description: first ? describeGraphqlError(first, baseUrl) : 'Check the request.',
				httpCode: String(status),
				code: first?.extensions?.code,
			}),
		};
	}

	const errors = json.errors?.length ? json.errors : undefined;
	// The platform stops a query after 30 s; what ran before the deadline stays done.
	if (errors?.some(isTimeoutError)) {
		return {
			kind: 'retry',
			mayHaveRun: true,
			failure: () => rootFailure(errors, baseUrl),
			timedOut: { data: json.data ?? null, errors },
		};
	}
	if (errors && !(options.partial && json.data)) {
		return { kind: 'fail', failure: () => rootFailure(errors, baseUrl) };
	}
	return { kind: 'ok', data: json.data ?? null, errors };
}

/** The first root error, with a count of the others. */
export function rootFailure(errors: GraphqlError[], baseUrl: string): Omit<ApiErrorDetails, 'itemIndex'> {
	const first = errors[0];
	const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
	return {
		message: `${first.message}${more}`,
		description: describeGraphqlError(first, baseUrl),
		code: first.extensions?.code,
		path: first.path,
		exceptionId: first.extensions?.exception_id,
	};
}

/**
 * Whether a `retry` verdict may be sent again for this intent: a change the platform may already
 * have run is never resent.
 */
export function mayResend(verdict: Extract<Verdict, { kind: 'retry' }>, intent: RequestIntent): boolean {
	return !(verdict.mayHaveRun && intent === 'change');
}
