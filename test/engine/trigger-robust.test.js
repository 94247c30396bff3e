'use strict';
/**
 * The polling trigger left running (issue 13): overlapping polls, a long rate limit, a workflow that
 * annotates the dossiers it watches. n8n's real engine (PollContext, static data as n8n keeps it),
 * the node's real transport over HTTP to the sandbox.
 */
const { startSandbox } = require('../../sandbox');
const { NODE_TYPES, runWorkflow } = require('../helpers/engine');
const { activate, act, control, gql, jsonOf } = require('./trigger-support');

let sb;
beforeAll(async () => {
	sb = await startSandbox({ size: 600 });
});
afterAll(async () => {
	await sb?.stop();
});
afterEach(async () => {
	await control(sb, 'POST', '/throttle', { limit: 400, periodSeconds: 60 });
	await control(sb, 'POST', '/clock', { real: true });
	await control(sb, 'POST', '/pace', { answerDelayMs: 0 });
	await control(sb, 'DELETE', '/faults');
});

const numbers = (result) => jsonOf(result.items).map((item) => item.number);
const light = { champs: false, annotations: false, files: false, labels: false, instructeurs: false };

async function allNumbers(demarche) {
	const all = [];
	let after = null;
	for (;;) {
		const data = await gql(
			sb,
			`query($d: Int!, $after: String) { demarche(number: $d) { dossiers(first: 100, after: $after) {
        pageInfo { hasNextPage endCursor } nodes { number } } } }`,
			{ d: demarche, after },
		);
		all.push(...data.demarche.dossiers.nodes.map((n) => n.number));
		if (!data.demarche.dossiers.pageInfo.hasNextPage) return all;
		after = data.demarche.dossiers.pageInfo.endCursor;
	}
}

it('overlapping polls of one trigger emit nothing twice', async () => {
	const poller = activate(sb, 1003, { event: 'dossierDeposited', include: light, simplify: false });
	expect((await poller.poll()).items).toBeNull();
	const deposited = [];
	for (let i = 0; i < 6; i++) deposited.push((await act(sb, 'deposit', { demarche: 1003 })).number);
	// every answer takes 400 ms: the next ticks fire while the first poll is still reading
	await control(sb, 'POST', '/pace', { answerDelayMs: 400 });
	const first = poller.poll();
	await new Promise((resolve) => setTimeout(resolve, 100));
	const overlapping = await Promise.all([first, poller.poll(), poller.poll()]);
	await control(sb, 'POST', '/pace', { answerDelayMs: 0 });
	const emitted = overlapping.flatMap(numbers);
	// one poll read them; the two that started while it ran did nothing
	expect(emitted.sort()).toEqual([...deposited].sort());
	expect(overlapping.filter((result) => result.items === null)).toHaveLength(2);
	expect((await poller.poll()).items).toBeNull();
	// and the next poll after them still works
	const later = await act(sb, 'deposit', { demarche: 1003 });
	expect(numbers(await poller.poll())).toEqual([later.number]);
});

it('a poll ends inside 45 s under a long rate limit, and the next polls carry on with nothing lost', async () => {
	const expected = await allNumbers(1002);
	expect(expected.length).toBeGreaterThan(150);
	const poller = activate(sb, 1002, { event: 'dossierDeposited', startFrom: 'beginning', include: light, simplify: false });
	// The platform's clock at the start of a 10-minute throttle window: its RateLimit-Reset is ~600 s away.
	const window = 600_000;
	await control(sb, 'POST', '/clock', { set: Math.ceil(Date.now() / window) * window + 1000 });
	await control(sb, 'POST', '/throttle', { limit: 1, periodSeconds: 600 });
	const seen = [];
	const started = Date.now();
	const throttled = await poller.poll(); // page 1 passes, page 2 is refused until the reset
	const took = Date.now() - started;
	expect(took).toBeLessThan(45_000);
	expect(numbers(throttled)).toEqual(expected.slice(0, 100));
	seen.push(...numbers(throttled));
	// still throttled: the next poll stops at once, emits nothing and loses nothing
	const again = Date.now();
	expect((await poller.poll()).items).toBeNull();
	expect(Date.now() - again).toBeLessThan(45_000);
	const requests = await control(sb, 'GET', '/requests?token=admin');
	expect((Array.isArray(requests) ? requests : requests.requests).map((r) => r.status)).toContain(429);
	// the limit resets: the next polls carry on from where the first stopped
	await control(sb, 'POST', '/throttle', { limit: 400, periodSeconds: 60 });
	await control(sb, 'POST', '/clock', { real: true });
	for (let i = 0; i < 3; i++) seen.push(...numbers(await poller.poll()));
	expect(seen).toEqual(expected);
});

