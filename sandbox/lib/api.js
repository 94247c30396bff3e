'use strict';
/**
 * The API listener's GraphQL endpoint: POST /api/v2/graphql with the platform's auth, error
 * shapes, throttle and injected faults. Status codes and bodies follow ../shared/docs/ds-api.md.
 */
const crypto = require('crypto');
const { parse, validate, execute, specifiedRules, getIntrospectionQuery } = require('graphql');
const { getSchema, fragmentTypeNames } = require('./schema');
const { newTiming, faultWithoutPage } = require('./timeouts');
const { analysisErrors } = require('./complexity');

const THROTTLE_BODY =
	"Calme toi, cowboy ! T'enchaines un peu trop les requêtes. Respire un peu réessaie dans un petit moment.\n" +
	"Calm down, cowboy! You're making too many requests. Take a breather and try again soon.\n";

function sendJson(res, status, body, extraHeaders = {}) {
	sendText(res, status, JSON.stringify(body), extraHeaders);
}

function sendText(res, status, text, extraHeaders = {}) {
	res.writeHead(status, {
		'Content-Type': 'application/json; charset=utf-8',
		'Content-Length': Buffer.byteLength(text),
		...extraHeaders,
	});
	res.end(text);
}

const errorBody = (message, code, extra = {}) => ({
	errors: [{ message, extensions: { code, ...extra } }],
	data: null,
});

/** `API::V2::StoredQuery.get` (@e1338d7; unknown id → 400 since PR #13527, `graphql_controller.rb` @idx:5e3c94e1). */
function storedQuery(queryId) {
	if (queryId === 'introspection') return { query: getIntrospectionQuery() };
	if (queryId === 'ds-query-v2' || queryId === 'ds-mutation-v2')
		return {
			status: 200,
			error: errorBody(`The stored query ${queryId} is not in the sandbox`, 'not_implemented'),
		};
	return { status: 400, error: errorBody(`No query with id "${queryId}"`, 'bad_request') };
}

/** `Bearer <t>` or `Bearer token=<t>` → t */
function tokenFromHeader(header) {
	if (!header) return null;
	const match = /^Bearer\s+(?:token=)?"?([^"\s]+)"?\s*$/i.exec(header);
	return match ? match[1] : null;
}

function ipInNetwork(ip, cidr) {
	const [base, bits] = cidr.split('/');
	const toInt = (a) => a.split('.').reduce((acc, x) => (acc << 8) + Number(x), 0) >>> 0;
	const mask = bits === '0' ? 0 : (~0 << (32 - Number(bits))) >>> 0;
	return (toInt(ip) & mask) === (toInt(base) & mask);
}

class Throttle {
	constructor({ limit = 400, periodSeconds = 60 } = {}) {
		this.configure({ limit, periodSeconds });
	}

	configure({ limit, periodSeconds }) {
		if (limit !== undefined) this.limit = Number(limit);
		if (periodSeconds !== undefined) this.periodSeconds = Number(periodSeconds);
		this.counters = new Map();
	}

	/** Rack::Attack style: fixed window aligned on the epoch, keyed by the raw Authorization header. */
	hit(key, nowMs) {
		if (!key) return { throttled: false };
		const now = Math.floor(nowMs / 1000);
		const window = Math.floor(now / this.periodSeconds);
		const counterKey = `${window}:${key}`;
		const count = (this.counters.get(counterKey) || 0) + 1;
		if (this.counters.size > 10000) this.counters.clear();
		this.counters.set(counterKey, count);
		const reset = now + (this.periodSeconds - (now % this.periodSeconds));
		return { throttled: count > this.limit, reset, remaining: Math.max(0, this.limit - count) };
	}

	state() {
		return { limit: this.limit, periodSeconds: this.periodSeconds };
	}
}

/**
 * `APIToken#expired?` is `expires_at&.past?` on a date column: a token works through the whole of
 * its expiry day (Paris). `expiresAt` is the end of that day (seed.js `tokenExpiry`).
 */
function tokenExpired(token, nowMs) {
	return token.expiresAt !== undefined && token.expiresAt !== null && token.expiresAt <= nowMs;
}

/** A "détection automatique" token (PR #13357) locks to the network of its first call. */
function allowedNetworksOf(token, ip) {
	if (token.allowedNetworks === 'auto') token.allowedNetworks = [`${ip}/32`];
	return token.allowedNetworks;
}

/** graphql-js' message for an Int outside 32 bits; the platform adds `code: bad_request` (PR #13526). */
const INT_RANGE = /^(Variable "\$\w+" got invalid value .*; )?Int cannot represent non 32-bit signed integer value/;

function withPlatformCode(json) {
	if (INT_RANGE.test(json.message))
		return { ...json, extensions: { ...(json.extensions || {}), code: 'bad_request' } };
	return json;
}

