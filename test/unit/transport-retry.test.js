'use strict';
/**
 * What the transport retries (5xx, connection resets, platform timeouts, rate limit) and how long
 * it waits, observed through a virtual clock: `sleep` from n8n-workflow is recorded, never awaited
 * for real.
 */
const { NodeApiError } = require('n8n-workflow');

const { backoffDelay, graphqlRequest } = require('../../nodes/DemarcheNumerique/transport');
const {
	caught,
	fakeContext,
	gqlErrors,
	n8nNetworkError,
	reply,
	socketError,
	virtualClock,
} = require('../helpers/transport-fakes');

const document = {
	query: 'query getDemarche($number: Int!) { demarche(number: $number) { id } }',
	operationName: 'getDemarche',
	variables: { number: 56 },
};
const ok = reply(200, { data: { demarche: { id: 'UHJvY2VkdXJlLTU2' } } });
// Small, distinct numbers so each expected bound is computed here, not read from the code.
const backoff = { maxRetries: 3, backoffBaseMs: 100, backoffMaxMs: 300 };

/** The documented window of attempt n: [ceiling/2, ceiling], ceiling = min(max, base * 2^n). */
function window(attempt, { backoffBaseMs, backoffMaxMs }) {
	const ceiling = Math.min(backoffMaxMs, backoffBaseMs * 2 ** attempt);
	return [ceiling / 2, ceiling];
}

function expectBackoff(sleeps, settings = backoff) {
	sleeps.forEach((ms, attempt) => {
		const [min, max] = window(attempt, settings);
		expect(ms).toBeGreaterThanOrEqual(min);
		expect(ms).toBeLessThanOrEqual(max);
	});
}

let clock;
beforeEach(() => {
	clock = virtualClock();
});
afterEach(() => jest.restoreAllMocks());

function run(script, settings = backoff) {
	const fake = fakeContext(script);
	return { fake, promise: graphqlRequest.call(fake.ctx, document, { intent: 'read', ...settings }) };
}

const timeoutBody = gqlErrors(
	[{ message: 'Timeout on Query.demarche', path: ['demarche'], extensions: { code: 'timeout' } }],
	{ demarche: null },
);
const serverError = reply(
	500,
	gqlErrors([
		{
			message: 'Internal Server Error',
			extensions: { code: 'internal_server_error', exception_id: 'exc-7f1d2c' },
		},
	]),
);

describe('platform timeout (code timeout, partial data)', () => {
	it('is retried with backoff and succeeds when a later attempt does', async () => {
		const { fake, promise } = run([reply(200, timeoutBody), reply(200, timeoutBody), ok]);
		await expect(promise).resolves.toEqual({
			data: { demarche: { id: 'UHJvY2VkdXJlLTU2' } },
			errors: undefined,
		});
		expect(fake.requests).toHaveLength(3);
		expect(clock.sleeps).toHaveLength(2);
		expectBackoff(clock.sleeps);
	});

	it('after maxRetries retries, fails with a description about reducing the query', async () => {
		const { fake, promise } = run(Array(4).fill(reply(200, timeoutBody)));
		const error = await caught(promise);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toContain('Timeout on Query.demarche');
		expect(error.context.code).toBe('timeout');
		expect(error.description).toMatch(/30 seconds/);
		expect(fake.requests).toHaveLength(1 + backoff.maxRetries);
		expect(clock.sleeps).toHaveLength(backoff.maxRetries);
		expectBackoff(clock.sleeps);
	});
});

describe('HTTP 5xx', () => {
	it('500 with exception_id: retried, then an error that quotes the exception_id', async () => {
		const { fake, promise } = run(Array(4).fill(serverError));
		const error = await caught(promise);
		expect(error.httpCode).toBe('500');
		expect(error.message).toContain('Internal Server Error');
		expect(error.description).toContain('exc-7f1d2c');
		expect(error.context.code).toBe('internal_server_error');
		expect(fake.requests).toHaveLength(4);
		expectBackoff(clock.sleeps);
	});

	it('500 once then success: the result of the retry', async () => {
		const { fake, promise } = run([serverError, ok]);
		await expect(promise).resolves.toMatchObject({
			data: { demarche: { id: 'UHJvY2VkdXJlLTU2' } },
		});
		expect(fake.requests).toHaveLength(2);
	});

	it.each([502, 503, 504])(
		'%i (HTML from a proxy): retried, then a clear error',
		async (status) => {
			const page = reply(status, `<html><body>${status} Bad Gateway</body></html>`, {
				'content-type': 'text/html',
			});
			const { fake, promise } = run(Array(4).fill(page));
			const error = await caught(promise);
			expect(error).toBeInstanceOf(NodeApiError);
			expect(error.httpCode).toBe(String(status));
			expect(error.message).toContain(`HTTP ${status}`);
			expect(error.description).toMatch(/retry later/i);
			expect(fake.requests).toHaveLength(4);
			expect(clock.sleeps).toHaveLength(3);
			expectBackoff(clock.sleeps);
		},
	);

	it.each([502, 503, 504])('%i then success: recovers', async (status) => {
		const { fake, promise } = run([reply(status, ''), reply(status, ''), ok]);
		await expect(promise).resolves.toMatchObject({
			data: { demarche: { id: 'UHJvY2VkdXJlLTU2' } },
		});
		expect(fake.requests).toHaveLength(3);
	});

	it('other statuses (404) fail at once', async () => {
		const { fake, promise } = run([reply(404, '<html>Not Found</html>')]);
		const error = await caught(promise);
		expect(error.httpCode).toBe('404');
		expect(fake.requests).toHaveLength(1);
		expect(clock.sleeps).toEqual([]);
	});
});

