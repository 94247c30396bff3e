'use strict';
/**
 * startSandbox(options) → Promise<{url, storageUrl, controlUrl, tokens, facts, sandbox, stop()}>
 *
 * A local, faithful Démarche Numérique: the GraphQL API (POST /api/v2/graphql) and the control API
 * (/__sandbox/) on http://127.0.0.1:<port>, file storage on http://localhost:<storagePort>
 * (another port AND another host name, like the platform's object storage).
 *
 * Options: port (0 = free port), storagePort (0 = free port), seed ('sandbox'), size (dossiers, 1000),
 *   throttleLimit (400), throttlePeriodSeconds (60), forkMode (false), webhooksV2 (false),
 *   maxComplexity (60000, today's platform; 0 = no cap, as before PR #13549),
 *   timeoutBudget (null: no page times out; a number: work units, see lib/timeouts.js),
 *   timeoutDemarches (null: every démarche; else the démarches the budget applies to),
 *   clock ({set?: ISO|ms} to start frozen), answerDelayMs (0: GraphQL answers as soon as ready).
 */
const http = require('http');
const crypto = require('crypto');
const { Clock } = require('./lib/clock');
const { seedStore, factsFor, tokenTable, TOKENS } = require('./lib/seed');
const { Files } = require('./lib/files');
const { DirectUploads } = require('./lib/uploads');
const { graphqlHandler, Throttle, sendJson } = require('./lib/api');
const { DEFAULT_MAX_COMPLEXITY } = require('./lib/complexity');
const { RequestLog, StorageLog, Faults } = require('./lib/logs');
const { controlRoutes } = require('./lib/control');
const { apiRoutes, storageRoutes } = require('./lib/routes');

function readBody(req) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => resolve(Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

/** Writes chunks (an iterable, or an async one) as the client reads them: a large file is never whole in memory. */
async function writeChunks(res, chunks) {
	for await (const chunk of chunks) {
		if (res.destroyed) return;
		if (!res.write(chunk)) {
			await new Promise((resolve) => {
				const done = () => {
					res.off('drain', done);
					res.off('close', done);
					resolve();
				};
				res.on('drain', done);
				res.on('close', done);
			});
		}
	}
}

function listen(server, port) {
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', () => {
			server.off('error', reject);
			resolve(server.address().port);
		});
	});
}

