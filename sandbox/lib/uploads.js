'use strict';
/**
 * Direct uploads, as ActiveStorage does them on the platform:
 *   createDirectUpload(dossierId, filename, byteSize, checksum = base64 MD5, contentType)
 *   → {url (signed PUT on the storage listener, 1 hour), headers (JSON: Content-Type, Content-MD5),
 *      blobId, signedBlobId (signed, valid 1 hour)}
 *   PUT bytes → the storage listener checks signature, expiry, Content-MD5 and the MD5 of the body.
 * Part 2's mutations resolve an attachment with `uploads.resolveSignedBlobId(id)`.
 */
const { GraphQLError } = require('graphql');
const { md5Base64, hmacHex } = require('./util');

const LIFETIME_MS = 3600 * 1000;

function graphqlError(message, code) {
	return new GraphQLError(message, { extensions: code ? { code } : {} });
}

class DirectUploads {
	/** @param {{store: import('./store').Store, secret: string, storageBaseUrl: () => string, backend?: () => string}} options */
	constructor({ store, secret, storageBaseUrl, backend = () => 's3' }) {
		this.store = store;
		this.backend = backend;
		this.secret = secret;
		this.storageBaseUrl = storageBaseUrl;
		this.blobs = new Map(); // blobId → {id, key, filename, byteSize, checksum, contentType, dossier, createdAt, uploaded}
		this.nextId = 1;
	}

	sign(data) {
		return hmacHex(this.secret, `upload\n${data}`);
	}

	/**
	 * The createDirectUpload mutation, for a dossier already loaded (mutations.js `loadDossier`:
	 * not found, hidden). `byteSize` of 0 or less: not read upstream (sandbox wording).
	 */
	create(input, record) {
		if (!(input.byteSize > 0)) throw graphqlError('byteSize doit être supérieur à 0');
		const id = this.nextId++;
		const blob = {
			id,
			key: `blob${id}-${input.byteSize}`,
			filename: input.filename,
			byteSize: input.byteSize,
			checksum: input.checksum,
			contentType: input.contentType,
			dossier: record.number,
			createdAt: this.store.now(),
			uploaded: false,
		};
		this.blobs.set(id, blob);
		const expires = Math.floor((this.store.now() + LIFETIME_MS) / 1000);
		const url = `${this.storageBaseUrl()}/uploads/${blob.key}?expires=${expires}&sig=${this.sign(`${blob.key}\n${expires}`)}`;
		return {
			clientMutationId: input.clientMutationId || null,
			directUpload: {
				url,
				headers: JSON.stringify(this.uploadHeaders(blob)),
				blobId: String(id),
				signedBlobId: this.signedBlobId(blob, expires),
			},
		};
	}

	/**
	 * The headers the storage expects, backend by backend (a client sends them verbatim): S3
	 * `{Content-Type, Content-MD5}`; OpenStack Swift (`uploadBackend: 'swift'`, the platform's
	 * production storage) `{Content-Type, ETag: <hex MD5>}`.
	 */
	uploadHeaders(blob) {
		if (this.backend() === 'swift')
			return {
				'Content-Type': blob.contentType,
				ETag: Buffer.from(blob.checksum, 'base64').toString('hex'),
			};
		return { 'Content-Type': blob.contentType, 'Content-MD5': blob.checksum };
	}

	signedBlobId(blob, expires) {
		const payload = Buffer.from(JSON.stringify({ blob: blob.id, exp: expires })).toString(
			'base64url',
		);
		return `${payload}--${this.sign(payload)}`;
	}

	/**
	 * For part 2's mutations (attachment, justificatif).
	 * @returns {{ok: true, blob: object, file: object} | {ok: false, reason: 'invalid'|'expired'|'not_uploaded'|'checksum', message: string}} file: a FileRef for the store
	 */
	resolveSignedBlobId(signedBlobId) {
		const [payload, signature] = String(signedBlobId || '').split('--');
		if (!payload || signature !== this.sign(payload))
			return { ok: false, reason: 'invalid', message: 'Le fichier envoyé est invalide' };
		const { blob: id, exp } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
		if (exp * 1000 < this.store.now())
			return { ok: false, reason: 'expired', message: 'Le lien du fichier envoyé a expiré' };
		const blob = this.blobs.get(id);
		if (blob && !blob.uploaded && blob.digestMismatch)
			return {
				ok: false,
				reason: 'checksum',
				message: 'Le hash du fichier téléversé est invalide',
			};
		if (!blob || !blob.uploaded)
			return { ok: false, reason: 'not_uploaded', message: 'Le fichier n’a pas été téléversé' };
		return {
			ok: true,
			blob,
			file: {
				key: blob.key,
				filename: blob.filename,
				contentType: blob.contentType,
				byteSize: blob.byteSize,
				createdAt: blob.createdAt,
				checksum: blob.checksum,
			},
		};
	}

	/** Storage listener route: PUT /uploads/<key>. @returns {boolean} handled */
	handlePut(req, res, url, rawBody) {
		const match = /^\/uploads\/(blob(\d+)-\d+)$/.exec(url.pathname);
		if (!match) return false;
		const reply = (status, code, message) => {
			res.writeHead(status, { 'Content-Type': 'application/xml' });
			res.end(
				`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
			);
			return true;
		};
		if (req.method !== 'PUT') return reply(405, 'MethodNotAllowed', 'PUT only');
		const key = match[1];
		const expires = Number(url.searchParams.get('expires'));
		if (url.searchParams.get('sig') !== this.sign(`${key}\n${expires}`))
			return reply(403, 'AccessDenied', 'bad signature');
		if (expires * 1000 < this.store.now()) return reply(403, 'AccessDenied', 'Request has expired');
		const blob = this.blobs.get(Number(match[2]));
		if (!blob) return reply(404, 'NoSuchUpload', 'unknown upload');
		// Remembered so a mutation given this blob answers the platform's checksum error.
		const swift = this.backend() === 'swift';
		const declared = swift
			? Buffer.from(String(req.headers.etag || ''), 'hex').toString('base64')
			: req.headers['content-md5'];
		const digestMismatch = declared !== blob.checksum || md5Base64(rawBody) !== blob.checksum;
		if (digestMismatch) blob.digestMismatch = true;
		// Swift answers 422 Unprocessable Entity when the ETag does not match the body (inferred).
		if (swift && digestMismatch) return reply(422, 'Unprocessable', 'The ETag does not match the body.');
		if (!swift && req.headers['content-md5'] !== blob.checksum)
			return reply(
				400,
				'BadDigest',
				'The Content-MD5 you specified did not match what was signed.',
			);
		if (md5Base64(rawBody) !== blob.checksum)
			return reply(
				400,
				'BadDigest',
				'The Content-MD5 you specified did not match what we received.',
			);
		if (rawBody.length !== blob.byteSize)
			return reply(400, 'IncompleteBody', 'The body size does not match the declared byteSize.');
		this.store.blobs.set(blob.key, {
			buffer: Buffer.from(rawBody),
			contentType: blob.contentType,
			filename: blob.filename,
		});
		blob.uploaded = true;
		res.writeHead(200, { 'Content-Length': 0 });
		res.end();
		return true;
	}
}

module.exports = { DirectUploads, LIFETIME_MS };
