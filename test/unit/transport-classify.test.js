'use strict';
/**
 * The classifier of the transport: one test per rule of the platform's answers (ok / wait /
 * retry / fail), and which intents may be sent again. The loop that acts on these verdicts is
 * tested through graphqlRequest in transport-retry and transport-mutate.
 */
const {
	classifyAttempt,
	mayResend,
	instanceUrlProblem,
} = require('../../nodes/DemarcheNumerique/transport');
const { n8nNetworkError, socketError } = require('../helpers/transport-fakes');

const BASE = 'https://dn.example.fr';
const answer = (status, body, headers = {}) => ({ answered: true, status, body, headers });
const noAnswer = (error) => ({ answered: false, error });
const classify = (attempt, partial) => classifyAttempt(attempt, { baseUrl: BASE, partial });
const report = (verdict, attempts = 1) => verdict.failure(attempts);

describe('one rule per kind of answer', () => {
	it('200 with data: ok', () => {
		expect(classify(answer(200, { data: { a: 1 } }))).toEqual({ kind: 'ok', data: { a: 1 }, errors: undefined });
	});

	it('200 with root errors and data: ok only for a caller that takes partial data', () => {
		const body = { data: { a: null }, errors: [{ message: 'x', extensions: { code: 'invalid_null' } }] };
		expect(classify(answer(200, body), true)).toMatchObject({ kind: 'ok', errors: body.errors });
		const verdict = classify(answer(200, body), false);
		expect(verdict.kind).toBe('fail');
		expect(report(verdict)).toMatchObject({ message: 'x', code: 'invalid_null' });
	});

	it('200 with a GraphQL syntax error (no code, no data): fail', () => {
		const verdict = classify(answer(200, { errors: [{ message: 'Expected NAME, actual: "}"', locations: [{ line: 1, column: 3 }] }] }));
		expect(verdict.kind).toBe('fail');
		expect(report(verdict).description).toMatch(/syntax/);
	});

	it('200 with a platform timeout: retry, and the platform may have run part of it', () => {
		const verdict = classify(answer(200, { data: null, errors: [{ message: 'Timeout on Query.demarche', extensions: { code: 'timeout' } }] }));
		expect(verdict).toMatchObject({ kind: 'retry', mayHaveRun: true });
	});

	it('429: wait until RateLimit-Reset (refused before running, whatever the intent)', () => {
		const now = Date.now();
		const verdict = classify(answer(429, 'Calme toi, cowboy !', { 'RateLimit-Reset': String(Math.floor(now / 1000) + 10) }));
		expect(verdict.kind).toBe('wait');
		expect(verdict.ms).toBeGreaterThan(8_000);
		expect(verdict.ms).toBeLessThan(12_000);
	});

	it.each([500, 502, 503, 504])('%i: retry, and it may have run', (status) => {
		const verdict = classify(answer(status, '<html>Bad Gateway</html>'));
		expect(verdict).toMatchObject({ kind: 'retry', mayHaveRun: true });
		expect(report(verdict, 3).description).toMatch(/3 times in a row/);
	});

	it.each([
		[401, { errors: [{ message: 'Token expired', extensions: { code: 'unauthorized' } }] }, /expired/],
		[403, { errors: [{ message: 'Request issued from a forbidden network. Add 1.2.3.4/32 to your allowed adresses in your /profil' }] }, /1\.2\.3\.4\/32/],
		[403, { errors: [{ message: 'Without a token, only persisted queries are allowed' }] }, /Check the token/],
	])('%i: fail at once, with the fix', (status, body, fix) => {
		const verdict = classify(answer(status, body));
		expect(verdict.kind).toBe('fail');
		expect(report(verdict).description).toMatch(fix);
	});

	it('400 with JSON (a body, variables or cursor the platform could not read): fail', () => {
		const verdict = classify(answer(400, { errors: [{ message: 'unexpected token', extensions: { code: 'bad_request' } }], data: null }));
		expect(verdict.kind).toBe('fail');
		expect(report(verdict).httpCode).toBe('400');
	});

	it('JSON cut off mid-way: retry, and it may have run', () => {
		expect(classify(answer(200, '{"data":{"demarche":{"dossiers":', { 'content-type': 'application/json' }))).toMatchObject({ kind: 'retry', mayHaveRun: true });
	});

	it('an HTML page that is not the API: fail, check the instance URL', () => {
		const verdict = classify(answer(200, '<html>login</html>', { 'content-type': 'text/html' }));
		expect(verdict.kind).toBe('fail');
		expect(report(verdict).description).toMatch(/Instance URL/);
	});

	it.each(['ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'EPIPE'])('%s (the request may have arrived): retry, may have run', (code) => {
		expect(classify(noAnswer(n8nNetworkError(code)))).toMatchObject({ kind: 'retry', mayHaveRun: true });
	});

	it('a name that did not resolve for now (EAI_AGAIN): retry, nothing was sent', () => {
		expect(classify(noAnswer(socketError('EAI_AGAIN')))).toMatchObject({ kind: 'retry', mayHaveRun: false });
	});

	it('a refused connection: fail at once, check the URL', () => {
		const verdict = classify(noAnswer(socketError('ECONNREFUSED')));
		expect(verdict.kind).toBe('fail');
		expect(report(verdict).message).toContain('ECONNREFUSED');
	});
});

describe('which intents may send again', () => {
	const ranMaybe = { kind: 'retry', mayHaveRun: true, failure: () => ({}) };
	const notSent = { kind: 'retry', mayHaveRun: false, failure: () => ({}) };
	it.each([
		['read', ranMaybe, true],
		['repeatable-change', ranMaybe, true],
		['change', ranMaybe, false],
		['change', notSent, true],
	])('%s after a failure (%#)', (intent, verdict, expected) => {
		expect(mayResend(verdict, intent)).toBe(expected);
	});
});

describe('the instance URL the token may travel to', () => {
	it.each([
		['https://demarche.numerique.gouv.fr', false],
		['http://127.0.0.1:3000', false],
		['http://localhost:8080/prefix', false],
		['http://[::1]:3000', false],
		['http://demarche.numerique.gouv.fr', true],
		['http://localhost.example.org', true],
		['http://127.0.0.1.nip.io', true],
		['ftp://x', true],
	])('%s refused: %s', (url, refused) => {
		const problem = instanceUrlProblem(url);
		expect(Boolean(problem)).toBe(refused);
		if (refused && url.startsWith('http:')) expect(problem.description).toContain(url.replace('http://', 'https://'));
	});
});
