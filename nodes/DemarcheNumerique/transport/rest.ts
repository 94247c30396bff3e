import type { IDataObject, IN8nHttpFullResponse } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import type { DnFunctions } from './context';
import { getDnCredentials, instanceUrlProblem } from './context';
import { apiError } from './errors';
import { rateLimitWait } from './responses';
import { userRequestSettings } from './settings';

/** A REST answer's body: parsed JSON, or the text as it came (an HTML error page, the 429 text). */
function jsonOrText(body: unknown): unknown {
	if (typeof body !== 'string' && !Buffer.isBuffer(body)) return body;
	const text = body.toString();
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return text;
	}
}

export interface PrefillRequest {
	demarcheNumber: number;
	method: 'POST' | 'GET';
	/** POST: `{ "champ_<id>": value, identite_… }`. */
	body?: IDataObject;
	/** GET: the prefill tokens whose status is wanted. */
	prefillTokens?: string[];
	itemIndex?: number;
	/** Upper bound on the time spent waiting for the endpoint's rate limit, in ms. */
	maxThrottleWaitMs?: number;
}

/** `{base}/api/public/v1/demarches/{number}/dossiers`: the public prefill endpoint. */
export function prefillUrl(baseUrl: string, demarcheNumber: number): string {
	return `${baseUrl}/api/public/v1/demarches/${demarcheNumber}/dossiers`;
}

function platformMessage(body: unknown): string | undefined {
	if (!body) return undefined;
	let json = body;
	if (typeof body === 'string') {
		try {
			json = JSON.parse(body);
		} catch {
			return body.trim().slice(0, 300) || undefined;
		}
	}
	const object = json as { error?: unknown; errors?: unknown; message?: unknown };
	const found = object.errors ?? object.error ?? object.message;
	if (Array.isArray(found)) return found.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))).join(' / ');
	return found === undefined ? undefined : typeof found === 'string' ? found : JSON.stringify(found);
}

/**
 * Calls the public prefill REST endpoint. It needs no token, so none is sent (plain httpRequest);
 * the body is sent as a JSON string with exactly `Content-Type: application/json`, because the
 * platform refuses a charset suffix.
 */
export async function prefillRequest(this: DnFunctions, request: PrefillRequest): Promise<unknown> {
	const { baseUrl } = await getDnCredentials(this);
	const node = this.getNode();
	const unsafe = instanceUrlProblem(baseUrl);
	if (unsafe) throw apiError(node, { ...unsafe, itemIndex: request.itemIndex });
	const maxWait =
		request.maxThrottleWaitMs ?? userRequestSettings(this, request.itemIndex).maxThrottleWaitMs ?? 60_000;
	const url = prefillUrl(baseUrl, request.demarcheNumber);
	let waited = 0;
	for (;;) {
		let response: IN8nHttpFullResponse;
		try {
			response = (await this.helpers.httpRequest(
				request.method === 'POST'
					? {
							method: 'POST',
							url,
							headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
							body: JSON.stringify(request.body ?? {}),
							returnFullResponse: true,
							ignoreHttpStatusErrors: true,
						}
					: {
							method: 'GET',
							url,
							qs: { prefill_token: (request.prefillTokens ?? []).join(',') },
							headers: { Accept: 'application/json' },
							returnFullResponse: true,
							ignoreHttpStatusErrors: true,
						},
			)) as IN8nHttpFullResponse;
		} catch (error) {
			const code = (error as { code?: string }).code;
			throw apiError(node, {
				message: `Could not reach ${baseUrl} (${code ?? 'network error'})`,
				description: 'Check the Instance URL in the credential and that this n8n server can reach it.',
				itemIndex: request.itemIndex,
				code,
			});
		}
		const status = Number(response.statusCode);
		if (status === 429) {
			const wait = rateLimitWait(response.headers as IDataObject);
			if (waited + wait > maxWait) {
				throw apiError(node, {
					message: 'The prefill endpoint\'s rate limit was reached (HTTP 429)',
					description:
						`The platform allows 15 prefill requests per 15 seconds per IP address, and this node already waited ${Math.round(waited / 1000)} s. Raise "Max Rate Limit Wait", or slow the workflow down (for example with a Wait node or smaller batches).`,
					httpCode: '429',
					itemIndex: request.itemIndex,
				});
			}
			waited += wait;
			await sleep(wait);
			continue;
		}
		const body = jsonOrText(response.body);
		if (status >= 200 && status < 300) return body;
		const message = platformMessage(body);
		throw apiError(node, {
			message: `The prefill endpoint answered HTTP ${status}${message ? `: ${message}` : ''}`,
			description:
				status === 404
					? 'No démarche with this number accepts prefilled dossiers on this instance: only published and test (brouillon) démarches do, not closed or unpublished ones. Check the number and the démarche\'s state.'
					: status === 400 || status === 415 || status === 422
						? 'The platform refused the request body. Check the field names (champ_<champ ID>, identite_prenom, identite_nom, identite_genre) and values.'
						: 'Retry later; if it persists, check the platform\'s status.',
			httpCode: String(status),
			itemIndex: request.itemIndex,
		});
	}
}

/** What the public description of a démarche gives (its DemarcheDescriptor, as JSON). */
export interface PublicDemarche {
	number: number;
	title?: string;
}

/**
 * The démarche behind a public link (`…/commencer/<path>`). The GraphQL API finds démarches by
 * number or ID only; the platform's public prefill description `GET /preremplir/<path>/schema`
 * (no token) answers the démarche's descriptor, number included, for published and test
 * (brouillon) démarches that are open data, and 404 otherwise.
 */
export async function publicDemarcheByPath(
	this: DnFunctions,
	path: string,
	itemIndex?: number,
): Promise<PublicDemarche> {
	const { baseUrl } = await getDnCredentials(this);
	const node = this.getNode();
	const unsafe = instanceUrlProblem(baseUrl);
	if (unsafe) throw apiError(node, { ...unsafe, itemIndex });
	const url = `${baseUrl}/preremplir/${encodeURIComponent(path)}/schema`;
	let response: IN8nHttpFullResponse;
	try {
		response = (await this.helpers.httpRequest({
			method: 'GET',
			url,
			headers: { Accept: 'application/json' },
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		})) as IN8nHttpFullResponse;
	} catch (error) {
		const code = (error as { code?: string }).code;
		throw apiError(node, {
			message: `Could not reach ${baseUrl} (${code ?? 'network error'})`,
			description: 'Check the Instance URL in the credential and that this n8n server can reach it.',
			itemIndex,
			code,
		});
	}
	const status = Number(response.statusCode);
	const body = jsonOrText(response.body);
	const number = Number((body as { number?: unknown } | null)?.number);
	if (status >= 200 && status < 300 && Number.isSafeInteger(number) && number > 0) {
		return { number, title: (body as { title?: string }).title };
	}
	const problem = status === 404 ? undefined : platformMessage(body);
	throw apiError(node, {
		message:
			status === 404
				? `No démarche found for the public link "…/commencer/${path}"`
				: `The platform did not say which démarche "…/commencer/${path}" is (HTTP ${status}${problem ? `: ${problem}` : ''})`,
		description:
			'The platform names a démarche from its public link only when it is published or in test, and open data. Otherwise use its number: the digits in the administration URL …/procedures/<number>, with the "By Number" mode or such a URL.',
		httpCode: String(status),
		itemIndex,
	});
}
