'use strict';
/** paginate(): forward-only Relay walk, page size 100, limit, cursors, lost records by index. */
const { NodeApiError } = require('n8n-workflow');

const { paginate } = require('../../nodes/DemarcheNumerique/transport');
const { caught, fakeContext, gqlErrors, reply, virtualClock } = require('../helpers/transport-fakes');

const document = {
	query:
		'query demarcheDossiers($number: Int!, $first: Int, $after: String) { demarche(number: $number) { dossiers(first: $first, after: $after) { pageInfo { endCursor hasNextPage } nodes { number } } } }',
	operationName: 'demarcheDossiers',
	variables: { number: 56 },
};
const nodesPath = ['demarche', 'dossiers', 'nodes'];
const connection = (data) => data.demarche && data.demarche.dossiers;

/** A page of the platform: `count` dossiers numbered from `from`, then the given pageInfo. */
function page(
	from,
	count,
	{ endCursor = count ? `cursor-${from + count - 1}` : null, hasNextPage = true } = {},
) {
	const nodes = Array.from({ length: count }, (_, i) => ({ number: from + i }));
	return reply(200, {
		data: { demarche: { dossiers: { pageInfo: { endCursor, hasNextPage }, nodes } } },
	});
}

/** Serves dossiers 1..total like the platform: honours `first` (max 100) and `after`. */
function platform(total) {
	return (options) => {
		const { first, after } = options.body.variables;
		const start = after ? Number(after.replace('cursor-', '')) + 1 : 1;
		const count = Math.max(0, Math.min(first ?? 100, 100, total - start + 1));
		return page(start, count, { hasNextPage: start + count - 1 < total });
	};
}

async function collect(fake, options) {
	const pages = [];
	for await (const p of paginate.call(fake.ctx, { document, connection, nodesPath, ...options }))
		pages.push(p);
	return pages;
}

beforeEach(() => virtualClock());
afterEach(() => jest.restoreAllMocks());

