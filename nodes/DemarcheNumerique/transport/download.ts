import type {
	IBinaryData,
	IExecuteFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';
import type { Hash } from 'crypto';
import { createHash } from 'crypto';

import { backoffDelay } from './graphql';

/** What `prepareBinaryData` stores: a buffer, or a stream it writes without holding it whole. */
export type StorageBody = Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0];

export interface DownloadSettings {
	timeoutMs?: number;
	maxRetries?: number;
	backoffBaseMs?: number;
	backoffMaxMs?: number;
}

/** A file to download: its signed link and what the platform says about it. */
export interface StorageFile {
	url: string;
	fileName: string;
	mimeType: string;
}

/** A file stored in n8n's binary data, with the MD5 of the bytes as they were received. */
export interface StoredFile {
	status: number;
	binary: IBinaryData;
	/** Base64 MD5, the form of the platform's File `checksum`. */
	md5: string;
	bytes: number;
}

/** A storage answer other than 2xx: its status, the body already let go. */
export interface RefusedDownload {
	status: number;
	binary?: undefined;
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
 * When a signed storage link stops working (epoch ms), read from its query string; undefined when
 * the link does not say. The platform signs its links for one hour (ActiveStorage
 * `service_urls_expire_in`) with the storage service it runs on (config/storage.yml): OpenStack
 * Swift temporary URLs (`temp_url_expires`, Unix seconds or ISO 8601) or S3 presigned URLs
 * (`X-Amz-Date` + `X-Amz-Expires`). The PDF export's link (a signed id on the API host) says nothing.
 */
export function linkExpiry(url: string): number | undefined {
	let params: URLSearchParams;
	try {
		params = new URL(url).searchParams;
	} catch {
		return undefined;
	}
	const swift = params.get('temp_url_expires');
	if (swift) {
		if (/^\d+$/.test(swift)) return Number(swift) * 1000;
		const at = Date.parse(swift);
		return Number.isNaN(at) ? undefined : at;
	}
	const amzDate = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(
		params.get('X-Amz-Date') ?? '',
	);
	const amzExpires = params.get('X-Amz-Expires') ?? '';
	if (amzDate && /^\d+$/.test(amzExpires)) {
		const [, y, mo, d, h, mi, s] = amzDate.map(Number);
		return Date.UTC(y, mo - 1, d, h, mi, s) + Number(amzExpires) * 1000;
	}
	return undefined;
}

/** Lets go of a response body that will not be read. */
export function discard(body: unknown): void {
	(body as { destroy?: () => void } | undefined)?.destroy?.();
}

/**
 * Node's Readable class, reached through a stream n8n handed us: the lint of community nodes
 * forbids importing `stream`. Readable.prototype is the first prototype of any Node stream (an
 * IncomingMessage, a decompressing Transform…) that defines `read` itself.
 */
function readableClassOf(
	stream: unknown,
): { from(source: AsyncIterable<Buffer>, options?: object): StorageBody } | undefined {
	for (let proto = Object.getPrototypeOf(stream); proto; proto = Object.getPrototypeOf(proto)) {
		if (Object.prototype.hasOwnProperty.call(proto, 'read')) {
			const candidate = (proto as { constructor?: { from?: unknown } }).constructor;
			return typeof candidate?.from === 'function'
				? (candidate as { from(source: AsyncIterable<Buffer>, options?: object): StorageBody })
				: undefined;
		}
	}
	return undefined;
}

/** The chunks of `body`, each added to the hash and counted on its way to n8n's store. */
async function* hashedChunks(body: AsyncIterable<Buffer>, hash: Hash, counter: { bytes: number }) {
	for await (const chunk of body) {
		hash.update(chunk);
		counter.bytes += chunk.length;
		yield chunk;
	}
}

/** The error a response stream broke with (a reset mid-file), if it did. */
function streamError(body: unknown): unknown {
	return (body as { errored?: unknown } | null)?.errored ?? undefined;
}

/**
 * Downloads a signed file URL of the platform's object storage into n8n's binary data, computing
 * its MD5 chunk by chunk as the file streams to where n8n keeps binary data: n8n's `filesystem`
 * mode writes it to disk as it comes, so memory stays bounded whatever the size (its in-memory
 * `default` mode holds every file whole anyway). Small files take the same path: receiving them
 * whole (axios' arraybuffer) measured 30 to 40 % more CPU per megabyte, the extra copy and its
 * garbage collection (bench/RESULTS.md, Attachments).
 *
 * Uses `httpRequest` with the URL as it is and no credential: the API token must never reach a
 * storage host. Retries 5xx, resets and a body cut short; hands any other status back unread
 * (403 or 401: the signature expired).
 */
export async function downloadToBinary(
	this: IExecuteFunctions,
	file: StorageFile,
	settings: DownloadSettings = {},
): Promise<StoredFile | RefusedDownload> {
	const {
		timeoutMs = 300_000,
		maxRetries = 3,
		backoffBaseMs = 500,
		backoffMaxMs = 10_000,
	} = settings;
	const options: IHttpRequestOptions = {
		method: 'GET',
		url: file.url,
		encoding: 'stream',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: timeoutMs,
		json: false,
	};
	for (let attempt = 0; ; attempt++) {
		const retry = attempt < maxRetries;
		let response: IN8nHttpFullResponse;
		try {
			response = (await this.helpers.httpRequest(options)) as IN8nHttpFullResponse;
		} catch (error) {
			if (retry) {
				await sleep(backoffDelay(attempt, backoffBaseMs, backoffMaxMs));
				continue;
			}
			throw unreachable(this, file.url, error, maxRetries);
		}
		const status = Number(response.statusCode);
		if (status < 200 || status >= 300) {
			discard(response.body);
			if (RETRYABLE.has(status) && retry) {
				await sleep(backoffDelay(attempt, backoffBaseMs, backoffMaxMs));
				continue;
			}
			return { status };
		}
		const stored = await store(this, response.body, file).then(
			(result) => ({ result, error: undefined }),
			(error: unknown) => ({ result: undefined, error }),
		);
		if (stored.result) return { status, ...stored.result };
		const cutShort = streamError(response.body);
		if (cutShort === undefined) throw storeFailure(this, file, stored.error);
		// A reset mid-file: the download starts over.
		if (retry) {
			await sleep(backoffDelay(attempt, backoffBaseMs, backoffMaxMs));
			continue;
		}
		throw unreachable(this, file.url, cutShort, maxRetries);
	}
}

async function store(
	ctx: IExecuteFunctions,
	body: unknown,
	file: StorageFile,
): Promise<Omit<StoredFile, 'status'>> {
	const hash = createHash('md5');
	const Readable = readableClassOf(body);
	if (!Readable) {
		discard(body);
		throw new NodeOperationError(
			ctx.getNode(),
			'The file storage answered with an unreadable body',
			{
				description: `The answer for ${describeUrl(file.url)} was not a stream n8n can store. Retry; if it persists, report it with your n8n version.`,
			},
		);
	}
	const counter = { bytes: 0 };
	const source = Readable.from(hashedChunks(body as AsyncIterable<Buffer>, hash, counter), {
		objectMode: false,
	});
	const binary = await ctx.helpers.prepareBinaryData(source, file.fileName, file.mimeType);
	return { binary, md5: hash.digest('base64'), bytes: counter.bytes };
}

/** n8n could not store a file it was receiving (its own error kept as the cause). */
function storeFailure(ctx: IExecuteFunctions, file: StorageFile, error: unknown) {
	if (error instanceof NodeOperationError || error instanceof NodeApiError) return error;
	return new NodeOperationError(ctx.getNode(), error as Error, {
		message: `n8n could not store the file "${file.fileName}"`,
		description: `${(error as Error)?.message ?? String(error)}. Check the space and permissions of n8n's binary data storage, then retry.`,
	});
}

function unreachable(ctx: IExecuteFunctions, url: string, error: unknown, maxRetries: number) {
	const cause = error as { code?: string; cause?: { code?: string } };
	const code = cause.code ?? cause.cause?.code ?? 'network error';
	// The code goes in the description: n8n rewrites messages that carry it.
	return new NodeOperationError(
		ctx.getNode(),
		`Could not reach the file storage at ${describeUrl(url)}`,
		{
			description: `The connection failed (${code}) ${maxRetries + 1} times. Check that this n8n server can reach the platform's file storage (proxy, firewall, DNS), then retry.`,
		},
	);
}
