'use strict';
// A minimal stand-in for the platform, used only when sandbox/index.js does not exist (yet): it
// answers the credential test the way the real API does for good, wrong, expired and IP-restricted
// tokens, and any other query with an empty `data`. It has the same start/stop shape as the sandbox.

const http = require('node:http');

const TOKENS = {
	admin: 'stub-admin-token',
	readOnly: 'stub-read-only-token',
	expired: 'stub-expired-token',
	forbiddenNetwork: 'stub-forbidden-network-token',
};

function reply(res, status, body) {
	res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
	res.end(JSON.stringify(body));
}

function startStubPlatform({ port = 0 } = {}) {
	const server = http.createServer((req, res) => {
		let raw = '';
		req.on('data', (d) => (raw += d));
		req.on('end', () => {
			if (req.method !== 'POST' || !req.url.startsWith('/api/v2/graphql'))
				return reply(res, 404, { error: 'not found' });
			const token = String(req.headers.authorization || '').replace(/^Bearer (token=)?/, '');
			if (token === TOKENS.expired)
				return reply(res, 401, {
					errors: [{ message: 'Token expired', extensions: { code: 'unauthorized' } }],
				});
			if (token === TOKENS.forbiddenNetwork) {
				return reply(res, 403, {
					errors: [
						{
							message:
								'Request issued from a forbidden network. Add 127.0.0.1/32 to your allowed adresses in your /profil',
							extensions: { code: 'forbidden' },
						},
					],
				});
			}
			if (token !== TOKENS.admin && token !== TOKENS.readOnly) {
				return reply(res, 403, {
					errors: [
						{
							message: 'Without a token, only persisted queries are allowed',
							extensions: { code: 'forbidden' },
						},
					],
				});
			}
			let query = '';
			try {
				query = JSON.parse(raw).query || '';
			} catch {
				return reply(res, 400, {
					errors: [{ message: 'Invalid JSON', extensions: { code: 'bad_request' } }],
				});
			}
			if (/__typename/.test(query) && !/\(/.test(query))
				return reply(res, 200, { data: { __typename: 'Query' } });
			return reply(res, 200, { data: {} });
		});
	});
	return new Promise((resolve) => {
		server.listen(port, '127.0.0.1', () => {
			const url = `http://127.0.0.1:${server.address().port}`;
			resolve({
				url,
				tokens: { ...TOKENS },
				stub: true,
				stop: () => new Promise((r) => server.close(() => r())),
			});
		});
	});
}

module.exports = { startStubPlatform };
