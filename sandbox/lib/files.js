'use strict';
/**
 * File bytes and signed URLs. Seeded files have deterministic bytes derived from (seed, key);
 * uploaded files (part 2) live in `store.blobs`. URLs point at the storage listener (another
 * port AND another host name) and carry an HMAC signature and an expiry (1 hour, sandbox clock).
 */
const crypto = require('crypto');
const { rng, md5Base64, hmacHex } = require('./util');

const URL_LIFETIME_MS = 3600 * 1000;
const CHECKSUM_CACHE_LIMIT = 100000;

class Files {
	/** @param {{store: import('./store').Store, secret: string, storageBaseUrl: () => string}} options */
	constructor({ store, secret, storageBaseUrl }) {
		this.store = store;
		this.secret = secret;
		this.storageBaseUrl = storageBaseUrl;
		this.checksums = new Map();
	}

	/**
	 * Seeded content: a key-specific header, then a key-specific 251-byte pattern repeated
	 * (distinct files, cheap to make). @returns {{byteSize: number, header: Buffer, pattern: Buffer} | null}
	 */
	seededLayout(key) {
		const byteSize = Number(String(key).split('-').pop());
		if (!Number.isInteger(byteSize) || byteSize < 0 || byteSize > 50 * 1024 * 1024) return null;
		const header = Buffer.from(`%PDF-1.4\n% sandbox file ${key}\n`).subarray(0, byteSize);
		const r = rng(this.store.seed, 'bytes', key);
		const pattern = Buffer.alloc(251);
		for (let i = 0; i < pattern.length; i++) pattern[i] = 32 + Math.floor(r.next() * 90);
		return { byteSize, header, pattern };
	}

	/** Bytes of a file key: an uploaded blob, or deterministic content for seeded keys (`...-<byteSize>`). */
	bytes(key) {
		const blob = this.store.blobs.get(key);
		if (blob) return blob.buffer;
		const layout = this.seededLayout(key);
		if (!layout) return null;
		const buffer = Buffer.alloc(layout.byteSize);
		layout.header.copy(buffer, 0);
		for (
			let offset = layout.header.length;
			offset < layout.byteSize;
			offset += layout.pattern.length
		) {
			layout.pattern.copy(
				buffer,
				offset,
				0,
				Math.min(layout.pattern.length, layout.byteSize - offset),
			);
		}
		return buffer;
	}

	/** MD5 of a key's bytes without materialising seeded content. */
	md5(key) {
		const blob = this.store.blobs.get(key);
		if (blob) return md5Base64(blob.buffer);
		const layout = this.seededLayout(key);
		if (!layout) return md5Base64(Buffer.alloc(0));
		const hash = crypto.createHash('md5').update(layout.header);
		for (
			let offset = layout.header.length;
			offset < layout.byteSize;
			offset += layout.pattern.length
		) {
			hash.update(
				layout.byteSize - offset >= layout.pattern.length
					? layout.pattern
					: layout.pattern.subarray(0, layout.byteSize - offset),
			);
		}
		return hash.digest('base64');
	}

	checksum(file) {
		if (file.checksum) return file.checksum;
		let sum = this.checksums.get(file.key);
		if (!sum) {
			if (this.checksums.size >= CHECKSUM_CACHE_LIMIT) this.checksums.clear();
			sum = this.md5(file.key);
			this.checksums.set(file.key, sum);
		}
		return sum;
	}

	signature(key, filename, contentType, expires) {
		return hmacHex(this.secret, `${key}\n${filename}\n${contentType}\n${expires}`);
	}

	/** A signed, expiring storage URL for a FileRef. */
	url(file) {
		const expires = Math.floor((this.store.clock.now() + URL_LIFETIME_MS) / 1000);
		const sig = this.signature(file.key, file.filename, file.contentType, expires);
		const params = new URLSearchParams({ ct: file.contentType, expires: String(expires), sig });
		return `${this.storageBaseUrl()}/blobs/${encodeURIComponent(file.key)}/${encodeURIComponent(file.filename)}?${params}`;
	}

	/**
	 * Checks a storage request. @returns {{ok: true, key, filename, contentType} | {ok: false, reason: string}}
	 */
	verify(pathname, searchParams) {
		const match = /^\/blobs\/([^/]+)\/([^/]+)$/.exec(pathname);
		if (!match) return { ok: false, reason: 'not found', status: 404 };
		const key = decodeURIComponent(match[1]);
		const filename = decodeURIComponent(match[2]);
		const contentType = searchParams.get('ct') || '';
		const expires = Number(searchParams.get('expires'));
		const sig = searchParams.get('sig') || '';
		if (sig !== this.signature(key, filename, contentType, expires))
			return { ok: false, reason: 'bad signature', status: 403 };
		if (!Number.isFinite(expires) || expires * 1000 < this.store.clock.now())
			return { ok: false, reason: 'expired', status: 403 };
		return { ok: true, key, filename, contentType };
	}
}

module.exports = { Files, URL_LIFETIME_MS };
