'use strict';
const { describeUrl, md5OfBinary, openFromStorage } = require('../../nodes/DemarcheNumerique/transport/download');

const URL_SIGNED = 'https://storage.example/blobs/key/file.pdf?expires=1&sig=secret-signature';

function fakeContext(responses) {
	const calls = [];
	return {
		calls,
		getNode: () => ({ name: 'DN', type: 'x', typeVersion: 1, parameters: {} }),
		helpers: {
			httpRequest: async (options) => {
				calls.push(options);
				const next = responses.shift();
				if (next instanceof Error) throw next;
				return next;
			},
			httpRequestWithAuthentication: async () => {
				throw new Error('storage downloads must not use the credential');
			},
		},
	};
}

const destroyed = [];
const body = (name) => ({ name, destroy: () => destroyed.push(name) });

describe('openFromStorage', () => {
	it('GETs the URL exactly as given, as a stream, with no headers and no credential', async () => {
		const ctx = fakeContext([{ statusCode: 200, headers: {}, body: body('ok') }]);
		const response = await openFromStorage.call(ctx, URL_SIGNED);
		expect(response.status).toBe(200);
		expect(response.body.name).toBe('ok');
		expect(ctx.calls).toHaveLength(1);
		expect(ctx.calls[0]).toMatchObject({ method: 'GET', url: URL_SIGNED, encoding: 'stream' });
		expect(ctx.calls[0].headers).toBeUndefined();
		expect(ctx.calls[0].auth).toBeUndefined();
	});

	it('retries 5xx and resets, dropping the failed bodies, then gives the answer', async () => {
		const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
		const ctx = fakeContext([{ statusCode: 503, headers: {}, body: body('busy') }, reset, { statusCode: 200, headers: {}, body: body('ok') }]);
		const response = await openFromStorage.call(ctx, URL_SIGNED, { backoffBaseMs: 1, backoffMaxMs: 2 });
		expect(response.status).toBe(200);
		expect(ctx.calls).toHaveLength(3);
		expect(destroyed).toContain('busy');
	});

	it('hands a 403 (expired signature) back to the caller without retrying', async () => {
		const ctx = fakeContext([{ statusCode: 403, headers: {}, body: body('denied') }]);
		expect((await openFromStorage.call(ctx, URL_SIGNED)).status).toBe(403);
		expect(ctx.calls).toHaveLength(1);
	});

	it('fails clearly when the host stays unreachable, without printing the signature', async () => {
		const refused = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
		const ctx = fakeContext([refused(), refused(), refused(), refused()]);
		const error = await openFromStorage.call(ctx, URL_SIGNED, { backoffBaseMs: 1, backoffMaxMs: 2 }).catch((e) => e);
		expect(error.message).toBe('Could not reach the file storage at storage.example/blobs/key/file.pdf');
		expect(error.description).toMatch(/ECONNREFUSED/);
		expect(JSON.stringify(error)).not.toContain('secret-signature');
		expect(describeUrl(URL_SIGNED)).not.toContain('secret-signature');
	});
});

describe('md5OfBinary', () => {
	it('hashes in-memory binary data as the platform does (base64 MD5)', async () => {
		// MD5("hello") = 5d41402abc4b2a76b9719d911017c592
		const expected = Buffer.from('5d41402abc4b2a76b9719d911017c592', 'hex').toString('base64');
		expect(await md5OfBinary({ helpers: {} }, { data: Buffer.from('hello').toString('base64'), mimeType: 'text/plain' })).toBe(expected);
	});

	it('reads stored binary data back in chunks', async () => {
		async function* chunks() {
			yield Buffer.from('hel');
			yield Buffer.from('lo');
		}
		const ctx = { helpers: { getBinaryStream: async (id) => (id === 'filesystem:abc' ? chunks() : null) } };
		const expected = Buffer.from('5d41402abc4b2a76b9719d911017c592', 'hex').toString('base64');
		expect(await md5OfBinary(ctx, { id: 'filesystem:abc', data: 'filesystem-v2', mimeType: 'text/plain' })).toBe(expected);
	});
});
