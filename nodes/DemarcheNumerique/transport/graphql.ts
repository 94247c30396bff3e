import type { IDataObject, IHttpRequestOptions, IN8nHttpFullResponse, INode } from 'n8n-workflow';
import { sleep, sleepWithAbort } from 'n8n-workflow';

import type { DnFunctions } from './context';
import { CREDENTIAL_TYPE, getDnCredentials, instanceUrlProblem } from './context';
import { userRequestSettings } from './settings';
import type { ApiErrorDetails, GraphqlError, PayloadMessage } from './errors';
import { apiError, describeBusinessError, scrub } from './errors';
import type { Attempt, RequestIntent } from './responses';
import { classifyAttempt, header, mayResend, rootFailure } from './responses';
import type { EarlyPageInfo } from './earlyPageInfo';
import { PageInfoWatcher } from './earlyPageInfo';


export interface GraphqlDocument {
	query: string;
	operationName: string;
	variables?: IDataObject;
}

export interface GraphqlResult<T> {
	data: T | null;
	/** Root errors left after retries; only set when the caller asked for `partial`. */
	errors?: GraphqlError[];
	/** The platform's clock when it answered (its `Date` header, epoch ms), when it sent one. */
	serverDate?: number;
}

export interface RequestSettings {
	/** What the request does: a read may be sent again after a failure, a change never is. */
	intent: RequestIntent;
	/** Item the request belongs to, for error messages and continue-on-fail. */
	itemIndex?: number;
	/** Return root `errors` with the partial `data` instead of throwing (lists that can say what was lost). */
	partial?: boolean;
	/** Upper bound on the total time spent waiting for the rate limit to reset, in ms. */
	maxThrottleWaitMs?: number;
	/** Retries of 5xx, connection resets and platform timeouts (reads and repeatable changes). */
	maxRetries?: number;
	/** Base of the exponential backoff, in ms. */
	backoffBaseMs?: number;
	/** Cap of one backoff delay, in ms. */
	backoffMaxMs?: number;
	/** Socket timeout of one request, in ms (the platform itself stops queries at 30 s). */
	timeoutMs?: number;
	/**
	 * Whether a platform timeout (isTimeoutError) is retried as is (default). `false` returns the
	 * answer at once, errors and whatever data it has: for callers that retry differently (a list
	 * asks a smaller page: the same heavy page times out again on every retry).
	 */
	retryTimeouts?: boolean;
	/**
	 * Reads the answer as it arrives and calls `onPageInfo` as soon as the connection's `pageInfo`
	 * at `path` (from `data`, e.g. ['demarche', 'dossiers']) has arrived, before the rest of the
	 * page: a list sends its next request while this page is still coming. Called for each answered
	 * attempt that has it (a retried request may call it again); the whole answer is then handled
	 * as always. Only early when the document selects `pageInfo` before `nodes`.
	 */
	pageInfo?: { path: string[]; onPageInfo: (info: EarlyPageInfo) => void };
	/** Stops the request (a list's request for a page it no longer needs): it then rejects. */
	signal?: AbortSignal;
	/**
	 * Epoch ms by which the request must be over (the polling trigger's budget): no wait (rate
	 * limit, backoff) reaches past it, and each try's socket timeout ends by it. Past it the request
	 * fails with code `deadline` (nothing was applied: the caller carries on later).
	 */
	deadlineMs?: number;
}

/** The error code of a request given up because its deadline (deadlineMs) came. */
export const DEADLINE_CODE = 'deadline';

export const DEFAULT_SETTINGS = {
	maxThrottleWaitMs: 120_000,
	maxRetries: 4,
	backoffBaseMs: 500,
	backoffMaxMs: 15_000,
	timeoutMs: 60_000,
};

const UNCERTAIN_CHANGE =
	'The change may or may not have been applied, so it was not sent again: check the dossier (or groupe, démarche) before running this item again.';

/** Exponential backoff with jitter: attempt 0 waits between base/2 and base. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random = Math.random) {
	const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
	return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Sends one GraphQL document to `{baseUrl}/api/v2/graphql` with the credential's token and turns
 * every failure the platform can produce into a NodeApiError that says how to fix it. Each answer
 * is sorted by classifyAttempt; this loop only waits, resends or stops, and never resends a change
 * the platform may already have applied.
 */