describe('network errors', () => {
	it.each([
		[
			'as n8n 1.122 throws it (NodeApiError around axios)',
			() => n8nNetworkError('ECONNRESET', 'socket hang up'),
		],
		[
			'as n8n 2.x throws it (cause kept)',
			() => n8nNetworkError('ECONNRESET', 'socket hang up', { keepCause: true }),
		],
		['as a bare socket error', () => socketError('ECONNRESET')],
		['as a client timeout', () => n8nNetworkError('ECONNABORTED', 'timeout of 60000ms exceeded')],
	])('a connection reset %s is retried', async (_label, makeError) => {
		const { fake, promise } = run([makeError(), makeError(), ok]);
		await expect(promise).resolves.toMatchObject({
			data: { demarche: { id: 'UHJvY2VkdXJlLTU2' } },
		});
		expect(fake.requests).toHaveLength(3);
		expect(clock.sleeps).toHaveLength(2);
		expectBackoff(clock.sleeps);
	});

	it('resets on every attempt: an error that says how many times it failed', async () => {
		const { fake, promise } = run(
			Array.from({ length: 4 }, () => n8nNetworkError('ECONNRESET', 'socket hang up')),
		);
		const error = await caught(promise);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toContain('ECONNRESET');
		expect(error.message).toContain('https://dn.example.fr');
		expect(error.description).toMatch(/4 times/);
		expect(fake.requests).toHaveLength(4);
	});

	it.each([
		['as n8n 1.122 throws it', () => n8nNetworkError('ECONNREFUSED')],
		['as a bare socket error', () => socketError('ECONNREFUSED')],
		['DNS failure', () => n8nNetworkError('ENOTFOUND', 'getaddrinfo ENOTFOUND dn.example.fr')],
	])(
		'ECONNREFUSED / ENOTFOUND (%s) fails at once, pointing at the instance URL',
		async (_label, makeError) => {
			const { fake, promise } = run([makeError(), ok]);
			const error = await caught(promise);
			expect(error).toBeInstanceOf(NodeApiError);
			expect(error.message).toMatch(/ECONNREFUSED|ENOTFOUND/);
			expect(error.description).toMatch(/Instance URL/);
			expect(fake.requests).toHaveLength(1);
			expect(clock.sleeps).toEqual([]);
		},
	);
});

describe('answers cut off on the way', () => {
	const cutOff = reply(200, '{"data":{"demarche":{"dossiers":{"nodes":[{"number":1', {
		'content-type': 'application/json; charset=utf-8',
	});

	it('incomplete JSON is retried like a reset', async () => {
		const { fake, promise } = run([cutOff, ok]);
		await expect(promise).resolves.toMatchObject({
			data: { demarche: { id: 'UHJvY2VkdXJlLTU2' } },
		});
		expect(fake.requests).toHaveLength(2);
		expectBackoff(clock.sleeps);
	});

	it('incomplete JSON every time: says the answer was cut off, not that the URL is wrong', async () => {
		const { fake, promise } = run(Array(4).fill(cutOff));
		const error = await caught(promise);
		expect(error.message).toMatch(/cut off/);
		expect(error.description).not.toMatch(/Instance URL/);
		expect(fake.requests).toHaveLength(4);
	});

	it('an HTML page with status 200 is not retried (it is not the API)', async () => {
		const { fake, promise } = run([
			reply(200, '<html>Connexion</html>', { 'content-type': 'text/html' }),
			ok,
		]);
		const error = await caught(promise);
		expect(error.description).toMatch(/Instance URL/);
		expect(fake.requests).toHaveLength(1);
	});
});