async function startSandbox(options = {}) {
	const clock = new Clock();
	if (options.clock && options.clock.set !== undefined)
		clock.set(
			typeof options.clock.set === 'number' ? options.clock.set : Date.parse(options.clock.set),
		);
	const sandbox = {
		store: null,
		files: null,
		uploads: null,
		facts: null,
		tokens: tokenTable(),
		tokenValues: { ...TOKENS },
		throttle: new Throttle({
			limit: options.throttleLimit || 400,
			periodSeconds: options.throttlePeriodSeconds || 60,
		}),
		faults: new Faults(),
		log: new RequestLog(),
		storageLog: new StorageLog(),
		// olderServer: the platform as of 2026-03-31, before the mid-2026 pull requests FIDELITY.md names.
		modes: {
			forkMode: Boolean(options.forkMode),
			webhooksV2: Boolean(options.webhooksV2),
			olderServer: Boolean(options.olderServer),
			// The object storage behind direct uploads: 's3' (Content-MD5) or 'swift' (ETag).
			uploadBackend: options.uploadBackend === 'swift' ? 'swift' : 's3',
		},
		// Today's platform's query limits (lib/complexity.js): 0 = no cap, as GRAPHQL_MAX_COMPLEXITY=0.
		limits: {
			maxComplexity:
				options.maxComplexity === undefined
					? DEFAULT_MAX_COMPLEXITY
					: Number(options.maxComplexity),
		},
		// Deterministic timeouts (lib/timeouts.js): pages heavier than `budget` work units time out.
		timeouts: {
			budget: options.timeoutBudget === undefined ? null : options.timeoutBudget,
			demarches: options.timeoutDemarches || null,
		},
		// A benchmark knob, not platform behaviour: GraphQL answers no sooner than this after the request.
		pace: { answerDelayMs: Math.max(0, Number(options.answerDelayMs) || 0) },
		apiPort: null,
		storagePort: null,
		secret: crypto.randomBytes(16).toString('hex'),
		publicBaseUrl: () => `http://127.0.0.1:${sandbox.apiPort}`,
		storageBaseUrl: () => `http://localhost:${sandbox.storagePort}`,
		reseed({ seed, size } = {}) {
			const store = seedStore({
				seed: seed !== undefined ? seed : options.seed || 'sandbox',
				size: size !== undefined ? size : options.size !== undefined ? options.size : 1000,
				clock,
			});
			store.siteUrl = sandbox.publicBaseUrl;
			store.olderServer = () => sandbox.modes.olderServer;
			sandbox.store = store;
			sandbox.files = new Files({
				store,
				secret: sandbox.secret,
				storageBaseUrl: sandbox.storageBaseUrl,
			});
			sandbox.uploads = new DirectUploads({
				store,
				secret: sandbox.secret,
				storageBaseUrl: sandbox.storageBaseUrl,
				backend: () => sandbox.modes.uploadBackend,
			});
			// An automatic-detection token forgets the address it locked to.
			sandbox.tokens[TOKENS.autoDetect].allowedNetworks = 'auto';
			sandbox.facts = {
				...factsFor(store),
				tokens: { ...TOKENS },
				// Every token expires (PRs #13777, #13798): 365 days after the sandbox started.
				tokenExpiresAt: new Date(sandbox.tokens[TOKENS.admin].expiresAt).toISOString(),
			};
			sandbox.throttle.configure({});
		},
	};
	sandbox.reseed();

	const graphql = graphqlHandler(sandbox);
	const control = controlRoutes(sandbox);

	const apiServer = http.createServer(async (req, res) => {
		const startedAt = process.hrtime.bigint();
		// The platform's answers carry its clock (Rails/Puma's `Date`): here, the sandbox clock.
		res.setHeader('Date', new Date(sandbox.store.clock.now()).toUTCString());
		try {
			const rawBody = await readBody(req);
			const url = new URL(req.url, sandbox.publicBaseUrl());
			if (url.pathname === '/__sandbox' || url.pathname.startsWith('/__sandbox/')) {
				let body = {};
				if (rawBody.length) {
					try {
						body = JSON.parse(rawBody.toString('utf8'));
					} catch {
						return sendJson(res, 400, { error: 'Control API bodies are JSON' });
					}
				}
				const out = await control(req, url, body);
				return sendJson(res, out.status, out.body);
			}
			if (url.pathname === '/api/v2/graphql') {
				if (req.method !== 'POST') {
					res.writeHead(404, { 'Content-Type': 'text/plain' });
					return res.end('Not Found');
				}
				return await graphql(req, res, rawBody, startedAt);
			}
			for (const route of apiRoutes)
				if (await route(sandbox, req, res, url, rawBody)) return undefined;
			res.writeHead(404, { 'Content-Type': 'text/plain' });
			res.end('Not Found');
		} catch (e) {
			if (!res.headersSent)
				sendJson(res, 500, {
					errors: [
						{
							message: 'Internal Server Error',
							extensions: { code: 'internal_server_error', exception_id: crypto.randomUUID() },
						},
					],
					data: null,
				});
			else res.end();
			if (process.env.SANDBOX_DEBUG) console.error(e);
		}
		return undefined;
	});

	const storageServer = http.createServer(async (req, res) => {
		const rawBody = await readBody(req);
		const url = new URL(req.url, sandbox.storageBaseUrl());
		if (sandbox.uploads.handlePut(req, res, url, rawBody)) {
			sandbox.storageLog.add(req, res.statusCode);
			return;
		}
		for (const route of storageRoutes) {
			if (await route(sandbox, req, res, url, rawBody)) {
				sandbox.storageLog.add(req, res.statusCode);
				return;
			}
		}
		const check =
			req.method === 'GET' || req.method === 'HEAD'
				? sandbox.files.verify(url.pathname, url.searchParams)
				: { ok: false, status: 405, reason: 'method not allowed' };
		const content = check.ok ? sandbox.files.content(check.key) : null;
		if (!check.ok || !content) {
			const status = check.ok ? 404 : check.status;
			sandbox.storageLog.add(req, status);
			res.writeHead(status, { 'Content-Type': 'application/xml' });
			res.end(
				`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${status === 403 ? 'AccessDenied' : 'NoSuchKey'}</Code><Message>${check.reason || 'not found'}</Message></Error>`,
			);
			return;
		}
		sandbox.storageLog.add(req, 200);
		res.writeHead(200, {
			'Content-Type': check.contentType || 'application/octet-stream',
			'Content-Length': content.byteSize,
			// Like object storage: an ASCII fallback plus the RFC 5987 UTF-8 name (header values must be
			// Latin-1, and French file names are not).
			'Content-Disposition': `attachment; filename="${check.filename.replace(/[^\x20-\x7e]/g, '_').replace(/"/g, '')}"; filename*=UTF-8''${encodeURIComponent(check.filename)}`,
		});
		if (req.method !== 'HEAD') await writeChunks(res, content.chunks);
		res.end();
	});

	sandbox.apiPort = await listen(apiServer, options.port !== undefined ? options.port : 0);
	sandbox.storagePort = await listen(
		storageServer,
		options.storagePort !== undefined ? options.storagePort : 0,
	);

	const closeServer = (server) =>
		new Promise((resolve) => {
			server.close(() => resolve());
			if (server.closeAllConnections) server.closeAllConnections();
		});

	return {
		url: sandbox.publicBaseUrl(),
		graphqlUrl: `${sandbox.publicBaseUrl()}/api/v2/graphql`,
		storageUrl: sandbox.storageBaseUrl(),
		controlUrl: `${sandbox.publicBaseUrl()}/__sandbox`,
		tokens: { ...TOKENS },
		get facts() {
			return sandbox.facts;
		},
		sandbox,
		stop: () =>
			Promise.all([closeServer(apiServer), closeServer(storageServer)]).then(() => undefined),
	};
}

module.exports = { startSandbox, TOKENS };