export async function graphqlRequest<T = IDataObject>(
	this: DnFunctions,
	document: GraphqlDocument,
	settings: RequestSettings,
): Promise<GraphqlResult<T>> {
	const config = { ...DEFAULT_SETTINGS, ...userRequestSettings(this, settings.itemIndex), ...settings };
	const { baseUrl, token } = await getDnCredentials(this);
	const node = this.getNode();
	const fail = (details: Omit<ApiErrorDetails, 'itemIndex'>) =>
		apiError(node, { itemIndex: config.itemIndex, ...details }, token);
	const unsafe = instanceUrlProblem(baseUrl);
	if (unsafe) throw fail(unsafe);

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
	const { pageInfo, signal } = config;
	// Read as a stream to see pageInfo in the first bytes; the body is parsed whole as before.
	if (pageInfo) options.encoding = 'stream';
	if (signal) options.abortSignal = signal;
	const deadline = config.deadlineMs;
	const pastDeadline = (waitMs: number, what: string) =>
		fail({
			message: `Gave up within this poll's time budget: ${what}`,
			description: `The next wait (${Math.round(waitMs / 1000)} s) would end after the time this poll may take, so the request was not sent again. Nothing is lost: the next poll carries on from where this one stopped.`,
			code: DEADLINE_CODE,
		});
	let serverDate: number | undefined;
	const send = async (): Promise<Attempt> => {
		if (deadline !== undefined) {
			// The socket must give up by the deadline too (one hanging request would overrun it).
			options.timeout = Math.max(1_000, Math.min(config.timeoutMs, deadline - Date.now()));
		}
		try {
			const response = (await this.helpers.httpRequestWithAuthentication.call(
				this,
				CREDENTIAL_TYPE,
				options,
			)) as IN8nHttpFullResponse;
			const date = Date.parse(String(header((response.headers ?? {}) as IDataObject, 'Date') ?? ''));
			if (Number.isFinite(date)) serverDate = date;
			const status = Number(response.statusCode);
			let body: unknown = response.body;
			if (pageInfo && isByteStream(body)) {
				const watcher =
					status === 200
						? new PageInfoWatcher(['data', ...pageInfo.path, 'pageInfo'], pageInfo.onPageInfo)
						: undefined;
				body = await readAll(body, watcher, config.timeoutMs);
			}
			return {
				answered: true,
				status,
				headers: (response.headers ?? {}) as IDataObject,
				body,
			};
		} catch (error) {
			return { answered: false, error };
		}
	};
	const stopped = () => {
		if (!signal?.aborted) return;
		throw new Error(`${document.operationName} was stopped: its answer is no longer needed`);
	};

	let attempts = 0;
	let retries = 0;
	let throttleWaited = 0;
	for (;;) {
		attempts++;
		stopped();
		const attempt = await send();
		stopped();
		const verdict = classifyAttempt(attempt, { baseUrl, partial: config.partial });
		switch (verdict.kind) {
			case 'ok':
				return { data: verdict.data as T | null, errors: verdict.errors, serverDate };
			case 'wait':
				if (deadline !== undefined && Date.now() + verdict.ms > deadline) {
					throw pastDeadline(verdict.ms, "the platform's rate limit (HTTP 429) resets too late");
				}
				if (throttleWaited + verdict.ms > config.maxThrottleWaitMs) {
					throw fail({
						message: "The platform's rate limit was reached (HTTP 429)",
						description: `The token may send about 400 requests per minute. This node already waited ${Math.round(throttleWaited / 1000)} s and the next reset is ${Math.round(verdict.ms / 1000)} s away, beyond the ${Math.round(config.maxThrottleWaitMs / 1000)} s allowed. Slow the workflow down, share the load between tokens, or raise "Max Rate Limit Wait".`,
						httpCode: '429',
					});
				}
				throttleWaited += verdict.ms;
				await pause(verdict.ms, signal);
				continue;
			case 'retry': {
				// A list asks a smaller page instead: the same heavy page times out again on every retry.
				if (verdict.timedOut && config.retryTimeouts === false) {
					return { data: verdict.timedOut.data as T | null, errors: verdict.timedOut.errors };
				}
				if (!mayResend(verdict, config.intent)) {
					const details = verdict.failure(attempts);
					throw fail({ ...details, description: `${details.description} ${UNCERTAIN_CHANGE}` });
				}
				if (retries < config.maxRetries) {
					const delay = backoffDelay(retries++, config.backoffBaseMs, config.backoffMaxMs);
					if (deadline !== undefined && Date.now() + delay >= deadline) {
						throw pastDeadline(delay, `${verdict.failure(attempts).message}, and no time left to retry`);
					}
					await pause(delay, signal);
					continue;
				}
				// Out of retries: a caller that takes partial data gets what the timed-out page had.
				if (verdict.timedOut && config.partial && verdict.timedOut.data) {
					return { data: verdict.timedOut.data as T | null, errors: verdict.timedOut.errors };
				}
				throw fail(verdict.failure(attempts));
			}
			case 'fail':
				throw fail(verdict.failure(attempts));
		}
	}
}

/** Waits `ms`, or less when `signal` stops the request meanwhile. */
async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
	if (!signal) return sleep(ms);
	if (signal.aborted) return;
	let onAbort = () => {};
	const aborted = new Promise<void>((resolve) => {
		onAbort = resolve;
		signal.addEventListener('abort', onAbort, { once: true });
	});
	await Promise.race([sleep(ms), aborted]);
	signal.removeEventListener('abort', onAbort);
}

