'use strict';
/**
 * Test doubles for the transport's unit tests: a fake n8n context whose
 * `helpers.httpRequestWithAuthentication` plays a script of full responses or thrown errors, a
 * fake clock driving `sleep` (from n8n-workflow) and `Date.now` so nothing really waits, and a
 * serialiser that renders a thrown error every way n8n or a user could see it.
 */
const { inspect } = require('util');
const n8nWorkflow = require('n8n-workflow');
const { NodeApiError } = n8nWorkflow;
const { AxiosError } = require('axios');

/** A distinctive token: any occurrence of it (or its tail) in an error is a leak. */
const TOKEN = 'tok_SECRET-9f3c2a7e41b84d0d';
const BASE_URL = 'https://dn.example.fr';

const node = {
	id: 'node-1',
	name: 'Démarche Numérique',
	type: 'n8n-nodes-demarche-numerique.demarcheNumerique',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

/** A full response as n8n's helper returns it with `returnFullResponse` (lower-case headers, like axios). */
function reply(statusCode, body, headers = {}) {
	return { statusCode, body, headers };
}

/** The root `errors` body the platform sends. */
function gqlErrors(errors, data) {
	const body = { errors };
	if (data !== undefined) body.data = data;
	return body;
}

/**
 * A network failure as n8n 1.122's `httpRequestWithAuthentication` throws it: axios' error
 * (whose config carries the Authorization header) wrapped in a NodeApiError, which in n8n-workflow
 * 1.x drops `cause` (the code survives in `httpCode`). With `keepCause`, as n8n 2.x throws it:
 * `cause` is the axios error, Authorization header included.
 */
function n8nNetworkError(
	code,
	message = `connect ${code} 203.0.113.9:443`,
	{ keepCause = false } = {},
) {
	const axiosError = new AxiosError(message, code, {
		url: `${BASE_URL}/api/v2/graphql`,
		method: 'post',
		headers: { Authorization: `Bearer ${TOKEN}` },
		data: '{"query":"…"}',
	});
	const error = new NodeApiError(node, axiosError);
	if (keepCause) error.cause = axiosError;
	return error;
}

/** A bare Node.js socket error (what a lower-level helper would throw). */
function socketError(code, message = `${code}: socket error`) {
	return Object.assign(new Error(message), { code });
}

/**
 * A fake IExecuteFunctions. `script` is consumed one entry per request: a full response object,
 * an Error to throw, or a function (options, callIndex) returning either.
 */
function fakeContext(script, { baseUrl = BASE_URL, token = TOKEN } = {}) {
	const requests = [];
	const steps = [...script];
	const httpRequestWithAuthentication = jest.fn(async function (credentialType, options) {
		requests.push({ credentialType, options: JSON.parse(JSON.stringify(options)) });
		if (!steps.length)
			throw new Error(`unexpected request #${requests.length}: the script is exhausted`);
		let step = steps.shift();
		if (typeof step === 'function') step = step(options, requests.length - 1);
		if (step instanceof Error) throw step;
		return step;
	});
	const ctx = {
		getNode: () => node,
		getCredentials: jest.fn(async () => ({ baseUrl, token })),
		helpers: { httpRequestWithAuthentication },
	};
	return { ctx, requests, remaining: () => steps.length };
}

/**
 * Replaces `sleep` (n8n-workflow) and `Date.now` with a virtual clock: each sleep is recorded and
 * moves the clock forward instantly. Restore with jest.restoreAllMocks().
 */
function virtualClock(startMs = Date.UTC(2026, 10, 28, 10, 0, 0)) {
	const clock = { now: startMs, sleeps: [] };
	jest.spyOn(Date, 'now').mockImplementation(() => clock.now);
	jest.spyOn(n8nWorkflow, 'sleep', 'get').mockReturnValue(async (ms) => {
		clock.sleeps.push(ms);
		clock.now += ms;
	});
	return clock;
}

/** Every rendering of an error a user, a log or n8n's UI/database could show. */
function serialiseError(error) {
	const parts = [
		String(error),
		String(error?.message),
		String(error?.description),
		JSON.stringify(error),
		safeJson(typeof error?.toJSON === 'function' ? error.toJSON() : undefined),
		safeJson(error?.context),
		safeJson(error?.cause),
		inspect(error?.cause, { depth: Infinity, showHidden: true }),
		safeJson(error?.errorResponse),
		safeJson(error?.messages),
		inspect(error, { depth: Infinity, showHidden: true }),
		String(error?.stack),
	];
	return parts.join('\n');
}

function safeJson(value) {
	try {
		return JSON.stringify(value) ?? 'undefined';
	} catch (e) {
		return inspect(value, { depth: Infinity });
	}
}

/** Asserts the token (and any Bearer header) is absent from every rendering of `error`. */
function expectNoToken(error, token = TOKEN) {
	const text = serialiseError(error);
	expect(text).not.toContain(token);
	expect(text).not.toContain(token.slice(-12));
	expect(text).not.toMatch(/Bearer\s+(?!\[redacted\])\S/);
}

/** Runs `promise`, expecting it to reject; returns the error after checking it carries no token. */
async function caught(promise, token = TOKEN) {
	let error;
	try {
		await promise;
	} catch (e) {
		error = e;
	}
	if (!error) throw new Error('expected the call to throw, it resolved');
	expectNoToken(error, token);
	return error;
}

module.exports = {
	BASE_URL,
	TOKEN,
	caught,
	expectNoToken,
	fakeContext,
	gqlErrors,
	n8nNetworkError,
	node,
	reply,
	serialiseError,
	socketError,
	virtualClock,
};
