'use strict';
/**
 * File bytes and signed URLs. Seeded files have deterministic bytes derived from (seed, key);
 * uploaded files (part 2) live in `store.blobs`. URLs point at the storage listener (another
 * port AND another host name) and carry, as the platform's OpenStack Swift temporary URLs do, a
 * signature (`temp_url_sig`) and an expiry in Unix seconds (`temp_url_expires`, 1 hour, sandbox clock).
 */
const crypto = require('crypto');
const { rng, md5Base64, hmacHex } = require('./util');

const URL_LIFETIME_MS = 3600 * 1000;
const CHECKSUM_CACHE_LIMIT = 100000;
/** Seeded files up to 2 GiB (served in chunks, never whole in memory). */
const MAX_SEEDED_BYTES = 2 * 1024 ** 3;
/** Chunks of seeded content: a whole number of patterns, about 1 MiB. */
const PATTERNS_PER_CHUNK = 4177;

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
		if (!Number.isInteger(byteSize) || byteSize < 0 || byteSize > MAX_SEEDED_BYTES) return null;
		const header = Buffer.from(`%PDF-1.4\n% sandbox file ${key}\n`).subarray(0, byteSize);
		const r = rng(this.store.seed, 'bytes', key);
		const pattern = Buffer.alloc(251);
		for (let i = 0; i < pattern.length; i++) pattern[i] = 32 + Math.floor(r.next() * 90);
		return { byteSize, header, pattern };
	}

	/**
	 * The bytes of seeded content in order, about 1 MiB at a time: the header, then the pattern
	 * repeated (each chunk after the header starts where the pattern starts).
	 */
	*seededChunks(layout) {
		if (layout.header.length) yield layout.header;
		let remaining = layout.byteSize - layout.header.length;
		if (remaining <= 0) return;
		const patterns = Math.min(PATTERNS_PER_CHUNK, Math.ceil(remaining / layout.pattern.length));
		const block = Buffer.alloc(layout.pattern.length * patterns);
		for (let offset = 0; offset < block.length; offset += layout.pattern.length)
			layout.pattern.copy(block, offset);
		while (remaining > 0) {
			const size = Math.min(block.length, remaining);
			yield size === block.length ? block : block.subarray(0, size);
			remaining -= size;
		}
	}

	/** Bytes of a file key, whole: an uploaded blob, or deterministic content for seeded keys (`...-<byteSize>`). */
	bytes(key) {
		const blob = this.store.blobs.get(key);
		if (blob) return blob.buffer;
		const layout = this.seededLayout(key);
		if (!layout) return null;
		return Buffer.concat([...this.seededChunks(layout)], layout.byteSize);
	}

	/** Size and chunks of a file key, to serve it without holding a large file whole; or null. */
	content(key) {
		const blob = this.store.blobs.get(key);
		if (blob) return { byteSize: blob.buffer.length, chunks: [blob.buffer] };
		const layout = this.seededLayout(key);
		if (!layout) return null;
		return { byteSize: layout.byteSize, chunks: this.seededChunks(layout) };
	}

	/** MD5 of a key's bytes without materialising seeded content. */
	md5(key) {
		const blob = this.store.blobs.get(key);
		if (blob) return md5Base64(blob.buffer);
		const layout = this.seededLayout(key);
		if (!layout) return md5Base64(Buffer.alloc(0));
		const hash = crypto.createHash('md5');
		for (const chunk of this.seededChunks(layout)) hash.update(chunk);
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

	/**
	 * A signed, expiring storage URL for a FileRef, with the query parameters of a Swift temporary
	 * URL (`temp_url_sig`, `temp_url_expires` in Unix seconds); `ct` is the sandbox's own (Swift
	 * serves the content type stored with the object). `expires` (Unix seconds) for tests.
	 */
	url(file, { expires = Math.floor((this.store.clock.now() + URL_LIFETIME_MS) / 1000) } = {}) {
		const sig = this.signature(file.key, file.filename, file.contentType, expires);
		const params = new URLSearchParams({
			ct: file.contentType,
			temp_url_sig: sig,
			temp_url_expires: String(expires),
		});
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
		const expires = Number(searchParams.get('temp_url_expires'));
		const sig = searchParams.get('temp_url_sig') || '';
		if (sig !== this.signature(key, filename, contentType, expires))
			return { ok: false, reason: 'bad signature', status: 403 };
		if (!Number.isFinite(expires) || expires * 1000 < this.store.clock.now())
			return { ok: false, reason: 'expired', status: 403 };
		return { ok: true, key, filename, contentType };
	}
}

module.exports = { Files, URL_LIFETIME_MS };
