import type { IDataObject, IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';
import { createHash } from 'crypto';

import type { DnFunctions } from './context';
import { backoffDelay } from './graphql';

export interface StorageResponse {
	status: number;
	body: Buffer;
	headers: IDataObject;
	/** Base64 MD5 of the body, the form of the platform's File `checksum`. */
	md5: string;
}

export interface DownloadSettings {
	timeoutMs?: number;
	maxRetries?: number;
	backoffBaseMs?: number;
	backoffMaxMs?: number;
}

const RETRYABLE = new Set([500, 502, 503, 504]);

/** A URL without its query string (signed URLs carry their signature there). */
export function describeUrl(url: string): string {
	try {
		const parsed = new URL(url);
		return `${parsed.host}${parsed.pathname}`;
	} catch {
		return 'an invalid URL';
	}
}

/**
 * GETs a signed file URL from the platform's object storage. Uses `httpRequest` with the URL as it
 * is and no credential: the API token must never reach a storage host. Retries 5xx and resets;
 * returns any other status to the caller (a 403 means the signature expired).
 */
export async function downloadFromStorage(
	this: DnFunctions,
	url: string,
	settings: DownloadSettings = {},
): Promise<StorageResponse> {
	const {
		timeoutMs = 300_000,
		maxRetries = 3,
		backoffBaseMs = 500,
		backoffMaxMs = 10_000,
	} = settings;
	const options: IHttpRequestOptions = {
		method: 'GET',
		url,
		encoding: 'arraybuffer',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: timeoutMs,
		// Storage hosts answer with the bytes; n8n must not try to parse them.
		json: false,
	};
	for (let attempt = 0; ; attempt++) {
		let response: IN8nHttpFullResponse;
		try {
			response = (await this.helpers.httpRequest(options)) as IN8nHttpFullResponse;
		} catch (error) {
			if (attempt < maxRetries) {
				await sleep(backoffDelay(attempt, backoffBaseMs, backoffMaxMs));
				continue;
			}
			const code =
				(error as { code?: string; cause?: { code?: string } }).code ??
				(error as { cause?: { code?: string } }).cause?.code;
			throw new NodeOperationError(
				this.getNode(),
				`Could not reach ${describeUrl(url)} (${code ?? 'network error'})`,
				{
					description:
						"Check that this n8n server can reach the platform's file storage (proxy, firewall, DNS), then retry.",
				},
			);
		}
		const status = Number(response.statusCode);
		if (RETRYABLE.has(status) && attempt < maxRetries) {
			await sleep(backoffDelay(attempt, backoffBaseMs, backoffMaxMs));
			continue;
		}
		const body = Buffer.isBuffer(response.body)
			? response.body
			: Buffer.from((response.body ?? '') as string);
		return {
			status,
			body,
			headers: (response.headers ?? {}) as IDataObject,
			md5: createHash('md5').update(body).digest('base64'),
		};
	}
}