describe('walking pages', () => {
	it('asks 100 per page and follows endCursor until hasNextPage is false', async () => {
		const fake = fakeContext(Array(4).fill(platform(250)));
		const pages = await collect(fake);
		const sent = fake.requests.map((r) => r.options.body.variables);
		expect(sent).toEqual([
			{ number: 56, first: 100 },
			{ number: 56, first: 100, after: 'cursor-100' },
			{ number: 56, first: 100, after: 'cursor-200' },
		]);
		expect(pages.map((p) => p.nodes.length)).toEqual([100, 100, 50]);
		expect(pages.flatMap((p) => p.nodes.map((n) => n.number))).toEqual(
			Array.from({ length: 250 }, (_, i) => i + 1),
		);
		expect(pages.map((p) => p.after)).toEqual([null, 'cursor-100', 'cursor-200']);
		expect(pages[2]).toMatchObject({
			endCursor: 'cursor-250',
			hasNextPage: false,
			lost: [],
			errors: [],
		});
	});

	it.each([
		[150, [100, 50]],
		[100, [100]],
		[30, [30]],
		[201, [100, 100, 1]],
	])('stops at limit %i exactly (first: %j)', async (limit, firsts) => {
		const fake = fakeContext(Array(5).fill(platform(1000)));
		const pages = await collect(fake, { limit });
		expect(fake.requests.map((r) => r.options.body.variables.first)).toEqual(firsts);
		expect(pages.reduce((n, p) => n + p.nodes.length, 0)).toBe(limit);
	});

	it('a limit of 0 sends nothing', async () => {
		const fake = fakeContext([platform(10)]);
		expect(await collect(fake, { limit: 0 })).toEqual([]);
		expect(fake.requests).toHaveLength(0);
	});

	it('never asks more than 100 per page, whatever pageSize says', async () => {
		const fake = fakeContext([platform(50)]);
		await collect(fake, { pageSize: 500 });
		expect(fake.requests[0].options.body.variables.first).toBe(100);
	});

	it('resumes after a given cursor', async () => {
		const fake = fakeContext(Array(2).fill(platform(150)));
		const pages = await collect(fake, { after: 'cursor-120' });
		expect(fake.requests[0].options.body.variables).toEqual({
			number: 56,
			first: 100,
			after: 'cursor-120',
		});
		expect(pages[0].after).toBe('cursor-120');
		expect(pages[0].nodes.map((n) => n.number)[0]).toBe(121);
	});

	it('never sends `last` or `before`, even if the document carried them', async () => {
		const fake = fakeContext(Array(3).fill(platform(150)));
		await collect(fake, {
			document: { ...document, variables: { ...document.variables, last: 10, before: 'cursor-9' } },
		});
		expect(fake.requests).toHaveLength(2);
		for (const { options } of fake.requests) {
			expect(options.body.variables).not.toHaveProperty('last');
			expect(options.body.variables).not.toHaveProperty('before');
			expect(options.body.variables.first).toBeGreaterThan(0);
		}
	});

	it('stops on an empty page (endCursor null) even if hasNextPage says true', async () => {
		const fake = fakeContext([
			page(1, 100),
			page(0, 0, { endCursor: null, hasNextPage: true }),
			page(1, 100),
		]);
		const pages = await collect(fake);
		expect(fake.requests).toHaveLength(2);
		expect(pages[1]).toMatchObject({ nodes: [], endCursor: null });
	});

	it('stops when the cursor is null', async () => {
		const fake = fakeContext([
			page(1, 100, { endCursor: null, hasNextPage: true }),
			page(101, 100),
		]);
		await collect(fake);
		expect(fake.requests).toHaveLength(1);
	});

	it('yields each page as it arrives (the caller can stop early)', async () => {
		const fake = fakeContext(Array(5).fill(platform(1000)));
		for await (const p of paginate.call(fake.ctx, { document, connection, nodesPath })) {
			expect(p.nodes).toHaveLength(100);
			break;
		}
		expect(fake.requests).toHaveLength(1);
	});

	it('with prefetch, the next page is asked for before the caller gets this one, and no page more', async () => {
		const fake = fakeContext(Array(4).fill(platform(250)));
		const seenWhenYielded = [];
		const numbers = [];
		for await (const p of paginate.call(fake.ctx, { document, connection, nodesPath, prefetch: true })) {
			seenWhenYielded.push(fake.requests.length);
			numbers.push(...p.nodes.map((n) => n.number));
		}
		expect(seenWhenYielded).toEqual([2, 3, 3]);
		expect(fake.requests.map((r) => r.options.body.variables.after)).toEqual([undefined, 'cursor-100', 'cursor-200']);
		expect(numbers).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
	});

	it('with prefetch and a limit, the last request asks only for what is left', async () => {
		const fake = fakeContext(Array(4).fill(platform(1000)));
		const pages = [];
		for await (const p of paginate.call(fake.ctx, { document, connection, nodesPath, prefetch: true, limit: 150 })) pages.push(p);
		expect(fake.requests.map((r) => r.options.body.variables.first)).toEqual([100, 50]);
		expect(pages.map((p) => p.nodes.length)).toEqual([100, 50]);
	});
});

