import type { IDataObject, IHttpRequestOptions, IN8nHttpFullResponse, INode } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import type { DnFunctions } from './context';
import { CREDENTIAL_TYPE, getDnCredentials } from './context';
import { userRequestSettings } from './settings';
import type { GraphqlError, PayloadMessage } from './errors';
import { apiError, describeBusinessError, describeGraphqlError } from './errors';
import { isTimeoutError } from './errorKinds';

export interface GraphqlDocument {
	query: string;
	operationName: string;
	variables?: IDataObject;
}

export interface GraphqlResult<T> {
	data: T | null;
	/** Root errors left after retries; only set when the caller asked for `partial`. */
	errors?: GraphqlError[];
}

export interface RequestSettings {
	/** Item the request belongs to, for error messages and continue-on-fail. */
	itemIndex?: number;
	/** Return root `errors` with the partial `data` instead of throwing (lists that can say what was lost). */
	partial?: boolean;
	/** Upper bound on the total time spent waiting for the rate limit to reset, in ms. */
	maxThrottleWaitMs?: number;
	/** Retries of 5xx, connection resets and platform timeouts. */
	maxRetries?: number;
	/** Base of the exponential backoff, in ms. */
	backoffBaseMs?: number;
	/** Cap of one backoff delay, in ms. */
	backoffMaxMs?: number;
	/** Errors after which the request may have been applied say so (mutations). */
	ambiguousIsUncertain?: boolean;
	/** Socket timeout of one request, in ms (the platform itself stops queries at 30 s). */
	timeoutMs?: number;
	/**
	 * Whether a platform timeout (isTimeoutError) is retried as is (default). `false` returns the
	 * answer at once, errors and whatever data it has: for callers that retry differently (a list
	 * asks a smaller page: the same heavy page times out again on every retry).
	 */
	retryTimeouts?: boolean;
}

export const DEFAULT_SETTINGS = {
	maxThrottleWaitMs: 120_000,
	maxRetries: 4,
	backoffBaseMs: 500,
	backoffMaxMs: 15_000,
	timeoutMs: 60_000,
};

const RETRYABLE_STATUS = new Set([500, 502, 503, 504]);

const UNCERTAIN_CHANGE =
	'The change may or may not have been applied, so it was not sent again: check the dossier (or groupe, démarche) before running this item again.';
const RETRYABLE_NETWORK = new Set([
	'ECONNRESET',
	'EPIPE',
	'ETIMEDOUT',
	'ESOCKETTIMEDOUT',
	'ECONNABORTED',
	'EAI_AGAIN',
	'UND_ERR_SOCKET',
]);

/** Exponential backoff with jitter: attempt 0 waits between base/2 and base. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random = Math.random) {
	const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
	return Math.round(ceiling / 2 + (random() * ceiling) / 2);
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

function header(headers: IDataObject | undefined, name: string): unknown {
	if (!headers) return undefined;
	const wanted = name.toLowerCase();
	for (const key of Object.keys(headers)) if (key.toLowerCase() === wanted) return headers[key];
	return undefined;
}

/**
 * The socket error code of a failed request. n8n's helper wraps axios' error in a NodeApiError
 * that drops `cause` and keeps the code only in `httpCode` (and the raw text in `messages`).
 */
function networkCode(error: unknown): string | undefined {
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
		// not JSON: the caller decides from the status code
	}
	return { text };
}

/**
 * Sends one GraphQL document to `{baseUrl}/api/v2/graphql` with the credential's token and turns
 * every failure the platform can produce into a NodeApiError that says how to fix it. Retries what
 * can succeed on a second try (5xx, resets, platform timeouts, rate limit) and nothing else.
 */