it('a workflow that annotates what "Dossier Updated (champs only)" emits does not trigger itself again', async () => {
	const { demarche } = await gql(sb, '{ demarche(number: 1001) { dossiers(first: 40, state: en_instruction) { nodes { number } } } }');
	const number = demarche.dossiers.nodes[demarche.dossiers.nodes.length - 1].number;
	const champsOnly = activate(sb, 1001, { event: 'dossierUpdated', include: light, simplify: false, options: { countAs: 'champs' } });
	const anyChange = activate(sb, 1001, { event: 'dossierUpdated', include: light, simplify: false });
	await champsOnly.poll();
	await anyChange.poll();
	await new Promise((resolve) => setTimeout(resolve, 1100));
	// the usager changes a champ
	await act(sb, 'update', { number, values: {} });
	expect(numbers(await champsOnly.poll())).toEqual([number]);
	expect(numbers(await anyChange.poll())).toEqual([number]);
	await new Promise((resolve) => setTimeout(resolve, 1100));
	// the workflow writes an annotation on it, through the node
	const written = await runWorkflow({
		nodes: [
			{
				type: NODE_TYPES.action,
				typeVersion: 1, // annotations by label; version 2 maps the form's columns
				parameters: {
					resource: 'dossier',
					operation: 'updateAnnotations',
					dossier: { __rl: true, mode: 'id', value: String(number) },
					instructeur: { __rl: true, mode: 'email', value: 'claire.martin@demarches-exemple.gouv.fr' },
					annotations: { annotation: [{ annotation: 'Note interne', value: 'Traité par le workflow' }] },
				},
			},
		],
		credentials: { demarcheNumeriqueApi: { baseUrl: sb.url, token: sb.tokens.admin } },
	});
	expect(written.error).toBeUndefined();
	// "any change" sees the workflow's own write; "champs only" does not, now or later
	expect(numbers(await anyChange.poll())).toEqual([number]);
	expect((await champsOnly.poll()).items).toBeNull();
	expect((await champsOnly.poll()).items).toBeNull();
	await new Promise((resolve) => setTimeout(resolve, 1100));
	// the usager's next change still comes through
	await act(sb, 'update', { number, values: {} });
	expect(numbers(await champsOnly.poll())).toEqual([number]);
});

describe('item 1 through the engine and the sandbox', () => {
	it('a dossier stamped before activation, visible after the activation poll, is emitted once', async () => {
		const { demarche } = await gql(sb, '{ demarche(number: 1004) { dossiers(first: 3) { nodes { number } } } }');
		const [changed] = demarche.dossiers.nodes.map((n) => n.number);
		const updated = activate(sb, 1004, { event: 'dossierUpdated', include: light, simplify: false });
		const deposits = activate(sb, 1004, { event: 'dossierDeposited', include: light, simplify: false });
		const activation = Date.now();
		expect((await updated.poll()).items).toBeNull();
		expect((await deposits.poll()).items).toBeNull();
		const late = await act(sb, 'deposit', { demarche: 1004, at: activation - 500 });
		await act(sb, 'update', { number: changed, values: {}, at: activation - 300 });
		const got = { updated: [], deposits: [] };
		for (let i = 0; i < 3; i++) {
			got.updated.push(...numbers(await updated.poll()));
			got.deposits.push(...numbers(await deposits.poll()));
		}
		expect(got.deposits).toEqual([late.number]);
		expect(got.updated.sort()).toEqual([late.number, changed].sort());
	});

	it('X at S.100 and Y at S.700 read in one poll, then X changed at S.400: the second X is emitted once', async () => {
		const { demarche } = await gql(sb, '{ demarche(number: 1004) { dossiers(first: 12) { nodes { number state } } } }');
		const [x, y] = demarche.dossiers.nodes.slice(8).map((n) => n.number);
		const updated = activate(sb, 1004, { event: 'dossierUpdated', include: light, simplify: false });
		await updated.poll();
		await new Promise((resolve) => setTimeout(resolve, 1200));
		const S = Math.floor((Date.now() - 1500) / 1000) * 1000;
		await act(sb, 'update', { number: x, values: {}, at: S + 100 });
		await act(sb, 'update', { number: y, values: {}, at: S + 700 });
		expect(numbers(await updated.poll()).sort()).toEqual([x, y].sort());
		await act(sb, 'update', { number: x, values: {}, at: S + 400 });
		const after = [];
		for (let i = 0; i < 3; i++) after.push(...numbers(await updated.poll()));
		expect(after).toEqual([x]);
	});
});