describe('records the platform could not serialise', () => {
	const invalidNull = (index, field = 'demandeur') => ({
		message: `Cannot return null for non-nullable field Dossier.${field}`,
		path: [...nodesPath, index, field],
		extensions: { code: 'invalid_null' },
	});

	it('reports a lost record by its index in the page, with its errors, and keeps the others', async () => {
		const body = gqlErrors([invalidNull(1)], {
			demarche: {
				dossiers: {
					pageInfo: { endCursor: 'cursor-3', hasNextPage: false },
					nodes: [{ number: 1 }, null, { number: 3 }],
				},
			},
		});
		const fake = fakeContext([reply(200, body)]);
		const [p] = await collect(fake);
		expect(p.nodes).toEqual([{ number: 1 }, { number: 3 }]);
		expect(p.lost).toEqual([{ index: 1, errors: [invalidNull(1)] }]);
		expect(p.errors).toEqual([]);
	});

	it('a null record without an error is still reported lost (never dropped silently)', async () => {
		const fake = fakeContext([
			reply(200, {
				data: {
					demarche: {
						dossiers: {
							pageInfo: { endCursor: 'c', hasNextPage: false },
							nodes: [null, { number: 2 }],
						},
					},
				},
			}),
		]);
		const [p] = await collect(fake);
		expect(p.lost).toEqual([{ index: 0, errors: [] }]);
		expect(p.nodes).toEqual([{ number: 2 }]);
	});

	it('an error inside a record that still came back keeps the record and surfaces the error', async () => {
		const nested = {
			message: 'Cannot return null for non-nullable field Champ.label',
			path: [...nodesPath, 0, 'champs', 2, 'label'],
			extensions: { code: 'invalid_null' },
		};
		const fake = fakeContext([
			reply(
				200,
				gqlErrors([nested], {
					demarche: {
						dossiers: {
							pageInfo: { endCursor: 'c', hasNextPage: false },
							nodes: [{ number: 1, champs: null }],
						},
					},
				}),
			),
		]);
		const [p] = await collect(fake);
		expect(p.nodes).toEqual([{ number: 1, champs: null }]);
		expect(p.lost).toEqual([]);
		expect(p.errors).toEqual([nested]);
	});

	it('a linked dossier the token cannot see is neither loss nor damage: the record is kept, the error set apart', async () => {
		const hiddenLink = {
			message: 'An object of type Dossier was hidden due to permissions',
			path: [...nodesPath, 1, 'champs', 4, 'dossier'],
			extensions: { code: 'unauthorized' },
		};
		const nodes = [{ number: 1 }, { number: 2, champs: [] }];
		const fake = fakeContext([
			reply(200, gqlErrors([hiddenLink], { demarche: { dossiers: { pageInfo: { endCursor: 'c', hasNextPage: false }, nodes } } })),
		]);
		const [p] = await collect(fake);
		expect(p.nodes).toEqual(nodes);
		expect(p.hiddenLinks).toEqual([{ index: 1, errors: [hiddenLink] }]);
		expect(p).toMatchObject({ lost: [], damaged: [], errors: [] });
	});

	it('lost records count toward the limit and the walk goes on past them', async () => {
		const first = gqlErrors([invalidNull(99)], {
			demarche: {
				dossiers: {
					pageInfo: { endCursor: 'cursor-100', hasNextPage: true },
					nodes: [...Array.from({ length: 99 }, (_, i) => ({ number: i + 1 })), null],
				},
			},
		});
		const fake = fakeContext([reply(200, first), platform(300)]);
		const pages = await collect(fake, { limit: 150 });
		expect(fake.requests.map((r) => r.options.body.variables.first)).toEqual([100, 50]);
		expect(pages[0].lost.map((l) => l.index)).toEqual([99]);
		expect(pages[1].nodes[0].number).toBe(101);
	});

	it('a page whose connection is missing fails with the platform error', async () => {
		const fake = fakeContext([
			reply(
				200,
				gqlErrors(
					[
						{
							message: 'An object of type Demarche was hidden due to permissions',
							path: ['demarche'],
							extensions: { code: 'unauthorized' },
						},
					],
					{ demarche: null },
				),
			),
		]);
		const error = await caught(collect(fake));
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toContain('hidden due to permissions');
	});

	it('a page whose connection is missing without any error fails clearly (not a TypeError)', async () => {
		const fake = fakeContext([reply(200, { data: { demarche: null } })]);
		const error = await caught(collect(fake, { settings: { itemIndex: 1 } }));
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/demarcheDossiers/);
		expect(error.context.itemIndex).toBe(1);
	});
});

