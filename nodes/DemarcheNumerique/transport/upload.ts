import { createHash } from 'crypto';
import type { IExecuteFunctions, IN8nHttpFullResponse } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { CREATE_DIRECT_UPLOAD } from '../graphql/mutations';
import { apiError, isReadOnlyRefusal } from './errors';
import { sendMutation } from './graphql';

export interface DirectUpload {
	url: string;
	/** JSON-encoded headers the storage host expects on the PUT, verbatim. */
	headers: string;
	blobId: string;
	signedBlobId: string;
}

export interface UploadedFile {
	signedBlobId: string;
	filename: string;
	contentType: string;
	byteSize: number;
	checksum: string;
}

/** The checksum the platform (Active Storage) expects: MD5 of the bytes, base64-encoded. */
export function md5Base64(data: Buffer): string {
	return createHash('md5').update(data).digest('base64');
}

/** Parses the `headers` string of a DirectUpload; anything but a flat string map is refused. */
export function parseUploadHeaders(raw: string): Record<string, string> {
	let parsed: unknown;
	try {
		parsed = JSON.parse(raw || '{}');
	} catch {
		parsed = undefined;
	}
	if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
		throw new Error('The platform returned upload headers that are not a JSON object');
	}
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
		headers[name] = String(value);
	}
	return headers;
}

/**
 * A read-only token's refusal of an upload, said plainly: newer platforms answer "Le jeton utilisé
 * est configuré seulement en lecture" (code unauthorized, PR #13547), older ones a null upload
 * (`invalid_null` on CreateDirectUploadPayload.directUpload) that says nothing of the cause.
 */
function readOnlyUpload(ctx: IExecuteFunctions, error: unknown, filename: string, itemIndex: number) {
	const details = error as { message?: string; context?: { code?: string } };
	if (!isReadOnlyRefusal({ message: details?.message, code: details?.context?.code })) return undefined;
	return apiError(ctx.getNode(), {
		message: `This token is read-only: the platform refused to upload "${filename}"`,
		description: `Uploading a file is a change. Create a token with write access ("lecture et écriture") in /profil and update the credential. The platform answered: ${details.message}`,
		code: details?.context?.code,
		itemIndex,
	});
}

/**
 * Uploads one input binary property to the platform's storage in the three steps of a direct
 * upload: declare it (`createDirectUpload` with the base64 MD5), PUT the bytes to the returned
 * URL with exactly the returned headers (never the API token: the URL is another host), and hand
 * back the signed blob ID that a mutation accepts for one hour.
 */
export async function uploadBinary(
	this: IExecuteFunctions,
	options: { dossierId: string; itemIndex: number; binaryPropertyName: string },
): Promise<UploadedFile> {
	const { itemIndex, binaryPropertyName } = options;
	const binary = this.helpers.assertBinaryData(itemIndex, binaryPropertyName);
	const data = await this.helpers.getBinaryDataBuffer(itemIndex, binaryPropertyName);
	if (data.length === 0) {
		throw new NodeOperationError(this.getNode(), `The binary property "${binaryPropertyName}" is empty`, {
			itemIndex,
			description: 'The platform refuses empty files. Check the node that produced the file.',
		});
	}
	const file = {
		filename: binary.fileName || `${binaryPropertyName}${binary.fileExtension ? `.${binary.fileExtension}` : ''}`,
		contentType: binary.mimeType || 'application/octet-stream',
		byteSize: data.length,
		checksum: md5Base64(data),
	};

	// Each call makes a new unattached blob (purged later): safe to send again after a failure.
	const payload = await sendMutation
		.call(
			this,
			{ ...CREATE_DIRECT_UPLOAD, variables: { input: { dossierId: options.dossierId, ...file } } },
			{ itemIndex, intent: 'repeatable-change' },
		)
		.catch((error: unknown) => {
			throw readOnlyUpload(this, error, file.filename, itemIndex) ?? error;
		});
	const directUpload = payload.directUpload as DirectUpload | undefined;
	if (!directUpload?.url || !directUpload.signedBlobId) {
		throw apiError(this.getNode(), {
			message: 'The platform did not return an upload URL',
			description: 'The file was not uploaded. Retry the item; if it persists, check the platform\'s status.',
			itemIndex,
		});
	}

	let headers: Record<string, string>;
	try {
		headers = parseUploadHeaders(directUpload.headers);
	} catch (error) {
		throw apiError(this.getNode(), {
			message: (error as Error).message,
			description: 'The file was not uploaded. Retry the item; if it persists, report it to the platform support.',
			itemIndex,
		});
	}

	// httpRequest, not …WithAuthentication: the storage host must never see the API token.
	let response: IN8nHttpFullResponse;
	try {
		response = (await this.helpers.httpRequest({
			method: 'PUT',
			url: directUpload.url,
			headers,
			body: data,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			encoding: 'text',
		})) as IN8nHttpFullResponse;
	} catch (error) {
		const code = (error as { code?: string }).code;
		throw apiError(this.getNode(), {
			message: `Could not upload "${file.filename}" to the platform's storage (${code ?? 'network error'})`,
			description: `Check that this n8n server can reach ${new URL(directUpload.url).host} (proxy, firewall, DNS), then retry.`,
			itemIndex,
			code,
		});
	}
	const status = Number(response.statusCode);
	if (status < 200 || status >= 300) {
		const body = String(response.body ?? '').slice(0, 300);
		throw apiError(this.getNode(), {
			message: `The platform's storage refused "${file.filename}" (HTTP ${status})${body ? `: ${body}` : ''}`,
			description:
				status === 403
					? 'The upload URL expired or its signature was refused. Retry the item so a new upload URL is requested.'
					: status === 400 || status === 422
						? 'The storage found that the bytes do not match the declared size or checksum. Retry the item; if it persists, check the binary data.'
						: 'Retry the item; if it persists, check the platform\'s status.',
			httpCode: String(status),
			itemIndex,
		});
	}
	return { signedBlobId: directUpload.signedBlobId, ...file };
}
