import type {
	IBinaryData,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
} from 'n8n-workflow';
import { BINARY_ENCODING, NodeOperationError, sleep } from 'n8n-workflow';
import { createHash } from 'crypto';

import { backoffDelay } from './graphql';

/** A response body as a stream, the form `prepareBinaryData` stores without holding it whole. */
export type StorageBody = Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0];

export interface StorageResponse {
	status: number;
	/** The bytes, as a stream: hand it to `prepareBinaryData`, or `discard` it. */
	body: StorageBody;
	headers: IDataObject;
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

/** Lets go of a response body that will not be read. */
export function discard(body: StorageBody | undefined): void {
	(body as { destroy?: () => void } | undefined)?.destroy?.();
}

/**
 * Opens a signed file URL of the platform's object storage. Uses `httpRequest` with the URL as it
 * is and no credential: the API token must never reach a storage host. The body comes back as a
 * stream so a large file is written where n8n keeps binary data without sitting whole in memory.
 * Retries 5xx and resets; returns any other status to the caller (403: the signature expired).
 */
export async function openFromStorage(
	this: IExecuteFunctions,
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
		encoding: 'stream',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: timeoutMs,
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
			const cause = error as { code?: string; cause?: { code?: string } };
			const code = cause.code ?? cause.cause?.code ?? 'network error';
			// The code goes in the description: n8n rewrites messages that carry it.
			throw new NodeOperationError(
				this.getNode(),
				`Could not reach the file storage at ${describeUrl(url)}`,
				{
					description: `The connection failed (${code}) ${maxRetries + 1} times. Check that this n8n server can reach the platform's file storage (proxy, firewall, DNS), then retry.`,
				},
			);
		}
		const status = Number(response.statusCode);
		const body = response.body as StorageBody;
		if (RETRYABLE.has(status) && attempt < maxRetries) {
			discard(body);
			await sleep(backoffDelay(attempt, backoffBaseMs, backoffMaxMs));
			continue;
		}
		return { status, body, headers: (response.headers ?? {}) as IDataObject };
	}
}

/**
 * Base64 MD5 of stored binary data (the form of the platform's File `checksum`), read back in
 * chunks when n8n keeps it outside memory.
 */
export async function md5OfBinary(ctx: IExecuteFunctions, binary: IBinaryData): Promise<string> {
	const hash = createHash('md5');
	if (binary.id) {
		const stream = await ctx.helpers.getBinaryStream(binary.id);
		for await (const chunk of stream) hash.update(chunk as Buffer);
	} else {
		hash.update(Buffer.from(binary.data, BINARY_ENCODING));
	}
	return hash.digest('base64');
}
