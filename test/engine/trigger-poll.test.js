'use strict';
/**
 * The polling trigger in n8n's engine (real PollContext, static data saved as n8n saves it) against
 * the sandbox over HTTP.
 */
const { startSandbox } = require('../../sandbox');
const { activate, act, apiRequests, control, events, fetchTestEvent, gql, jsonOf } = require('./trigger-support');

let sb;
beforeAll(async () => {
	sb = await startSandbox({ size: 600 });
});
afterAll(async () => {
	await sb?.stop();
});

const numbers = (result) => jsonOf(result.items).map((item) => item.number);

/** Every dossier number of a démarche, by deposit date, straight from the sandbox. */
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

describe('start from now (the default)', () => {
	it('emits nothing old, then each new deposit once, simplified', async () => {
		const poller = activate(sb, 1003, { event: 'dossierDeposited' });
		expect((await poller.poll()).items).toBeNull();
		const deposited = await act(sb, 'deposit', { demarche: 1003 });
		const other = await act(sb, 'deposit', { demarche: 1005 });
		const result = await poller.poll();
		expect(numbers(result)).toEqual([deposited.number]);
		expect(numbers(result)).not.toContain(other.number);
		const [item] = jsonOf(result.items);
		expect(item.state).toBe('en_construction');
		expect(item.demarche.number).toBe(1003);
		// simplified: champs keyed by label, not the API's array
		expect(Array.isArray(item.champs)).toBe(false);
		expect(result.staticDataSaved).toBe(true);
		expect((await poller.poll()).items).toBeNull();
	});

	it('costs exactly one request when idle', async () => {
		const poller = activate(sb, 1004, { event: 'dossierUpdated' });
		await poller.poll();
		await act(sb, 'update', { number: (await allNumbers(1004))[0], values: {} });
		await poller.poll();
		await control(sb, 'DELETE', '/requests');
		expect((await poller.poll()).items).toBeNull();
		const requests = await apiRequests(sb);
		expect(requests).toHaveLength(1);
	});

	it('survives a restart: the saved state resumes without repeats', async () => {
		const poller = activate(sb, 1005, { event: 'dossierUpdated' });
		await poller.poll();
		const target = (await allNumbers(1005))[3];
		await act(sb, 'update', { number: target, values: {} });
		expect(numbers(await poller.poll())).toEqual([target]);
		poller.restart();
		expect((await poller.poll()).items).toBeNull();
	});
});

describe('backfill (start from the beginning)', () => {
	it('pages across polls, at most the maximum per poll, every dossier once', async () => {
		const expected = await allNumbers(1002);
		expect(expected.length).toBeGreaterThan(150);
		const poller = activate(sb, 1002, {
			event: 'dossierDeposited',
			startFrom: 'beginning',
			simplify: false,
			include: { champs: false, annotations: false, files: false, labels: false, instructeurs: false },
			options: { maxPerPoll: 70 },
		});
		const seen = [];
		const sizes = [];
		for (let i = 0; i < 10; i++) {
			const result = await poller.poll();
			sizes.push(result.items ? result.items.length : 0);
			seen.push(...numbers(result));
		}
		expect(Math.max(...sizes)).toBeLessThanOrEqual(70);
		expect(sizes[0]).toBe(70);
		expect(seen).toEqual(expected);
	});

	it('from a date: only dossiers deposited since', async () => {
		const data = await gql(
			sb,
			`{ demarche(number: 1005) { dossiers(createdSince: "2025-06-01T00:00:00Z") { nodes { number } } } }`,
		);
		const expected = data.demarche.dossiers.nodes.map((n) => n.number);
		expect(expected.length).toBeGreaterThan(0);
		const poller = activate(sb, 1005, {
			event: 'dossierDeposited',
			startFrom: 'date',
			startDate: '2025-06-01T00:00:00Z',
		});
		expect(numbers(await poller.poll())).toEqual(expected);
	});
});