describe('HTTP 429 (rate limit)', () => {
	const throttled = (resetEpochSeconds, headerName = 'ratelimit-reset') =>
		reply(429, 'Calm down, cowboy! Too many requests.', {
			'content-type': 'text/plain',
			'ratelimit-remaining': '0',
			[headerName]: String(resetEpochSeconds),
		});

	it('waits until RateLimit-Reset, then retries', async () => {
		const resetAt = Math.floor(clock.now / 1000) + 7; // 7 s to 8 s away (sub-second part of now)
		const expected = resetAt * 1000 - clock.now;
		const { fake, promise } = run([throttled(resetAt), ok]);
		await expect(promise).resolves.toMatchObject({
			data: { demarche: { id: 'UHJvY2VkdXJlLTU2' } },
		});
		expect(fake.requests).toHaveLength(2);
		expect(clock.sleeps).toHaveLength(1);
		// Until the reset, plus at most a one-second safety margin; never before it.
		expect(clock.sleeps[0]).toBeGreaterThanOrEqual(expected);
		expect(clock.sleeps[0]).toBeLessThanOrEqual(expected + 1000);
		// The retry went out after the reset.
		expect(clock.now).toBeGreaterThanOrEqual(resetAt * 1000);
	});

	it('reads the header whatever its case (RateLimit-Reset as sent, lower case as Node gives it)', async () => {
		const resetAt = Math.floor(clock.now / 1000) + 3;
		const expected = resetAt * 1000 - clock.now;
		const { promise } = run([throttled(resetAt, 'RateLimit-Reset'), ok]);
		await promise;
		expect(clock.sleeps[0]).toBeGreaterThanOrEqual(expected);
		expect(clock.sleeps[0]).toBeLessThanOrEqual(expected + 1000);
	});

	it('reads the reset on the server’s clock (Date header) when ours runs ahead', async () => {
		const serverNow = clock.now - 30_000; // our clock is 30 s ahead of the platform's
		const serverSecond = Math.floor(serverNow / 1000);
		const resetAt = serverSecond + 5;
		const { fake, promise } = run([
			{
				...throttled(resetAt),
				headers: {
					...throttled(resetAt).headers,
					date: new Date(serverSecond * 1000).toUTCString(),
				},
			},
			ok,
		]);
		await promise;
		expect(fake.requests).toHaveLength(2);
		// 5 s on the server's clock (plus at most a one-second margin), not "already past" on ours.
		expect(clock.sleeps[0]).toBeGreaterThanOrEqual(5_000);
		expect(clock.sleeps[0]).toBeLessThanOrEqual(6_000);
	});

	it('reads the Date header, whole seconds only, to the millisecond with our clock when both agree', async () => {
		clock.now = Date.UTC(2026, 10, 28, 10, 0, 1, 900); // 0.9 s into the second the server prints
		const resetAt = Math.floor(clock.now / 1000) + 1; // the window ends 0.1 s from now
		const { fake, promise } = run([
			{ ...throttled(resetAt), headers: { ...throttled(resetAt).headers, date: new Date(clock.now).toUTCString() } },
			ok,
		]);
		await promise;
		expect(fake.requests).toHaveLength(2);
		// 0.1 s and the margin, not the 1.1 s the truncated header alone would give.
		expect(clock.sleeps[0]).toBeGreaterThanOrEqual(100);
		expect(clock.sleeps[0]).toBeLessThan(1_000);
	});

	it('does not count throttling against the 5xx retries', async () => {
		const now = () => Math.floor(clock.now / 1000);
		const { fake, promise } = run(
			[...Array(5)].map(() => () => throttled(now() + 1)).concat([ok]),
			{ ...backoff, maxThrottleWaitMs: 60_000 },
		);
		await expect(promise).resolves.toMatchObject({
			data: { demarche: { id: 'UHJvY2VkdXJlLTU2' } },
		});
		expect(fake.requests).toHaveLength(6);
	});

	it('a reset beyond the bound: a clear error at once, no wait', async () => {
		const resetAt = Math.floor(clock.now / 1000) + 600;
		const { fake, promise } = run([throttled(resetAt), ok], {
			...backoff,
			maxThrottleWaitMs: 30_000,
		});
		const error = await caught(promise);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('429');
		expect(error.message).toMatch(/rate limit/i);
		expect(error.description).toMatch(/30 s/);
		expect(fake.requests).toHaveLength(1);
		expect(clock.sleeps).toEqual([]);
	});

	it('the total wait over several 429s never exceeds the bound, then a clear error', async () => {
		const bound = 20_000;
		const now = () => Math.floor(clock.now / 1000);
		const { fake, promise } = run(
			[...Array(10)].map(() => () => throttled(now() + 6)),
			{ ...backoff, maxThrottleWaitMs: bound },
		);
		const error = await caught(promise);
		expect(error.httpCode).toBe('429');
		expect(error.message).toMatch(/rate limit/i);
		const waited = clock.sleeps.reduce((a, b) => a + b, 0);
		expect(waited).toBeLessThanOrEqual(bound);
		// Each wait is about 6 s: it must have waited more than once before giving up.
		expect(clock.sleeps.length).toBeGreaterThanOrEqual(2);
		expect(fake.requests).toHaveLength(clock.sleeps.length + 1);
	});

	it('a 429 without RateLimit-Reset still waits (a short, bounded step) before retrying', async () => {
		const { fake, promise } = run([reply(429, 'Calm down, cowboy!'), ok], {
			...backoff,
			maxThrottleWaitMs: 60_000,
		});
		await promise;
		expect(fake.requests).toHaveLength(2);
		expect(clock.sleeps).toHaveLength(1);
		expect(clock.sleeps[0]).toBeGreaterThan(0);
		expect(clock.sleeps[0]).toBeLessThanOrEqual(60_000);
	});
});

