'use strict';
const { Readable } = require('stream');
const { createHash } = require('crypto');

const {
	describeUrl,
	downloadToBinary,
	linkExpiry,
} = require('../../nodes/DemarcheNumerique/transport/download');

const URL_SIGNED = 'https://storage.example/blobs/key/file.pdf?temp_url_sig=secret-signature&temp_url_expires=1';
const md5 = (buffer) => createHash('md5').update(buffer).digest('base64');
const FAST = { backoffBaseMs: 1, backoffMaxMs: 2 };

/** A context whose httpRequest answers from `responses` and whose prepareBinaryData reads what it is given. */
function fakeContext(responses) {
	const calls = [];
	const stored = [];
	return {
		calls,
		stored,
		getNode: () => ({ name: 'DN', type: 'x', typeVersion: 1, parameters: {} }),
		helpers: {
			httpRequest: async (options) => {
				calls.push(options);
				const next = responses.shift();
				if (next instanceof Error) throw next;
				return typeof next === 'function' ? next() : next;
			},
			httpRequestWithAuthentication: async () => {
				throw new Error('storage downloads must not use the credential');
			},
			prepareBinaryData: async (body, fileName, mimeType) => {
				const chunks = [];
				if (Buffer.isBuffer(body)) chunks.push(body);
				else for await (const chunk of body) chunks.push(chunk);
				const bytes = Buffer.concat(chunks);
				stored.push({ body, bytes, fileName, mimeType });
				return { data: bytes.toString('base64'), fileName, mimeType };
			},
		},
	};
}

const file = () => ({ url: URL_SIGNED, fileName: 'file.pdf', mimeType: 'application/pdf' });
const ok = (body) => ({ statusCode: 200, headers: {}, body });
const destroyed = [];
const refusedBody = (name) => ({ name, destroy: () => destroyed.push(name) });

/** A stream of `bytes` in 3 chunks that, with `failAfter`, breaks after that many chunks. */
function streamOf(bytes, failAfter) {
	const third = Math.ceil(bytes.length / 3);
	const chunks = [bytes.subarray(0, third), bytes.subarray(third, 2 * third), bytes.subarray(2 * third)];
	return Readable.from(
		(async function* () {
			for (const [index, chunk] of chunks.entries()) {
				if (index === failAfter) throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
				yield chunk;
			}
		})(),
		{ objectMode: false },
	);
}

describe('downloadToBinary', () => {
	it('streams the file to the store, hashing each chunk on the way: no credential, no headers', async () => {
		const bytes = Buffer.alloc(300_000, 7);
		bytes.write('%PDF-1.4');
		const source = streamOf(bytes);
		const ctx = fakeContext([ok(source)]);
		const stored = await downloadToBinary.call(ctx, file());
		expect(ctx.calls).toHaveLength(1);
		expect(ctx.calls[0]).toMatchObject({ method: 'GET', url: URL_SIGNED, encoding: 'stream' });
		expect(ctx.calls[0].headers).toBeUndefined();
		expect(ctx.calls[0].auth).toBeUndefined();
		// n8n gets a stream of its own (not the response), which yields the same bytes
		expect(Buffer.isBuffer(ctx.stored[0].body)).toBe(false);
		expect(ctx.stored[0].body).not.toBe(source);
		expect(ctx.stored[0].bytes.equals(bytes)).toBe(true);
		expect(ctx.stored[0]).toMatchObject({ fileName: 'file.pdf', mimeType: 'application/pdf' });
		expect(stored).toMatchObject({ status: 200, md5: md5(bytes), bytes: bytes.length });
	});

	it('starts a download over when the connection breaks mid-file, and fails clearly when it keeps breaking', async () => {
		const bytes = Buffer.alloc(90_000, 3);
		const ctx = fakeContext([ok(streamOf(bytes, 1)), ok(streamOf(bytes))]);
		const stored = await downloadToBinary.call(ctx, file(), FAST);
		expect(ctx.calls).toHaveLength(2);
		expect(stored.md5).toBe(md5(bytes));

		const broken = fakeContext([1, 2, 3, 4].map(() => () => ok(streamOf(bytes, 2))));
		const error = await downloadToBinary.call(broken, file(), FAST).catch((e) => e);
		expect(broken.calls).toHaveLength(4);
		expect(error.message).toBe('Could not reach the file storage at storage.example/blobs/key/file.pdf');
		expect(error.description).toMatch(/ECONNRESET/);
		expect(JSON.stringify(error)).not.toContain('secret-signature');
	});

	it('retries 5xx and resets, dropping the failed bodies, then stores the answer', async () => {
		const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
		const bytes = Buffer.from('abc');
		const ctx = fakeContext([{ statusCode: 503, headers: {}, body: refusedBody('busy') }, reset, ok(streamOf(bytes))]);
		const stored = await downloadToBinary.call(ctx, file(), FAST);
		expect(stored.md5).toBe(md5(bytes));
		expect(ctx.calls).toHaveLength(3);
		expect(destroyed).toContain('busy');
	});

	it('hands a 403 (expired signature) back unread, without retrying or storing', async () => {
		const ctx = fakeContext([{ statusCode: 403, headers: {}, body: refusedBody('denied') }]);
		const outcome = await downloadToBinary.call(ctx, file());
		expect(outcome).toEqual({ status: 403 });
		expect(ctx.calls).toHaveLength(1);
		expect(ctx.stored).toHaveLength(0);
		expect(destroyed).toContain('denied');
	});

	it('fails clearly when the host stays unreachable, without printing the signature', async () => {
		const refused = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
		const ctx = fakeContext([refused(), refused(), refused(), refused()]);
		const error = await downloadToBinary.call(ctx, file(), FAST).catch((e) => e);
		expect(error.message).toBe('Could not reach the file storage at storage.example/blobs/key/file.pdf');
		expect(error.description).toMatch(/ECONNREFUSED/);
		expect(JSON.stringify(error)).not.toContain('secret-signature');
		expect(describeUrl(URL_SIGNED)).not.toContain('secret-signature');
	});
});

describe('linkExpiry', () => {
	it.each([
		['a Swift temporary URL (Unix seconds)', 'https://os.example/v1/AUTH_x/c/2026/01/ab/key?temp_url_sig=f00&temp_url_expires=1767225600&filename=a.pdf&inline', Date.UTC(2026, 0, 1)],
		['a Swift temporary URL (ISO 8601)', 'https://os.example/v1/AUTH_x/c/key?temp_url_sig=f00&temp_url_expires=2026-01-01T00:00:00Z', Date.UTC(2026, 0, 1)],
		['an S3 presigned URL', 'https://bucket.s3.amazonaws.com/key?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20251231T230000Z&X-Amz-Expires=3600&X-Amz-Signature=abc', Date.UTC(2026, 0, 1)],
		['the PDF export (a signed id on the API host)', 'https://demarche.numerique.gouv.fr/api/v2/dossiers/pdf/BAh7CEkiCG', undefined],
		['a URL that is not one', 'not a url', undefined],
	])('reads %s', (_label, url, expected) => {
		expect(linkExpiry(url)).toBe(expected);
	});
});