describe('platform timeouts: a smaller page from the same cursor', () => {
	const { PageSizer } = require('../../nodes/DemarcheNumerique/transport');
	const slowPage = () =>
		reply(
			200,
			gqlErrors(
				[
					{ message: 'Timeout on PageInfo.endCursor', path: ['demarche', 'dossiers', 'pageInfo', 'endCursor'], extensions: { code: 'timeout' } },
					{ message: 'Timeout on DossierConnection.nodes', path: ['demarche', 'dossiers', 'nodes'] },
				],
				{ demarche: { dossiers: { pageInfo: { hasNextPage: true, endCursor: null }, nodes: null } } },
			),
		);
	/** Serves 1..total, but any page of more than `fits` records times out (PR #14047's shape). */
	const heavy = (total, fits) => (options) => (options.body.variables.first > fits ? slowPage() : platform(total)(options));

	it('reads everything once, in order, when full pages always time out; a timed-out page is asked again at half from its cursor', async () => {
		const fake = fakeContext(Array(80).fill(heavy(250, 30)));
		const pages = await collect(fake);
		expect(pages.flatMap((p) => p.nodes.map((n) => n.number))).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
		expect(pages.every((p) => p.errors.length === 0 && p.lost.length === 0)).toBe(true);
		const sent = fake.requests.map((r) => r.options.body.variables);
		expect(sent.slice(0, 3).map((v) => v.first)).toEqual([100, 50, 25]);
		sent.forEach((v, i) => {
			if (i > 0 && v.first > 30) return;
			if (i > 0 && sent[i - 1].first > 30) {
				expect(v.after).toBe(sent[i - 1].after);
				expect(v.first).toBe(Math.floor(sent[i - 1].first / 2));
			}
		});
		// The size grew back after light pages (and never straight back to 50 twice in a row).
		expect(sent.some((v, i) => i > 3 && v.first > 25)).toBe(true);
		// Timeouts were answered by a smaller page, never by the same page again (no backoff waits).
		expect(sent.filter((v) => v.first > 30).length).toBeLessThan(8);
	});

	it('the per-record shape (pageInfo whole, later records null) is a timeout too: the page is asked again smaller, nothing reported lost', async () => {
		const perRecord = (options) => {
			const { first, after } = options.body.variables;
			if (first <= 10) return platform(40)(options);
			const start = after ? Number(after.replace('cursor-', '')) + 1 : 1;
			const count = Math.min(first, 40 - start + 1);
			const nodes = Array.from({ length: count }, (_, i) => (i < 10 ? { number: start + i } : null));
			const errors = nodes.flatMap((n, i) => (n ? [] : [{ message: 'Timeout on Dossier.id', path: [...nodesPath, i, 'id'], ...(i === 10 ? { extensions: { code: 'timeout' } } : {}) }]));
			return reply(200, gqlErrors(errors, { demarche: { dossiers: { pageInfo: { endCursor: `cursor-${start + count - 1}`, hasNextPage: start + count - 1 < 40 }, nodes } } }));
		};
		const fake = fakeContext(Array(30).fill(perRecord));
		const pages = await collect(fake);
		expect(pages.flatMap((p) => p.nodes.map((n) => n.number))).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
		expect(pages.flatMap((p) => p.lost)).toEqual([]);
	});

	it('one record per page that still times out without a cursor fails, with the caller’s advice', async () => {
		const clock = virtualClock();
		const fake = fakeContext(Array(20).fill(slowPage()));
		const error = await caught(collect(fake, { timeoutAdvice: 'Turn off champs under Include.', limit: 4, settings: { itemIndex: 2 } }));
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/timed out \(30 s\) on demarcheDossiers even with 1 record per page/);
		expect(error.description).toBe('Turn off champs under Include.');
		expect(error.context.itemIndex).toBe(2);
		// 4, 2, 1, then the one-record page's usual retries (4, with backoff).
		expect(fake.requests.map((r) => r.options.body.variables.first)).toEqual([4, 2, 1, 1, 1, 1, 1]);
		expect(clock.sleeps).toHaveLength(4);
	});

	it('one record per page that times out but says where it ends: reported lost, the walk goes on', async () => {
		const onePage = (options) => {
			const { after } = options.body.variables;
			const start = after ? Number(after.replace('cursor-', '')) + 1 : 1;
			if (start !== 2) return platform(3)(options);
			return reply(200, gqlErrors([{ message: 'Timeout on Dossier.id', path: [...nodesPath, 0, 'id'], extensions: { code: 'timeout' } }], {
				demarche: { dossiers: { pageInfo: { endCursor: 'cursor-2', hasNextPage: true }, nodes: [null] } },
			}));
		};
		const fake = fakeContext(Array(20).fill(onePage));
		const pages = await collect(fake, { pageSize: 1 });
		expect(pages.flatMap((p) => p.nodes.map((n) => n.number))).toEqual([1, 3]);
		expect(pages.flatMap((p) => p.lost.map((l) => l.errors[0].message))).toEqual(['Timeout on Dossier.id']);
	});

	it('PageSizer: halves on a timeout, grows back after light pages toward (not past) the size that timed out, more slowly each time', () => {
		const sizer = new PageSizer(100);
		expect(sizer.shrink()).toBe(true);
		expect(sizer.size).toBe(50);
		sizer.shrink();
		expect(sizer.size).toBe(25);
		sizer.succeeded(true);
		sizer.succeeded(true);
		expect(sizer.size).toBe(25);
		sizer.succeeded(false); // a slow page resets the streak
		for (let i = 0; i < 3; i++) sizer.succeeded(true);
		expect(sizer.size).toBe(37); // half-way to 50, which timed out
		sizer.shrink(); // a grown size timed out: growth now needs 6 light pages
		expect(sizer.size).toBe(18);
		for (let i = 0; i < 5; i++) sizer.succeeded(true);
		expect(sizer.size).toBe(18);
		sizer.succeeded(true);
		expect(sizer.size).toBe(36); // doubled, still under 37
		const one = new PageSizer(1);
		expect(one.shrink()).toBe(false);
		expect(new PageSizer(500).size).toBe(100);
	});
});