describe('backoff bounds', () => {
	it.each([0, 1, 2, 3, 4, 6, 10])(
		'attempt %i stays within [ceiling/2, ceiling] for any jitter',
		(attempt) => {
			const settings = { backoffBaseMs: 500, backoffMaxMs: 15_000 };
			const [min, max] = window(attempt, settings);
			for (const r of [0, 0.25, 0.5, 0.999999]) {
				const delay = backoffDelay(attempt, settings.backoffBaseMs, settings.backoffMaxMs, () => r);
				expect(delay).toBeGreaterThanOrEqual(min);
				expect(delay).toBeLessThanOrEqual(max);
			}
			// The jitter spans the whole window, from its low end to (almost) its top.
			expect(backoffDelay(attempt, 500, 15_000, () => 0)).toBe(min);
			expect(backoffDelay(attempt, 500, 15_000, () => 0.999999)).toBeGreaterThanOrEqual(max - 1);
		},
	);

	it('grows exponentially until the cap', () => {
		const low = (attempt) => backoffDelay(attempt, 100, 1_000, () => 0);
		expect([0, 1, 2, 3, 4, 5].map(low)).toEqual([50, 100, 200, 400, 500, 500]);
	});

	it('uses random jitter in the transport (two identical failures do not wait the same)', async () => {
		const random = jest.spyOn(Math, 'random');
		random.mockReturnValueOnce(0).mockReturnValueOnce(0.999999);
		const { promise } = run([serverError, serverError, ok], {
			maxRetries: 3,
			backoffBaseMs: 400,
			backoffMaxMs: 400,
		});
		await promise;
		expect(clock.sleeps[0]).toBe(200);
		expect(clock.sleeps[1]).toBeGreaterThanOrEqual(399);
		expect(clock.sleeps[1]).toBeLessThanOrEqual(400);
	});

	it('without settings, still retries a bounded number of times with bounded waits', async () => {
		const { fake, promise } = run(Array(20).fill(serverError), {});
		await caught(promise);
		expect(fake.requests.length).toBeGreaterThan(1);
		expect(fake.requests.length).toBeLessThanOrEqual(10);
		for (const ms of clock.sleeps) {
			expect(ms).toBeGreaterThan(0);
			expect(ms).toBeLessThanOrEqual(60_000);
		}
	});
});

describe('Request Options of the node', () => {
	const doc = { query: 'query Q { __typename }', operationName: 'Q' };
	function withOptions(fake, requestOptions) {
		fake.ctx.getInputData = () => [{ json: {} }];
		fake.ctx.getNodeParameter = (name, _index, fallback) => (name === 'requestOptions' ? requestOptions : fallback);
		return fake;
	}

	it('maxRetries bounds the retries of a read', async () => {
		const fake = withOptions(fakeContext([reply(503, 'x'), reply(503, 'x'), reply(503, 'x')]), { maxRetries: 1 });
		await expect(graphqlRequest.call(fake.ctx, doc, { intent: 'read' })).rejects.toThrow(/503/);
		expect(fake.requests).toHaveLength(2);
	});

	it('maxRateLimitWait bounds the total wait for the rate limit', async () => {
		const reset = Math.floor(Date.now() / 1000) + 30;
		const fake = withOptions(
			fakeContext([reply(429, 'Calm down, cowboy!', { 'ratelimit-reset': String(reset) })]),
			{ maxRateLimitWait: 10 },
		);
		const error = await caught(graphqlRequest.call(fake.ctx, doc, { intent: 'read' }));
		expect(error.message).toMatch(/429/);
		expect(error.description).toMatch(/10 s allowed/);
		expect(fake.requests).toHaveLength(1);
	});
});