export async function graphqlRequest<T = IDataObject>(
	this: DnFunctions,
	document: GraphqlDocument,
	settings: RequestSettings = {},
): Promise<GraphqlResult<T>> {
	const config = { ...DEFAULT_SETTINGS, ...userRequestSettings(this, settings.itemIndex), ...settings };
	const { baseUrl, token } = await getDnCredentials(this);
	const node = this.getNode();
	const fail = (details: Parameters<typeof apiError>[1]) =>
		apiError(node, { itemIndex: config.itemIndex, ...details }, token);
	// For a change (mutation), a failure after the request left may hide a success.
	const uncertain = (details: Parameters<typeof apiError>[1]) =>
		fail(
			config.ambiguousIsUncertain
				? { ...details, description: `${details.description} ${UNCERTAIN_CHANGE}` }
				: details,
		);
	if (!/^https?:\/\/[^/]+/i.test(baseUrl)) {
		throw fail({
			message: 'The credential has no valid instance URL',
			description:
				'Set "Instance URL" in the Démarche Numérique credential, e.g. https://demarche.numerique.gouv.fr.',
		});
	}

	const options: IHttpRequestOptions = {
		method: 'POST',
		url: `${baseUrl}/api/v2/graphql`,
		headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
		body: {
			query: document.query,
			variables: document.variables ?? {},
			operationName: document.operationName,
		},
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: config.timeoutMs,
	};

	let retries = 0;
	let throttleWaited = 0;
	for (;;) {
		let response: IN8nHttpFullResponse;
		try {
			response = (await this.helpers.httpRequestWithAuthentication.call(
				this,
				CREDENTIAL_TYPE,
				options,
			)) as IN8nHttpFullResponse;
		} catch (error) {
			const code = networkCode(error);
			if (code && RETRYABLE_NETWORK.has(code) && retries < config.maxRetries) {
				await sleep(backoffDelay(retries++, config.backoffBaseMs, config.backoffMaxMs));
				continue;
			}
			throw (code && RETRYABLE_NETWORK.has(code) ? uncertain : fail)({
				message: `Could not reach ${baseUrl} (${code ?? 'network error'})`,
				description:
					code && RETRYABLE_NETWORK.has(code)
						? `The connection failed ${retries + 1} times in a row. Check the platform's status and this server's network, then retry.`
						: 'Check the Instance URL in the credential and that this n8n server can reach it (proxy, firewall, DNS).',
				code,
			});
		}

		const status = Number(response.statusCode);
		const { json, text } = parseBody(response.body);

		if (status === 429) {
			const headers = response.headers as IDataObject;
			const wait = rateLimitWait(headers);
			if (throttleWaited + wait > config.maxThrottleWaitMs) {
				throw fail({
					message: 'The platform\'s rate limit was reached (HTTP 429)',
					description: `The token may send about 400 requests per minute. This node already waited ${Math.round(throttleWaited / 1000)} s and the next reset is ${Math.round(wait / 1000)} s away, beyond the ${Math.round(config.maxThrottleWaitMs / 1000)} s allowed. Slow the workflow down, share the load between tokens, or raise "Max Rate Limit Wait".`,
					httpCode: '429',
				});
			}
			throttleWaited += wait;
			await sleep(wait);
			continue;
		}

		if (RETRYABLE_STATUS.has(status)) {
			if (retries < config.maxRetries) {
				await sleep(backoffDelay(retries++, config.backoffBaseMs, config.backoffMaxMs));
				continue;
			}
			const first = json?.errors?.[0];
			throw uncertain({
				message: `The platform failed with HTTP ${status}${first?.message ? `: ${first.message}` : ''}`,
				description: first
					? describeGraphqlError(first, baseUrl)
					: `The platform or a proxy in front of it answered ${status} ${config.maxRetries + 1} times. Retry later.`,
				httpCode: String(status),
				code: first?.extensions?.code,
				exceptionId: first?.extensions?.exception_id,
			});
		}

		if (status === 401 || status === 403) {
			const platformMessage = json?.errors?.[0]?.message ?? (text.trim() || `HTTP ${status}`);
			const forbiddenNetwork = /forbidden network/i.test(platformMessage);
			const ip = platformMessage.match(/Add\s+(\S+)\s+to your allowed/i)?.[1];
			throw fail({
				message: platformMessage,
				description:
					status === 401
						? `The token has expired. Create a new token in ${baseUrl}/profil and paste it into the credential.`
						: forbiddenNetwork
							? `This n8n server's address is not allowed to use the token. In ${baseUrl}/profil, add ${ip ?? 'its IP address'} to the token's allowed networks.`
							: `The token was refused. Check the token in the credential and that the instance URL (${baseUrl}) is the instance that issued it.`,
				httpCode: String(status),
				code: json?.errors?.[0]?.extensions?.code,
			});
		}

		if (!json) {
			// JSON that does not parse is an answer cut off on the way (it can succeed again);
			// anything else (HTML, text) comes from something that is not the API.
			const cutOff =
				/json/i.test(String(header(response.headers as IDataObject, 'Content-Type') ?? '')) ||
				/^\s*[{[]/.test(text);
			if (cutOff && retries < config.maxRetries) {
				await sleep(backoffDelay(retries++, config.backoffBaseMs, config.backoffMaxMs));
				continue;
			}
			throw (cutOff ? uncertain : fail)(
				cutOff
					? {
							message: `The platform's answer was cut off (HTTP ${status}, incomplete JSON)`,
							description: `The answer ended early ${retries + 1} times in a row: the network or a proxy cut it. Retry later; if it persists, ask for fewer dossiers per request.`,
							httpCode: String(status),
						}
					: {
							message: `The platform answered HTTP ${status} with a body that is not JSON`,
							description: `Check that the Instance URL (${baseUrl}) points at a Démarche Numérique server and not at a proxy or login page.`,
							httpCode: String(status),
						},
			);
		}

		if (status >= 400) {
			const first = json.errors?.[0];
			throw fail({
				message: first?.message ?? `The platform answered HTTP ${status}`,
				description: first ? describeGraphqlError(first, baseUrl) : 'Check the request.',
				httpCode: String(status),
				code: first?.extensions?.code,
			});
		}

		const errors = json.errors?.length ? json.errors : undefined;
		const timedOut = Boolean(errors?.some(isTimeoutError));
		if (timedOut && config.retryTimeouts === false) {
			return { data: (json.data ?? null) as T | null, errors };
		}
		if (timedOut && retries < config.maxRetries) {
			await sleep(backoffDelay(retries++, config.backoffBaseMs, config.backoffMaxMs));
			continue;
		}
		if (errors && !(config.partial && json.data)) {
			const error = rootErrorsToApiError(node, errors, baseUrl, token, config.itemIndex);
			if (config.ambiguousIsUncertain && timedOut) {
				error.description = `${error.description} ${UNCERTAIN_CHANGE}`;
			}
			throw error;
		}
		return { data: (json.data ?? null) as T | null, errors };
	}
}

/** The first root error, with a count of the others, as one NodeApiError. */
export function rootErrorsToApiError(
	node: INode,
	errors: GraphqlError[],
	baseUrl: string,
	token: string,
	itemIndex?: number,
) {
	const first = errors[0];
	const more =
		errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
	return apiError(
		node,
		{
			message: `${first.message}${more}`,
			description: describeGraphqlError(first, baseUrl),
			code: first.extensions?.code,
			path: first.path,
			exceptionId: first.extensions?.exception_id,
			itemIndex,
		},
		token,
	);
}

export interface MutationPayload {
	errors?: PayloadMessage[] | null;
	warnings?: PayloadMessage[] | null;
	[key: string]: unknown;
}

/**
 * Runs a mutation and checks its payload: business `errors` (French, no code) become a
 * NodeApiError quoting the platform with an English fix; `warnings` come back to the caller.
 */
export async function mutate<P extends MutationPayload = MutationPayload>(
	this: DnFunctions,
	document: GraphqlDocument & { mutationField: string },
	settings: RequestSettings = {},
): Promise<P> {
	// A mutation that failed on a 5xx, a reset or a timeout may have been applied: never resend it
	// (a second message, groupe or clone), say so instead. 429s are still waited out: the platform
	// refuses those before running anything.
	const { data } = (await graphqlRequest.call(this, document, {
		maxRetries: 0,
		...settings,
		partial: false,
		ambiguousIsUncertain: true,
	})) as GraphqlResult<IDataObject>;
	const payload = (data?.[document.mutationField] ?? null) as P | null;
	if (!payload) {
		throw apiError(this.getNode(), {
			message: `The platform returned no result for ${document.mutationField}`,
			description: 'The mutation was not applied. Retry, and check the platform\'s status if it persists.',
			itemIndex: settings.itemIndex,
		});
	}
	const errors = payload.errors ?? [];
	if (errors.length) {
		const text = errors.map((e) => e.message).join(' / ');
		const { token } = await getDnCredentials(this);
		throw apiError(
			this.getNode(),
			{
				message: `Démarche Numérique refused ${document.mutationField}: ${text}`,
				description: describeBusinessError(text),
				itemIndex: settings.itemIndex,
			},
			token,
		);
	}
	return payload;
}