describe('the server’s complexity cap: a page that fits, from the same cursor', () => {
	/** Serves 1..total, refusing (as graphql-ruby's max_complexity) a page costing 10 + 2000 a record above 60 000. */
	const capped = (total) => (options) => {
		const complexity = 10 + 2000 * options.body.variables.first;
		if (complexity > 60000)
			return reply(200, { errors: [{ message: `Query has complexity of ${complexity}, which exceeds max complexity of 60000` }] });
		return platform(total)(options);
	};

	it('asks the share of the page that fits, never more afterwards, and reads everything once', async () => {
		const fake = fakeContext(Array(20).fill(capped(150)));
		const pages = await collect(fake);
		expect(pages.flatMap((p) => p.nodes.map((n) => n.number))).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
		const firsts = fake.requests.map((r) => r.options.body.variables.first);
		expect(firsts[0]).toBe(100);
		expect(firsts[1]).toBe(28); // floor(100 × 60 000 / 200 010) − 1
		expect(firsts.slice(1).every((f) => f === 28)).toBe(true);
		expect(fake.requests[1].options.body.variables.after).toBeUndefined();
	});

	it('one record already too complex: the platform’s error, with advice', async () => {
		const fake = fakeContext([reply(200, { errors: [{ message: 'Query has complexity of 70010, which exceeds max complexity of 60000' }] })]);
		const error = await caught(collect(fake, { pageSize: 1 }));
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/exceeds max complexity of 60000/);
		expect(error.description).toMatch(/Turn off parts you do not need under Include/);
	});
});