describe('events', () => {
	it('state changes: each change once, with its previous state, even two between polls', async () => {
		const poller = activate(sb, 1003, { event: 'dossierStateChanged' });
		expect((await poller.poll()).items).toBeNull();
		const { number } = await act(sb, 'deposit', { demarche: 1003 });
		expect((await poller.poll()).items).toBeNull(); // a deposit is not a state change
		await act(sb, 'state', { number, state: 'en_instruction' });
		await act(sb, 'state', { number, state: 'accepte', motivation: 'Complet' });
		const changes = jsonOf((await poller.poll()).items).map((i) => [i.number, i.previousState, i.stateChange.state]);
		expect(changes).toEqual([
			[number, 'en_construction', 'en_instruction'],
			[number, 'en_instruction', 'accepte'],
		]);
		expect((await poller.poll()).items).toBeNull();
	});

	it('deletions: purged and pending, once each, with the states filter', async () => {
		const poller = activate(sb, 1004, { event: 'dossierDeleted' });
		expect((await poller.poll()).items).toBeNull();
		const [a, b] = await allNumbers(1004);
		await act(sb, 'delete', { number: a, reason: 'user_request' });
		await act(sb, 'delete', { number: b, pending: true, reason: 'expired' });
		const items = jsonOf((await poller.poll()).items);
		expect(items.map((i) => [i.number, i.deleted, i.pendingDeletion]).sort()).toEqual(
			[
				[a, true, false],
				[b, true, true],
			].sort(),
		);
		expect((await poller.poll()).items).toBeNull();
	});

	it('a late commit behind the cursor is caught by the overlap window, once', async () => {
		const poller = activate(sb, 1005, { event: 'dossierUpdated' });
		await poller.poll();
		const list = await allNumbers(1005);
		// the late row lands 1 s behind the last one served: keep that after the origin
		await control(sb, 'POST', '/clock', { advanceMs: 5000 });
		await act(sb, 'update', { number: list[10], values: {} });
		expect(numbers(await poller.poll())).toEqual([list[10]]);
		await act(sb, 'late-commit', { number: list[11], behindMs: 1000 });
		const late = await poller.poll();
		expect(numbers(late)).toEqual([list[11]]);
		expect((await poller.poll()).items).toBeNull();
	});

	it('filters on states', async () => {
		const poller = activate(sb, 1005, { event: 'dossierStateChanged', options: { states: ['refuse'] } });
		await poller.poll();
		const { number: refused } = await act(sb, 'deposit', { demarche: 1005 });
		const { number: instructed } = await act(sb, 'deposit', { demarche: 1005 });
		await act(sb, 'state', { number: refused, state: 'refuse', motivation: 'Incomplet' });
		await act(sb, 'state', { number: instructed, state: 'en_instruction' });
		expect(numbers(await poller.poll())).toEqual([refused]);
	});
});

describe('a dossier the platform cannot serialise', () => {
	it('names it and waits on it, then resumes without losing it', async () => {
		const expected = await allNumbers(1005);
		const poller = activate(sb, 1005, { event: 'dossierDeposited', startFrom: 'beginning', options: { maxPerPoll: 500 } });
		await control(sb, 'POST', '/faults', { kind: 'invalid_null', dossier: expected[2], operationName: 'TriggerPollDemarche' });
		await expect(poller.poll()).rejects.toThrow(new RegExp(`cannot read dossier ${expected[2]}`));
		expect(numbers(await poller.poll())).toEqual(expected);
	});
});

describe('one groupe instructeur', () => {
	it('emits only the dossiers of that groupe', async () => {
		const groupes = sb.facts.groupes.filter((g) => g.demarche === 1002 && !g.closed).map((g) => g.number);
		const poller = activate(sb, 1002, {
			event: 'dossierDeposited',
			options: { groupeInstructeur: { __rl: true, mode: 'id', value: String(groupes[0]) } },
		});
		expect((await poller.poll()).items).toBeNull();
		const inside = await act(sb, 'deposit', { demarche: 1002, groupe: groupes[0] });
		await act(sb, 'deposit', { demarche: 1002, groupe: groupes[1] });
		const items = jsonOf((await poller.poll()).items);
		expect(items.map((i) => [i.number, i.groupeInstructeur.number])).toEqual([[inside.number, groupes[0]]]);
	});
});

describe('manual mode (Fetch Test Event)', () => {
	it('returns recent matching dossiers and leaves the state untouched', async () => {
		const poller = activate(sb, 1002, { event: 'dossierUpdated' });
		await poller.poll();
		const saved = poller.staticData;
		const sample = await fetchTestEvent(sb, 1002, { event: 'dossierUpdated' }, saved);
		expect(sample.items.length).toBeGreaterThan(0);
		expect(sample.items.length).toBeLessThanOrEqual(5);
		expect(sample.staticDataSaved).toBe(false);
		expect(sample.liveStaticData).toEqual(saved);
		const recent = jsonOf(sample.items).map((i) => Date.parse(i.dateDerniereModification));
		expect(recent).toEqual([...recent].sort((x, y) => y - x));
	});

	it('state changes: the last change of recent dossiers', async () => {
		const sample = await fetchTestEvent(sb, 1002, { event: 'dossierStateChanged' });
		const items = jsonOf(sample.items);
		expect(items.length).toBeGreaterThan(0);
		for (const item of items) expect(item.previousState).not.toBe(item.stateChange.state);
	});
});

it('event log cross-check: every deposit of the log emitted once', async () => {
	const before = (await events(sb)).slice(-1)[0]?.sequence ?? 0;
	const poller = activate(sb, 1001, { event: 'dossierDeposited' });
	await poller.poll();
	const emitted = [];
	for (let i = 0; i < 3; i++) {
		for (let j = 0; j < 3; j++) await act(sb, 'deposit', { demarche: 1001 });
		emitted.push(...numbers(await poller.poll()));
	}
	const logged = (await events(sb, before))
		.filter((e) => e.type === 'deposited' && e.demarcheNumber === 1001)
		.map((e) => e.dossierNumber);
	expect(emitted).toEqual(logged);
});