/** The faults that answer instead of the platform: a 500, a proxy's page, a dropped connection. */
function sendFault(fault, req, res) {
	if (fault.kind === 'reset') {
		req.socket.destroy();
		return 'reset';
	}
	if (fault.kind === '500') {
		sendJson(
			res,
			500,
			errorBody('Internal Server Error', 'internal_server_error', {
				exception_id: crypto.randomUUID(),
			}),
		);
		return 500;
	}
	const status = Number(fault.kind);
	const title = status === 502 ? '502 Bad Gateway' : '503 Service Temporarily Unavailable';
	res.writeHead(status, { 'Content-Type': 'text/html' });
	res.end(
		`<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
	);
	return status;
}

const ANSWERING_FAULTS = ['500', '502', '503', 'reset'];

/** A delay fault's wait; it never keeps a stopping process alive (the listeners do while serving). */
const pause = (ms) =>
	new Promise((resolve) => {
		const timer = setTimeout(resolve, ms || 1000);
		if (timer.unref) timer.unref();
	});

/**
 * @param {object} sandbox the running sandbox state: {store, files, tokens (table), throttle, faults, modes, log, publicBaseUrl}
 */
function graphqlHandler(sandbox) {
	return async function handle(req, res, rawBody, startedAt) {
		const { store } = sandbox;
		const authorization = req.headers.authorization || null;
		let body = null;
		let bodyError = null;
		try {
			body = JSON.parse(rawBody.toString('utf8') || '{}');
			if (!body || typeof body !== 'object' || Array.isArray(body))
				throw new Error(`unexpected token at '${rawBody.toString('utf8').slice(0, 60)}'`);
		} catch (e) {
			bodyError = e.message.startsWith('unexpected token')
				? e.message
				: `unexpected token at '${rawBody.toString('utf8').slice(0, 60)}'`;
		}
		const operationName =
			body && typeof body.operationName === 'string' ? body.operationName : null;
		const entry = sandbox.log.start(req, authorization, operationName, startedAt);
		const tokenValue = tokenFromHeader(authorization);
		const token = tokenValue ? sandbox.tokens[tokenValue] : null;
		entry.token = token ? token.name : tokenValue ? 'unknown' : 'none';

		// Rack::Attack, before the application: no Content-Type, no Retry-After.
		const throttle = sandbox.throttle.hit(authorization, store.clock.now());
		if (throttle.throttled) {
			res.writeHead(429, {
				'RateLimit-Remaining': '0',
				'RateLimit-Reset': String(throttle.reset),
			});
			res.end(THROTTLE_BODY);
			return entry.finish(429);
		}

		// The pace option: no answer before `answerDelayMs` after the request came in (what the
		// platform takes per page), the sandbox's own work included. A benchmark knob, not upstream.
		const due = Date.now() + (sandbox.pace.answerDelayMs || 0);
		const send = async (status, payload) => {
			// Serialised before the wait: turning the answer into text is part of the sandbox's work.
			const text = JSON.stringify(payload);
			const wait = due - Date.now();
			if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
			sendText(res, status, text);
		};

		const fault = sandbox.faults.take(operationName);
		if (fault) entry.fault = fault.afterExecute ? `${fault.kind} after execute` : fault.kind;
		const before = fault && !fault.afterExecute ? fault : null;
		if (before && before.kind === 'delay') await pause(before.delayMs);
		if (before && ANSWERING_FAULTS.includes(before.kind))
			return entry.finish(sendFault(before, req, res));
		if (before && before.kind === 'malformed') {
			res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
			res.end('{"data":{"demarche":{"dossiers":{"nodes":[{"number":1');
			return entry.finish(200);
		}

		if (bodyError) {
			await send(400, errorBody(bodyError, 'bad_request'));
			return entry.finish(400);
		}

		// base_controller.rb's before_actions, in their order: token (or a persisted query), network, expiry.
		const queryId = typeof body.queryId === 'string' && body.queryId.trim() ? body.queryId : null;
		if (!token && !queryId) {
			await send(
				403,
				errorBody('Without a token, only persisted queries are allowed', 'forbidden'),
			);
			return entry.finish(403);
		}
		// A persisted query: an unknown id is a 400 since PR #13527 (a 500 before); the platform's own
		// stored documents (ds-query-v2, ds-mutation-v2) are not in the sandbox.
		const stored = queryId ? storedQuery(queryId) : null;
		if (stored && stored.error) {
			await send(stored.status, stored.error);
			return entry.finish(stored.status);
		}
		if (!token) {
			await send(
				200,
				errorBody('The sandbox runs persisted queries with a token only', 'not_implemented'),
			);
			return entry.finish(200);
		}
		const ip = (req.socket.remoteAddress || '').replace(/^::ffff:/, '');
		const networks = allowedNetworksOf(token, ip);
		if (networks && !networks.some((cidr) => ipInNetwork(ip, cidr))) {
			await send(
				403,
				errorBody(
					`Request issued from a forbidden network. Add ${ip}/32 to your allowed adresses in your /profil`,
					'forbidden',
				),
			);
			return entry.finish(403);
		}
		if (tokenExpired(token, store.clock.now())) {
			await send(401, errorBody('Token expired', 'unauthorized'));
			return entry.finish(401);
		}

		// Like the platform (ensure_hash): variables may also come as a JSON string; blank means none.
		let variables = body.variables || {};
		if (typeof variables === 'string') {
			try {
				variables = variables.trim() ? JSON.parse(variables) : {};
			} catch (e) {
				await send(
					400,
					errorBody(`unexpected token at '${variables.slice(0, 60)}'`, 'graphql_parse_failed'),
				);
				return entry.finish(400);
			}
		}
		// graphql-ruby answers a document it cannot parse like any other invalid query: 200, no code.
		const queryText = stored ? stored.query : String(body.query || '');
		if (!queryText.trim()) {
			await send(200, { errors: [{ message: 'No query string was present' }] });
			return entry.finish(200);
		}
		let document;
		try {
			document = parse(queryText);
		} catch (e) {
			await send(200, { errors: [{ message: e.message, locations: e.locations }] });
			return entry.finish(200);
		}
		const schema = getSchema({
			forkMode: sandbox.modes.forkMode,
			webhooksV2: sandbox.modes.webhooksV2,
			olderServer: sandbox.modes.olderServer,
		});
		const validationErrors = validate(schema, document, specifiedRules);
		if (validationErrors.length) {
			await send(200, { errors: validationErrors.map((e) => withPlatformCode(e.toJSON())) });
			return entry.finish(200);
		}
		// Then the analysis (max_depth 15; max_complexity, PR #13549), before anything runs.
		const analysis = analysisErrors(
			schema,
			document,
			variables,
			operationName || undefined,
			sandbox.limits,
		);
		entry.complexity = analysis.complexity;
		if (analysis.errors) {
			await send(200, { errors: analysis.errors });
			return entry.finish(200);
		}
		const ctx = {
			store,
			files: sandbox.files,
			uploads: sandbox.uploads,
			token,
			fragments: fragmentTypeNames(document),
			fault: fault && fault.kind === 'invalid_null' ? fault : null,
			// The deadline, in work units (timeouts.js): a heavy page, or the one-shot fault.
			timing: newTiming(sandbox, Boolean(fault && fault.kind === 'timeout')),
			// Links follow the host the request used, as on the platform.
			publicBaseUrl: req.headers.host ? `http://${req.headers.host}` : sandbox.publicBaseUrl(),
			sandbox,
		};
		let result;
		try {
			result = await execute({
				schema,
				document,
				variableValues: variables,
				operationName: operationName || undefined,
				contextValue: ctx,
			});
		} catch (e) {
			await send(
				500,
				errorBody('Internal Server Error', 'internal_server_error', {
					exception_id: crypto.randomUUID(),
				}),
			);
			return entry.finish(500);
		}
		// The request ran: a fault now loses or delays its answer.
		const after = fault && fault.afterExecute ? fault : null;
		if (after && after.kind === 'delay') await pause(after.delayMs);
		if (after && ANSWERING_FAULTS.includes(after.kind)) return entry.finish(sendFault(after, req, res));
		// Errors the controller turns into an HTTP status (a cursor holding an invalid date).
		const statusError = (result.errors || []).find(
			(e) => e.originalError && e.originalError.httpStatus,
		);
		if (statusError) {
			const status = statusError.originalError.httpStatus;
			// The production handler of any other exception: 500 with an exception_id.
			await send(
				status,
				status === 500
					? errorBody('Internal Server Error', 'internal_server_error', {
							exception_id: crypto.randomUUID(),
						})
					: errorBody(statusError.message, statusError.extensions.code),
			);
			return entry.finish(status);
		}
		const errors = (result.errors || []).map((e) => {
			const json = withPlatformCode(e.toJSON());
			if (/^Cannot return null for non-nullable field/.test(json.message))
				json.extensions = { ...(json.extensions || {}), code: 'invalid_null' };
			return json;
		});
		// Variable coercion errors have no data at all, like validation errors.
		const response =
			faultWithoutPage(ctx.timing, document, operationName) ||
			(!errors.length
				? { data: result.data }
				: result.data === undefined
					? { errors }
					: { data: result.data, errors });
		await send(200, response);
		return entry.finish(200);
	};
}

module.exports = { graphqlHandler, Throttle, tokenFromHeader, sendJson, THROTTLE_BODY, tokenExpired };
