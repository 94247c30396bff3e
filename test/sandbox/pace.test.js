'use strict';
/** The pace option (a benchmark knob): GraphQL answers no sooner than answerDelayMs after the request. */
const { performance } = require('perf_hooks');
const { control, gql, start } = require('./helpers');

let sandbox;
beforeAll(async () => {
	sandbox = await start({ size: 50, answerDelayMs: 150 });
});
afterAll(() => sandbox.stop());

const QUERY = '{ demarche(number: 1002) { number } }';

async function timed(work) {
	const started = performance.now();
	const result = await work();
	return { result, ms: performance.now() - started };
}

describe('pace', () => {
	it('holds every answer until the delay has passed, without queueing requests behind each other', async () => {
		const one = await timed(() => gql(sandbox, QUERY));
		expect(one.result.json.data.demarche.number).toBe(1002);
		expect(one.ms).toBeGreaterThanOrEqual(145);
		// Four at once take one delay, not four: the platform answers requests in parallel.
		const four = await timed(() => Promise.all([1, 2, 3, 4].map(() => gql(sandbox, QUERY))));
		expect(four.result.every((r) => r.json.data.demarche.number === 1002)).toBe(true);
		expect(four.ms).toBeGreaterThanOrEqual(145);
		expect(four.ms).toBeLessThan(4 * 145);
		// The delay counts in the request log's answer time.
		const log = await control(sandbox, 'GET', '/requests?token=admin');
		expect(log[log.length - 1].durationMs).toBeGreaterThanOrEqual(145);
	});

	it('answers a refused (429) request at once; POST /pace without a value sets 200 ms, 0 turns it off', async () => {
		await control(sandbox, 'POST', '/throttle', { limit: 1, periodSeconds: 60 });
		try {
			await gql(sandbox, QUERY);
			const refused = await timed(() => gql(sandbox, QUERY));
			expect(refused.result.status).toBe(429);
			expect(refused.ms).toBeLessThan(145);
		} finally {
			await control(sandbox, 'POST', '/throttle', { limit: 400, periodSeconds: 60 });
		}
		expect(await control(sandbox, 'POST', '/pace', {})).toEqual({ answerDelayMs: 200 });
		expect((await timed(() => gql(sandbox, QUERY))).ms).toBeGreaterThanOrEqual(195);
		expect(await control(sandbox, 'POST', '/pace', { answerDelayMs: 0 })).toEqual({ answerDelayMs: 0 });
		expect((await control(sandbox, 'GET', '/pace')).answerDelayMs).toBe(0);
		await expect(control(sandbox, 'POST', '/pace', { answerDelayMs: -1 })).rejects.toThrow(/answerDelayMs/);
	});
});