/** A response body n8n handed over as a stream (`encoding: 'stream'`), not already read. */
function isByteStream(body: unknown): body is AsyncIterable<Buffer> {
	return (
		typeof body === 'object' &&
		body !== null &&
		!Buffer.isBuffer(body) &&
		typeof (body as AsyncIterable<Buffer>)[Symbol.asyncIterator] === 'function'
	);
}

const IDLE: unique symbol = Symbol('idle');

/**
 * The whole body, each chunk shown to the watcher on its way; a body cut short throws (a reset). A
 * streamed answer is handed over once its headers arrive, past the helper's `timeout`: a body that
 * stops sending for `idleMs` is given up here, as a timeout (ETIMEDOUT, retried like one).
 */
async function readAll(
	body: AsyncIterable<Buffer>,
	watcher: PageInfoWatcher | undefined,
	idleMs: number,
): Promise<Buffer> {
	const chunks: Buffer[] = [];
	const iterator = body[Symbol.asyncIterator]();
	for (;;) {
		const step = await nextOrIdle(iterator, idleMs);
		if (step === IDLE) {
			(body as { destroy?: () => void }).destroy?.();
			throw Object.assign(new Error(`The answer stopped arriving for ${Math.round(idleMs / 1000)} s`), {
				code: 'ETIMEDOUT',
			});
		}
		if (step.done) break;
		const chunk = step.value;
		const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
		chunks.push(bytes);
		watcher?.push(bytes);
	}
	return Buffer.concat(chunks);
}

/** The next chunk, or IDLE when none comes within `ms` (no watchdog on an n8n without sleepWithAbort). */
async function nextOrIdle(
	iterator: AsyncIterator<Buffer>,
	ms: number,
): Promise<IteratorResult<Buffer> | typeof IDLE> {
	const next = iterator.next();
	if (typeof sleepWithAbort !== 'function' || !(ms > 0)) return await next;
	// Given up on: its rejection (the body destroyed) concerns no one.
	next.catch(() => undefined);
	const stop = new AbortController();
	const idle = sleepWithAbort(ms, stop.signal).then(
		(): typeof IDLE => IDLE,
		(): typeof IDLE => IDLE,
	);
	try {
		return await Promise.race([next, idle]);
	} finally {
		stop.abort();
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
	return apiError(node, { ...rootFailure(errors, baseUrl), itemIndex }, token);
}

export interface MutationPayload {
	errors?: PayloadMessage[] | null;
	warnings?: PayloadMessage[] | null;
	[key: string]: unknown;
}

export type MutationSettings = Omit<RequestSettings, 'intent' | 'partial'> & {
	/** `repeatable-change` for a mutation that is safe to send again (createDirectUpload). */
	intent?: Exclude<RequestIntent, 'read'>;
};

/**
 * Sends a mutation and returns its payload as the platform gave it, `errors` included: for the
 * payloads that can report a partial success (dossierModifierAnnotations saves each valid item
 * and lists the others' errors). A null payload is an error: nothing was applied.
 */
export async function sendMutation<P extends MutationPayload = MutationPayload>(
	this: DnFunctions,
	document: GraphqlDocument & { mutationField: string },
	settings: MutationSettings = {},
): Promise<P> {
	const { data } = (await graphqlRequest.call(this, document, {
		...settings,
		intent: settings.intent ?? 'change',
		partial: false,
	})) as GraphqlResult<IDataObject>;
	const payload = (data?.[document.mutationField] ?? null) as P | null;
	if (!payload) {
		throw apiError(this.getNode(), {
			message: `The platform returned no result for ${document.mutationField}`,
			description: "The mutation was not applied. Retry, and check the platform's status if it persists.",
			itemIndex: settings.itemIndex,
		});
	}
	return payload;
}

/**
 * Runs a mutation and checks its payload: business `errors` (French, no code) become a
 * NodeApiError quoting the platform with an English fix; `warnings` come back to the caller.
 */
export async function mutate<P extends MutationPayload = MutationPayload>(
	this: DnFunctions,
	document: GraphqlDocument & { mutationField: string },
	settings: MutationSettings = {},
): Promise<P> {
	const payload = (await sendMutation.call(this, document, settings)) as P;
	const errors = payload.errors ?? [];
	if (errors.length) {
		const { token } = await getDnCredentials(this);
		throw refusal(this.getNode(), document.mutationField, errors.map((e) => e.message), token, settings.itemIndex);
	}
	return payload;
}

/** The error for a payload's `errors`: the platform's words quoted, the fix in English. */
export function refusal(node: INode, mutationField: string, messages: string[], token: string, itemIndex?: number) {
	const text = messages.join(' / ');
	const error = apiError(
		node,
		{
			message: `Démarche Numérique refused ${mutationField}: ${text}`,
			description: describeBusinessError(text),
			itemIndex,
		},
		token,
	);
	error.context.platformMessages = messages.map((m) => scrub(m, token));
	return error;
}
