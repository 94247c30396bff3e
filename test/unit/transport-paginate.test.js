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

describe('pipelined pages: the next request leaves as soon as pageInfo has arrived', () => {
	const { scanPageInfo, PageInfoWatcher, PAGE_INFO_NOT_YET } = require('../../nodes/DemarcheNumerique/transport');

	function deferred() {
		let resolve;
		const promise = new Promise((r) => {
			resolve = r;
		});
		return { promise, resolve };
	}
	/** Lets pending promise callbacks and stream reads run. */
	const settle = async () => {
		for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
	};

	/** The text of a page as the platform writes it: pageInfo first (selection order), then nodes. */
	function pageText(from, count, { endCursor = count ? `cursor-${from + count - 1}` : null, hasNextPage = true, errors } = {}) {
		const nodes = Array.from({ length: count }, (_, i) => ({ number: from + i }));
		const body = { data: { demarche: { dossiers: { pageInfo: { hasNextPage, endCursor }, nodes } } } };
		if (errors) body.errors = errors;
		return JSON.stringify(body);
	}

	/**
	 * An answer whose body arrives as a stream, cut right after pageInfo: the head (status line,
	 * pageInfo) at once, the rest when the test releases it (or at once). `resetAfterHead` cuts the
	 * connection after the head, like a reset mid-page.
	 */
	function streamed(text, { hold = false, resetAfterHead = false } = {}) {
		const bytes = Buffer.from(text);
		const cut = text.indexOf('"nodes"');
		const head = bytes.subarray(0, cut);
		const tail = bytes.subarray(cut);
		const rest = deferred();
		if (!hold) rest.resolve();
		const state = { ended: false, delivered: 0 };
		const body = {
			[Symbol.asyncIterator]: async function* () {
				yield head;
				state.delivered = 1;
				await rest.promise;
				if (resetAfterHead) throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
				yield tail;
				state.ended = true;
			},
		};
		return { reply: { statusCode: 200, headers: {}, body }, release: () => rest.resolve(), state };
	}

	/**
	 * The platform of `platform(total)`, answering as streams held after their head until released.
	 * `answers` lists each request's handle (its options, its abort signal, release()).
	 */
	function streamingPlatform(total, { hold = true, shape = () => ({}) } = {}) {
		const answers = [];
		const serve = (options) => {
			const { first, after } = options.body.variables;
			const start = after ? Number(after.replace('cursor-', '')) + 1 : 1;
			const count = Math.max(0, Math.min(first ?? 100, 100, total - start + 1));
			const answer = streamed(pageText(start, count, { hasNextPage: start + count - 1 < total, ...shape(answers.length, first) }), { hold });
			answers.push({ ...answer, after, first, signal: options.abortSignal });
			return answer.reply;
		};
		return { serve, answers };
	}

	const walk = (fake, extra = {}) => paginate.call(fake.ctx, { document, connection, nodesPath, prefetch: true, ...extra });

	it('reads pageInfo from the first bytes, whatever the chunk boundaries (a cursor cut anywhere, escapes, multi-byte characters)', () => {
		const cursor = 'MjAyNi0w\\"quote\\\\back\\/slash\\u00e9é€😀=';
		const text = `{"data":{"demarche":{"id":"RGVtYXJjaGUtMQ==","title":"D\\u00e9marche \\"test\\" {[","dossiers":{"pageInfo":{"hasNextPage":true,"endCursor":"${cursor}"},"nodes":[{"number":1}]}}}}`;
		const expected = { hasNextPage: true, endCursor: JSON.parse(`"${cursor}"`) };
		const path = ['data', 'demarche', 'dossiers', 'pageInfo'];
		const bytes = Buffer.from(text);
		// The byte where pageInfo's object is complete: no answer before it, the answer from it on.
		const complete = Buffer.byteLength(text.slice(0, text.indexOf('},"nodes"') + 1));
		for (let cut = 0; cut <= bytes.length; cut++) {
			const found = [];
			const watcher = new PageInfoWatcher(path, (info) => found.push({ info, at: cut }));
			watcher.push(bytes.subarray(0, cut));
			const afterFirst = found.length;
			watcher.push(bytes.subarray(cut));
			expect(found).toHaveLength(1);
			expect(found[0].info).toEqual(expected);
			expect(afterFirst).toBe(cut >= complete ? 1 : 0);
		}
		// Byte by byte: found exactly when the closing brace of pageInfo arrives, once.
		const seen = [];
		const watcher = new PageInfoWatcher(path, (info) => seen.push({ info, bytes: at }));
		let at = 0;
		for (; at < bytes.length; at++) watcher.push(bytes.subarray(at, at + 1));
		expect(seen).toEqual([{ info: expected, bytes: complete - 1 }]);
	});

	it('the scan: errors first, hasNextPage false, a null cursor; null when data is null, the path differs or nodes come first', () => {
		const path = ['data', 'demarche', 'dossiers', 'pageInfo'];
		expect(scanPageInfo('{"errors":[{"message":"x","path":["a",1]}],"data":{"demarche":{"dossiers":{"pageInfo":{"endCursor":null,"hasNextPage":false},"nodes":[', path)).toEqual({ endCursor: null, hasNextPage: false });
		expect(scanPageInfo('{ "data" : { "demarche" : { "dossiers" : { "pageInfo" : { "hasNextPage" : true , "endCursor" : "c" } ', path)).toEqual({ endCursor: 'c', hasNextPage: true });
		expect(scanPageInfo('{"data":null,"errors":[', path)).toBeNull();
		expect(scanPageInfo('{"data":{"groupeInstructeur":{"dossiers":{"pageInfo":{"hasNextPage":true,"endCursor":"c"},"nodes":[]}}}}', path)).toBeNull();
		// Another member before it, still arriving: wait (the wanted one may follow).
		expect(scanPageInfo('{"data":{"groupeInstructeur":{"dossiers":{"pageInfo":{"hasNextPage":true,"endCursor":"c"}', path)).toBe(PAGE_INFO_NOT_YET);
		expect(scanPageInfo('{"data":{"demarche":{"dossiers":{"nodes":[{"number":1}],"pageInfo":{"hasNextPage":true,"endCursor":"c"}}}}}', path)).toEqual({ endCursor: 'c', hasNextPage: true });
		expect(scanPageInfo('{"data":{"demarche":{"dossiers":{"nodes":[{"number":1},', path)).toBe(PAGE_INFO_NOT_YET);
		expect(scanPageInfo('<html>502 Bad Gateway', path)).toBeNull();
		expect(scanPageInfo('{"data":{"demarche":{"dossiers":{"pageInfo":{"hasNextPage":"yes","endCursor":"c"}', path)).toBeNull();
		expect(scanPageInfo('{"data":{"demarche":{"number":10', path)).toBe(PAGE_INFO_NOT_YET);
		// Nodes first: the watcher gives up after its limit instead of holding the whole page.
		const calls = [];
		const watcher = new PageInfoWatcher(path, (info) => calls.push(info), 1000);
		watcher.push(Buffer.from(`{"data":{"demarche":{"dossiers":{"nodes":[${'{"number":1},'.repeat(100)}`));
		watcher.push(Buffer.from('{"number":2}],"pageInfo":{"hasNextPage":true,"endCursor":"c"}}}}}'));
		expect(calls).toEqual([]);
	});

	it('sends the next page’s request while this page is still arriving, before it is yielded', async () => {
		const platform250 = streamingPlatform(250);
		const fake = fakeContext(Array(4).fill(platform250.serve));
		const iterator = walk(fake)[Symbol.asyncIterator]();
		const first = iterator.next();
		await settle();
		// Page 1's head (pageInfo) has arrived, its nodes have not: page 2 is already asked for.
		expect(platform250.answers[0].state.ended).toBe(false);
		expect(fake.requests.map((r) => r.options.body.variables.after)).toEqual([undefined, 'cursor-100']);
		platform250.answers[0].release();
		const page1 = await first;
		expect(page1.value.nodes.map((n) => n.number)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
		// Not a third request before the caller asks for page 2: one request ahead, never more.
		await settle();
		expect(fake.requests).toHaveLength(2);
		const second = iterator.next();
		await settle();
		expect(fake.requests.map((r) => r.options.body.variables.after)).toEqual([undefined, 'cursor-100', 'cursor-200']);
		platform250.answers[1].release();
		expect((await second).value.nodes[0].number).toBe(101);
		platform250.answers[2].release();
		expect((await iterator.next()).value.nodes.map((n) => n.number).slice(-1)).toEqual([250]);
		expect((await iterator.next()).done).toBe(true);
		expect(fake.requests).toHaveLength(3);
	});

	it('as many requests as the same walk without pipelining, the same cursors and sizes, the same pages (with and without a limit)', async () => {
		for (const limit of [undefined, 730, 100, 1]) {
			const plain = fakeContext(Array(12).fill(platform(1000)));
			const plainPages = await collect(plain, { limit });
			const piped = streamingPlatform(1000, { hold: false });
			const fake = fakeContext(Array(12).fill(piped.serve));
			const pages = [];
			let inFlightMax = 0;
			for await (const p of walk(fake, { limit })) {
				// Requests sent whose page the caller has not had yet, this one excepted.
				inFlightMax = Math.max(inFlightMax, fake.requests.length - pages.length - 1);
				pages.push(p);
			}
			expect(fake.requests.map((r) => r.options.body.variables)).toEqual(plain.requests.map((r) => r.options.body.variables));
			expect(pages).toEqual(plainPages);
			expect(inFlightMax).toBeLessThanOrEqual(1);
			expect(piped.answers.every((a) => !a.signal.aborted)).toBe(true);
		}
	});

	it('a page that turns out timed out after its pageInfo arrived: the request sent early is stopped, never read, and the page is asked again smaller', async () => {
		// PR #14047's per-record shape: pageInfo whole (so an early cursor), the records null, a timeout error.
		const timedOutFull = (first, index) =>
			first === 100 && index === 0
				? { errors: [{ message: 'Timeout on Dossier.id', path: [...nodesPath, 0, 'id'], extensions: { code: 'timeout' } }] }
				: {};
		const piped = streamingPlatform(120, { hold: false, shape: (index, first) => timedOutFull(first, index) });
		const fake = fakeContext(Array(8).fill(piped.serve));
		const numbers = [];
		for await (const p of walk(fake)) numbers.push(...p.nodes.map((n) => n.number));
		expect(numbers).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
		const sent = fake.requests.map((r) => [r.options.body.variables.first, r.options.body.variables.after]);
		// 1: timed out; 2: sent early from its pageInfo, then stopped; 3: the same cursor, half the size.
		expect(sent.slice(0, 3)).toEqual([[100, undefined], [100, 'cursor-100'], [50, undefined]]);
		expect(piped.answers[1].signal.aborted).toBe(true);
		expect(piped.answers.filter((a, i) => i !== 1).every((a) => !a.signal.aborted)).toBe(true);
		// While the walk works around the timeout it waits for whole pages: no request wasted after it.
		expect(fake.requests).toHaveLength(1 + 1 + Math.ceil(120 / 50));
	});

	/**
	 * Serves 1..total as streams; `plan(key, attempt)` may return { reset: true } (the answer cuts
	 * off after its head) or { endCursor, count } for that request. Keys: 'start' or the cursor.
	 * (The early request and a resend leave in no fixed order: tests compare sets of cursors.)
	 */
	function planned(total, plan) {
		const tries = {};
		const signals = {};
		const serve = (options) => {
			const { first, after } = options.body.variables;
			const key = after ?? 'start';
			tries[key] = (tries[key] ?? 0) + 1;
			(signals[key] ??= []).push(options.abortSignal);
			const start = after ? Number(after.replace('cursor-', '')) + 1 : 1;
			const how = plan(key, tries[key]) ?? {};
			const count = how.count ?? Math.min(first, total - start + 1);
			const endCursor = how.endCursor ?? `cursor-${start + count - 1}`;
			return streamed(pageText(start, count, { endCursor, hasNextPage: start + count - 1 < total }), { resetAfterHead: Boolean(how.reset) }).reply;
		};
		return { serve, tries, signals };
	}
	const cursorsSent = (fake) => fake.requests.map((r) => r.options.body.variables.after ?? 'start').sort();

	it('a page cut off after its pageInfo is asked again; the request sent early is kept when the page ends where it said', async () => {
		const served = planned(250, (key, attempt) => (key === 'start' && attempt === 1 ? { reset: true } : undefined));
		const fake = fakeContext(Array(5).fill(served.serve));
		const numbers = [];
		for await (const p of walk(fake)) numbers.push(...p.nodes.map((n) => n.number));
		expect(numbers).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
		// Page 1 reset after its head (page 2 already asked), then asked again: one request per page plus the resend.
		expect(cursorsSent(fake)).toEqual(['cursor-100', 'cursor-200', 'start', 'start']);
		expect(served.signals['cursor-100'][0].aborted).toBe(false);
	});

	it('a page that, asked again, ends elsewhere: the early request is stopped and the right cursor asked', async () => {
		// The first answer of page 1 says it ends at cursor-100, then resets; the resend ends at cursor-99.
		const served = planned(150, (key, attempt) => {
			if (key !== 'start') return undefined;
			return attempt === 1 ? { reset: true } : { count: 99 };
		});
		const fake = fakeContext(Array(6).fill(served.serve));
		const numbers = [];
		for await (const p of walk(fake)) numbers.push(...p.nodes.map((n) => n.number));
		expect(numbers).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
		expect(cursorsSent(fake)).toEqual(['cursor-100', 'cursor-99', 'start', 'start']);
		expect(served.signals['cursor-100'][0].aborted).toBe(true);
		expect(served.signals['cursor-99'][0].aborted).toBe(false);
	});

	it('a page that fails for good stops the request sent early; nothing of it is yielded', async () => {
		// Page 2's head arrives on every try (page 3 is asked after the first), then the connection resets.
		const served = planned(500, (key) => (key === 'cursor-100' ? { reset: true } : undefined));
		const fake = fakeContext(Array(8).fill(served.serve));
		const yielded = [];
		const error = await caught(
			(async () => {
				for await (const p of walk(fake, { settings: { maxRetries: 4 } })) yielded.push(p.nodes[0].number);
			})(),
		);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/ECONNRESET/);
		expect(yielded).toEqual([1]);
		expect(served.tries['cursor-100']).toBe(5);
		// One early request for page 3, not one per try of page 2; stopped with the walk.
		expect(served.tries['cursor-200']).toBe(1);
		expect(served.signals['cursor-200'][0].aborted).toBe(true);
		expect(fake.requests).toHaveLength(7);
	});

	it('an answer that stops arriving midway is given up after the timeout (as a timeout) and asked again', async () => {
		let tries = 0;
		const stalled = () => {
			tries++;
			const head = Buffer.from(pageText(1, 50, { hasNextPage: false }).slice(0, 120));
			// The head, then nothing more, ever (the headers came: the helper's own timeout is over).
			const body = {
				[Symbol.asyncIterator]: async function* () {
					yield head;
					await new Promise(() => {});
				},
			};
			return { statusCode: 200, headers: {}, body };
		};
		const whole = () => streamed(pageText(1, 50, { hasNextPage: false })).reply;
		const fake = fakeContext([stalled, whole]);
		const pages = [];
		for await (const p of walk(fake, { settings: { timeoutMs: 40 } })) pages.push(p);
		expect(tries).toBe(1);
		expect(fake.requests).toHaveLength(2);
		expect(pages.flatMap((p) => p.nodes.map((n) => n.number))).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
		// Every try stalls: the error says the connection failed, with the code of a timeout.
		const always = fakeContext(Array(3).fill(stalled));
		const error = await caught(collect(always, { prefetch: true, settings: { timeoutMs: 40, maxRetries: 2 } }));
		expect(error.message).toMatch(/ETIMEDOUT/);
		expect(always.requests).toHaveLength(3);
	});

	it('a caller that stops early stops the request sent ahead', async () => {
		const piped = streamingPlatform(1000, { hold: false });
		const fake = fakeContext(Array(3).fill(piped.serve));
		for await (const p of walk(fake)) {
			expect(p.nodes).toHaveLength(100);
			break;
		}
		expect(fake.requests).toHaveLength(2);
		expect(piped.answers[1].signal.aborted).toBe(true);
	});
});
